"""Data access for versioned config in the registry table.

Keys: ``CONFIG#thresholds`` / ``CURRENT`` holds the support-level thresholds in force with
their version; ``CONFIG#thresholds`` / ``VERSION#<n>`` keeps every version ever used.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from functions.shared.clock import now_iso
from functions.shared.dynamo import from_item, item_key, to_item
from functions.shared.models import Thresholds
from functions.shared.support import DEFAULT_THRESHOLDS

THRESHOLDS_PARTITION = "CONFIG#thresholds"
CURRENT_SORT = "CURRENT"


def read_thresholds(dynamodb: Any, table: str) -> Thresholds:
    """The thresholds in force; seeds the defaults when there are none yet."""
    response = dynamodb.get_item(
        TableName=table, Key=item_key(THRESHOLDS_PARTITION, CURRENT_SORT), ConsistentRead=True
    )
    item = response.get("Item")
    if item is None:
        return seed_thresholds(dynamodb, table)
    data = from_item(item)
    return Thresholds.model_validate({name: data[name] for name in Thresholds.model_fields})


def seed_thresholds(dynamodb: Any, table: str) -> Thresholds:
    """Writes the default thresholds as version 1 unless some version exists already;
    returns whichever is current afterwards."""
    values = DEFAULT_THRESHOLDS.model_dump() | {"updated_at": now_iso(), "updated_by": "system"}
    version_sort = f"VERSION#{DEFAULT_THRESHOLDS.version:06d}"
    try:
        dynamodb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": table,
                        "Item": to_item(values | {"pk": THRESHOLDS_PARTITION, "sk": CURRENT_SORT}),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {
                    "Put": {
                        "TableName": table,
                        "Item": to_item(values | {"pk": THRESHOLDS_PARTITION, "sk": version_sort}),
                    }
                },
            ]
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "TransactionCanceledException":
            raise
        return read_thresholds(dynamodb, table)
    return DEFAULT_THRESHOLDS
