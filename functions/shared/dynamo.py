"""Conversions between plain Python values and DynamoDB attribute values."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

_SERIALIZER = TypeSerializer()
_DESERIALIZER = TypeDeserializer()


def item_key(pk: str, sk: str) -> dict[str, Any]:
    """The primary key of an item in a table keyed on string `pk` and `sk`."""
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def to_item(data: dict[str, Any]) -> dict[str, Any]:
    """A JSON-like dict as a DynamoDB item (floats become Decimals on the way)."""
    exact = json.loads(json.dumps(data), parse_float=Decimal)
    return {key: _SERIALIZER.serialize(value) for key, value in exact.items()}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB item as plain Python: numbers become int or float."""
    return {key: _plain(_DESERIALIZER.deserialize(value)) for key, value in item.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _plain(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_plain(inner) for inner in value]
    return value
