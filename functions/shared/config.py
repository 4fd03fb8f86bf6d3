"""Config in the registry table.

``CONFIG#thresholds`` holds the support-level thresholds, versioned (`VersionedConfig`).
``CONFIG#cursor_key`` / ``CURRENT`` holds the stage's secret for signing list cursors: made
at random on first use, so it is never in the repository or the template, and it differs
between stages and local stacks.
"""

from __future__ import annotations

import secrets
from typing import Any

from botocore.exceptions import ClientError

from functions.shared.dynamo import item_key
from functions.shared.models import Thresholds, ThresholdsRecord
from functions.shared.support import DEFAULT_THRESHOLDS
from functions.shared.versioned import CURRENT_SORT, VersionedConfig

THRESHOLDS = VersionedConfig(
    "thresholds",
    Thresholds,
    ThresholdsRecord,
    field="thresholds",
    default=DEFAULT_THRESHOLDS,
    default_reason="default thresholds",
    conflict="the support levels changed since they were read; read them and try again",
)
CURSOR_KEY_PARTITION = "CONFIG#cursor_key"
CURSOR_KEY_BYTES = 32


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
