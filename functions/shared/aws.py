"""boto3 clients, created on first use (never at import) and reused across invocations.

Tests and the local stack clear them with `reset_clients()` so a new endpoint or a moto
mock takes effect.
"""

from __future__ import annotations

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
    (worth retrying later), as opposed to a request it refused on its merits."""
    if isinstance(error, ClientError):
        return error.response.get("Error", {}).get("Code") in UNAVAILABLE_CODES
    return isinstance(error, _UNREACHABLE)


def reset_clients() -> None:
    dynamodb_client.cache_clear()
    s3_client.cache_clear()
    events_client.cache_clear()
