"""Versioned config in the registry table: one value in force, and every version kept.

Keys: ``CONFIG#<name>`` / ``CURRENT`` holds the value in force with who set it, when and
why; ``CONFIG#<name>`` / ``VERSION#<n>`` keeps every version ever used. A change is
written only over the version it was made from, so two supervisors never overwrite each
other unseen.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from botocore.exceptions import ClientError

from functions.shared.aws import refused_by_condition, transact_write
from functions.shared.clock import utc_now
from functions.shared.dynamo import from_item, item_key, to_item
from functions.shared.errors import ConcurrentUpdate
from functions.shared.models import ChangeRecord, Frozen

CURRENT_SORT = "CURRENT"


V = TypeVar("V", bound=Frozen)  # a model with a `version` field
R = TypeVar("R", bound=ChangeRecord)


class VersionedConfig(Generic[V, R]):
    """The value type `V` kept under ``CONFIG#<name>``, read and written as records of type
    `R` (the value under `field`, with who set it, when and why). `conflict` is what a
    change made from an outdated version is told."""

    def __init__(
        self,
        name: str,
        value_type: type[V],
        record_type: type[R],
        *,
        field: str,
        default: V,
        default_reason: str,
        conflict: str,
    ) -> None:
        self.partition = f"CONFIG#{name}"
        self._value_type = value_type
        self._record_type = record_type
        self._field = field
        self._default = default
        self._default_reason = default_reason
        self._conflict = conflict  # what ConcurrentUpdate says

    def value_of(self, record: R) -> V:
        value: V = getattr(record, self._field)
        return value

    def read(self, dynamodb: Any, table: str) -> R:
        """The record in force; seeds the default as version 1 when there is none yet."""
        data = self._current(dynamodb, table)
        return self.seed(dynamodb, table) if data is None else self._record(data)

    def read_value(self, dynamodb: Any, table: str) -> V:
        """The value in force alone (who set it is not read); seeds it as `read` does."""
        data = self._current(dynamodb, table)
        return self.value_of(self.seed(dynamodb, table)) if data is None else self._value(data)

    def _current(self, dynamodb: Any, table: str) -> dict[str, Any] | None:
        response = dynamodb.get_item(
            TableName=table, Key=item_key(self.partition, CURRENT_SORT), ConsistentRead=True
        )
        item = response.get("Item")
        return from_item(item) if item else None

    def seed(self, dynamodb: Any, table: str) -> R:
        """Writes the default as version 1 unless some version exists already; returns
        whichever is in force afterwards."""
        record = self._record_type.model_validate(
            {
                self._field: self._default,
                "updated_at": utc_now(),
                "updated_by": "system",
                "reason": self._default_reason,
            }
        )
        current, version = self._puts(table, record)
        current["ConditionExpression"] = "attribute_not_exists(pk)"
        try:
            transact_write(dynamodb, [{"Put": current}, {"Put": version}])
        except ClientError as error:
            if not refused_by_condition(error):
                raise
            return self.read(dynamodb, table)
        return record

    def replace(self, dynamodb: Any, table: str, record: R) -> None:
        """Makes `record` the one in force and keeps it as its own version, in one
        transaction, if the version in force is still the one before it. Raises
        ConcurrentUpdate when another change got there first."""
        current, version = self._puts(table, record)
        current["ConditionExpression"] = "version = :previous"
        previous = _version(self.value_of(record)) - 1
        current["ExpressionAttributeValues"] = {":previous": {"N": str(previous)}}
        try:
            transact_write(dynamodb, [{"Put": current}, {"Put": version}])
        except ClientError as error:
            if not refused_by_condition(error):
                raise
            raise ConcurrentUpdate(self._conflict) from None

    def _value(self, data: dict[str, Any]) -> V:
        return self._value_type.model_validate(
            {name: data[name] for name in self._value_type.model_fields}
        )

    def _record(self, data: dict[str, Any]) -> R:
        return self._record_type.model_validate(
            {
                self._field: self._value(data),
                "updated_at": data["updated_at"],
                "updated_by": data["updated_by"],
                "reason": data.get("reason", ""),
            }
        )

    def _puts(self, table: str, record: R) -> tuple[dict[str, Any], dict[str, Any]]:
        """The CURRENT item and the VERSION#<n> item of `record`; a version is written once."""
        value = self.value_of(record)
        values = value.model_dump() | {
            "updated_at": record.updated_at.isoformat(),
            "updated_by": record.updated_by,
            "reason": record.reason,
        }
        current = {
            "TableName": table,
            "Item": to_item(values | {"pk": self.partition, "sk": CURRENT_SORT}),
        }
        version = {
            "TableName": table,
            "Item": to_item(
                values | {"pk": self.partition, "sk": f"VERSION#{_version(value):06d}"}
            ),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
        return current, version


def _version(value: Frozen) -> int:
    return int(value.model_dump()["version"])
