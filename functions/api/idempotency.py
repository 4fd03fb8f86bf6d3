"""Idempotent task creation keyed by the Idempotency-Key header (powertools idempotency on
the idempotency table). A retry with the same key and body returns the first response; the
same key with a different body is refused."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, cast

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyPersistenceLayerError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.api.settings import get_settings
from functions.shared.aws import dynamodb_client, is_unavailable
from functions.shared.errors import IdempotencyKeyReused, RequestInProgress, StoreUnavailable

Work = Callable[[], dict[str, Any]]


@lru_cache(maxsize=1)
def _config() -> IdempotencyConfig:
    return IdempotencyConfig(
        event_key_jmespath="key",
        payload_validation_jmespath="request",
        expires_after_seconds=get_settings().idempotency_ttl_seconds,
        raise_on_no_idempotency_key=True,
    )


@lru_cache(maxsize=1)
def _runner() -> Callable[..., dict[str, Any]]:
    persistence = DynamoDBPersistenceLayer(
        table_name=get_settings().idempotency_table, boto3_client=dynamodb_client()
    )

    def run(attempt: dict[str, Any], work: Work) -> dict[str, Any]:
        return work()

    decorated = idempotent_function(
        run,
        data_keyword_argument="attempt",
        persistence_store=persistence,
        config=_config(),
        key_prefix="create_task",
    )
    return cast(Callable[..., dict[str, Any]], decorated)


def run_once(key: str, request: dict[str, Any], work: Work) -> dict[str, Any]:
    """Runs `work` once per `key`; later calls with the same key and `request` return the
    stored result. Raises IdempotencyKeyReused (same key, different request),
    RequestInProgress (the first call has not finished) and StoreUnavailable (the
    idempotency table was throttled or unreachable)."""
    try:
        return _runner()(attempt={"key": key, "request": request}, work=work)
    except IdempotencyValidationError:
        raise IdempotencyKeyReused(
            "this Idempotency-Key was used with a different request body"
        ) from None
    except IdempotencyAlreadyInProgressError:
        raise RequestInProgress(
            "a request with this Idempotency-Key is still being processed; retry shortly"
        ) from None
    except IdempotencyPersistenceLayerError as error:
        # powertools wraps the table's errors; a throttled or unreachable table is the
        # same 503 as any other store call, anything else stays the bug it is.
        if isinstance(error.__cause__, Exception) and is_unavailable(error.__cause__):
            raise StoreUnavailable("the service is busy right now; retry in a moment") from None
        raise


def register_context(context: LambdaContext) -> None:
    """Lets idempotency records expire with the invocation if it times out."""
    _config().register_lambda_context(context)


def reset_idempotency() -> None:
    _config.cache_clear()
    _runner.cache_clear()
