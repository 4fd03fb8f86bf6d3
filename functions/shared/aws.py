"""boto3 clients, created on first use (never at import) and reused across invocations.

Tests and the local stack clear them with `reset_clients()` so a new endpoint or a moto
mock takes effect.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=5)


@lru_cache(maxsize=1)
def dynamodb_client() -> Any:
    return boto3.client("dynamodb", config=_CONFIG)


@lru_cache(maxsize=1)
def s3_client() -> Any:
    return boto3.client("s3", config=_CONFIG)


@lru_cache(maxsize=1)
def events_client() -> Any:
    return boto3.client("events", config=_CONFIG)


def reset_clients() -> None:
    dynamodb_client.cache_clear()
    s3_client.cache_clear()
    events_client.cache_clear()
