"""boto3 clients, created on first use (never at import) and reused across invocations.

Tests and the local stack clear them with `reset_clients()` so a new endpoint or a moto
mock takes effect.
"""

from __future__ import annotations

import random
import time
from functools import lru_cache
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

# Throttling and brief outages are retried with backoff by botocore itself, at most
# MAX_ATTEMPTS calls in all; what still fails then is reported as unavailable.
MAX_ATTEMPTS = 3
_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
    connect_timeout=2,
    read_timeout=5,
)
# Error codes that mean "busy or briefly down, try again later" rather than a bug of ours.
UNAVAILABLE_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "SlowDown",
        "TransactionInProgressException",
    }
)
# Why DynamoDB cancels a transaction when it is busy rather than refusing it: botocore
# retries a throttled call, but not a transaction cancelled for one of these reasons.
_BUSY_CANCELLATIONS = frozenset(
    {
        "ThrottlingError",
        "ProvisionedThroughputExceeded",
        "TransactionConflict",
        "RequestLimitExceeded",
    }
)
_UNREACHABLE = (
    EndpointConnectionError,
    ConnectTimeoutError,
    ReadTimeoutError,
    ConnectionClosedError,
)


@lru_cache(maxsize=1)
def dynamodb_client() -> Any:
    return boto3.client("dynamodb", config=_CONFIG)


@lru_cache(maxsize=1)
def s3_client() -> Any:
    return boto3.client("s3", config=_CONFIG)


@lru_cache(maxsize=1)
def events_client() -> Any:
    return boto3.client("events", config=_CONFIG)


def is_unavailable(error: Exception) -> bool:
    """Whether an AWS call failed because the service was throttling, down or unreachable
    (worth retrying later), as opposed to a request it refused on its merits. A
    transaction cancelled only because DynamoDB was busy counts as unavailable."""
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code")
        return code in UNAVAILABLE_CODES or _cancelled_while_busy(error)
    return isinstance(error, _UNREACHABLE)


def cancellation_codes(error: ClientError) -> list[str]:
    """The reason DynamoDB gave for each item of a cancelled transaction ("None": fine)."""
    reasons = error.response.get("CancellationReasons") or []
    return [str(reason.get("Code") or "None") for reason in reasons]


def refused_by_condition(error: ClientError) -> bool:
    """Whether a conditional write, or a transaction, was refused because one of its
    conditions did not hold (someone else's change got there first), as opposed to
    throttled, busy or otherwise failed. A cancellation without reasons is taken as a
    condition, as the reasons are what tells the two apart."""
    code = error.response.get("Error", {}).get("Code")
    if code == "ConditionalCheckFailedException":
        return True
    if code != "TransactionCanceledException":
        return False
    codes = cancellation_codes(error)
    return not codes or "ConditionalCheckFailed" in codes


def _cancelled_while_busy(error: ClientError) -> bool:
    if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
        return False
    refused = {code for code in cancellation_codes(error) if code != "None"}
    return bool(refused) and refused <= _BUSY_CANCELLATIONS


def transact_write(client: Any, items: list[dict[str, Any]]) -> None:
    """TransactWriteItems, called again (at most MAX_ATTEMPTS calls in all, with jittered
    exponential backoff) while DynamoDB cancels it only for being busy. The transaction
    applies whole or not at all either way. Raises the last ClientError."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            client.transact_write_items(TransactItems=items)
            return
        except ClientError as error:
            if attempt == MAX_ATTEMPTS or not _cancelled_while_busy(error):
                raise
            time.sleep(random.uniform(0, 0.05 * 2**attempt))  # jitter, not a secret


def reset_clients() -> None:
    dynamodb_client.cache_clear()
    s3_client.cache_clear()
    events_client.cache_clear()
