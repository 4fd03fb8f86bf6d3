"""Data access for versioned config in the registry table.

Keys: ``CONFIG#thresholds`` / ``CURRENT`` holds the support-level thresholds in force with
their version, who set them, when and why; ``CONFIG#thresholds`` / ``VERSION#<n>`` keeps
every version ever used.
``CONFIG#cursor_key`` / ``CURRENT`` holds the stage's secret for signing list cursors: made
at random on first use, so it is never in the repository or the template, and it differs
between stages and local stacks.
"""

from __future__ import annotations

import secrets
from typing import Any

from botocore.exceptions import ClientError

from functions.shared.aws import refused_by_condition, transact_write
from functions.shared.clock import utc_now
from functions.shared.dynamo import from_item, item_key, to_item
from functions.shared.errors import ConcurrentUpdate
from functions.shared.models import Thresholds, ThresholdsRecord
from functions.shared.support import DEFAULT_THRESHOLDS

THRESHOLDS_PARTITION = "CONFIG#thresholds"
CURRENT_SORT = "CURRENT"
CURSOR_KEY_PARTITION = "CONFIG#cursor_key"
CURSOR_KEY_BYTES = 32


def _current(dynamodb: Any, table: str) -> dict[str, Any] | None:
    response = dynamodb.get_item(
        TableName=table, Key=item_key(THRESHOLDS_PARTITION, CURRENT_SORT), ConsistentRead=True
    )
    item = response.get("Item")
    return from_item(item) if item else None


def _thresholds(data: dict[str, Any]) -> Thresholds:
    return Thresholds.model_validate({name: data[name] for name in Thresholds.model_fields})


def read_thresholds(dynamodb: Any, table: str) -> Thresholds:
    """The thresholds in force; seeds the defaults when there are none yet."""
    data = _current(dynamodb, table)
    return seed_thresholds(dynamodb, table).thresholds if data is None else _thresholds(data)


def read_thresholds_record(dynamodb: Any, table: str) -> ThresholdsRecord:
    """The thresholds in force with who set them, when and why; seeds the defaults when
    there are none yet."""
    data = _current(dynamodb, table)
    if data is None:
        return seed_thresholds(dynamodb, table)
    return ThresholdsRecord(
        thresholds=_thresholds(data),
        updated_at=data["updated_at"],
        updated_by=data["updated_by"],
        reason=data.get("reason", ""),
    )


def _version_puts(table: str, record: ThresholdsRecord) -> tuple[dict[str, Any], dict[str, Any]]:
    """The CURRENT item and the VERSION#<n> item of `record`, unconditioned."""
    values = record.thresholds.model_dump() | {
        "updated_at": record.updated_at.isoformat(),
        "updated_by": record.updated_by,
        "reason": record.reason,
    }
    version_sort = f"VERSION#{record.thresholds.version:06d}"
    current = {
        "TableName": table,
        "Item": to_item(values | {"pk": THRESHOLDS_PARTITION, "sk": CURRENT_SORT}),
    }
    version = {
        "TableName": table,
        "Item": to_item(values | {"pk": THRESHOLDS_PARTITION, "sk": version_sort}),
        "ConditionExpression": "attribute_not_exists(pk)",
    }
    return current, version


def seed_thresholds(dynamodb: Any, table: str) -> ThresholdsRecord:
    """Writes the default thresholds as version 1 unless some version exists already;
    returns whichever is current afterwards."""
    record = ThresholdsRecord(
        thresholds=DEFAULT_THRESHOLDS,
        updated_at=utc_now(),
        updated_by="system",
        reason="default thresholds",
    )
    current, version = _version_puts(table, record)
    current["ConditionExpression"] = "attribute_not_exists(pk)"
    try:
        transact_write(dynamodb, [{"Put": current}, {"Put": version}])
    except ClientError as error:
        if not refused_by_condition(error):
            raise
        return read_thresholds_record(dynamodb, table)
    return record


def replace_thresholds(dynamodb: Any, table: str, record: ThresholdsRecord) -> None:
    """Makes `record` the thresholds in force and keeps it as its own version, in one
    transaction, if the version in force is still the one before it. Raises
    ConcurrentUpdate when another change got there first."""
    current, version = _version_puts(table, record)
    current["ConditionExpression"] = "version = :previous"
    current["ExpressionAttributeValues"] = {":previous": {"N": str(record.thresholds.version - 1)}}
    try:
        transact_write(dynamodb, [{"Put": current}, {"Put": version}])
    except ClientError as error:
        if not refused_by_condition(error):
            raise
        raise ConcurrentUpdate(
            "the support levels changed since they were read; read them and try again"
        ) from None


def read_cursor_key(dynamodb: Any, table: str) -> bytes:
    """The stage's cursor-signing secret. The first caller to find none writes 32 random
    bytes (conditionally, so concurrent cold starts agree on one); everyone reads it back.
    Raises ClientError when the table cannot be read or written."""
    key = item_key(CURSOR_KEY_PARTITION, CURRENT_SORT)
    item = dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")
    if item is not None:
        return bytes(item["secret"]["B"])
    try:
        dynamodb.put_item(
            TableName=table,
            Item=key | {"secret": {"B": secrets.token_bytes(CURSOR_KEY_BYTES)}},
            ConditionExpression="attribute_not_exists(pk)",
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
    return read_cursor_key(dynamodb, table)
