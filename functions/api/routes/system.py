"""GET /v1/health and GET /v1/model."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.depends import Depends
from botocore.exceptions import BotoCoreError, ClientError

from functions.api import deps
from functions.api.auth import READ_MODEL, Principal, allow, secured
from functions.api.data.serving import ModelRegistry
from functions.api.data.task_store import TaskStore
from functions.api.http_errors import documented
from functions.api.logic.reviews import OverridePolicy, override_alarm
from functions.api.schemas import HealthCheck, ModelInfo
from functions.shared.errors import DomainError, ServiceUnhealthy

router = Router()  # type: ignore[no-untyped-call]
logger = Logger(child=True)


@router.get(
    "/health",
    summary="Is the model loaded and the store reachable?",
    description=(
        "Public: needs no token. 200 when requests can be scored and stored (`degraded` "
        "while an older model stands in for an active one that cannot be loaded); 503 "
        "otherwise. `retraining_suggested` is the override alarm's flag alone; its figures "
        "are in `GET /v1/reviews/stats` (supervisors)."
    ),
    tags=["system"],
    responses=documented(200, HealthCheck, "Healthy, or degraded but serving", 503),
)
def handle_get_health(
    models: Annotated[ModelRegistry, Depends(deps.model_registry)],
    store: Annotated[TaskStore, Depends(deps.task_store)],
    policy: Annotated[OverridePolicy, Depends(deps.override_policy)],
) -> HealthCheck:
    version: str | None = None
    try:
        version = models.active_model().version
    except (DomainError, BotoCoreError, ClientError) as error:
        logger.warning("health: model not available", extra={"error_type": type(error).__name__})
    try:
        store.ping()
        alarm = override_alarm(models, policy, store) if version else None
        reachable = True
    except (BotoCoreError, ClientError) as error:
        logger.warning("health: store unreachable", extra={"error_type": type(error).__name__})
        alarm, reachable = None, False
    unloadable = models.unloadable_version() if version else None
    check = HealthCheck(
        status="unavailable" if not (version and reachable) else "degraded" if unloadable else "ok",
        model_loaded=version is not None,
        model_version=version,
        active_version=unloadable,
        store_reachable=reachable,
        retraining_suggested=alarm is not None and alarm.retraining_suggested,
    )
    if check.status == "unavailable":
        raise ServiceUnhealthy("the service cannot score or store right now", [check.model_dump()])
    if check.status == "degraded":
        logger.warning(
            "health: serving an older model", extra={"active": unloadable, "serving": version}
        )
    return check


@router.get(
    "/model",
    summary="The active model's card",
    tags=["system"],
    responses=documented(200, ModelInfo, "The active model", 401, 403, 503),
    **secured(READ_MODEL),
)
def handle_get_model(
    _caller: Annotated[Principal, Depends(allow(READ_MODEL))],
    models: Annotated[ModelRegistry, Depends(deps.model_registry)],
) -> ModelInfo:
    pointer, model = models.active()
    return ModelInfo(
        version=model.version, activated_at=pointer.get("activated_at"), card=model.card
    )
