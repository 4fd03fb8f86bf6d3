"""/v1/models: the model registry for supervisors: versions, comparison, promotion and
rollback. GET /v1/model (the active card, for everyone who scores) is in system.py."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from functions.api import deps
from functions.api.auth import MOVE_ACTIVE_MODEL, READ_REGISTRY, Principal, allow, secured
from functions.api.data.evaluations import Evaluations
from functions.api.http_errors import documented
from functions.api.logic import models as logic
from functions.api.schemas import (
    ActivePointer,
    ModelComparison,
    ModelDetail,
    ModelList,
    ModelSummary,
    ModelVersionId,
    MoveRequest,
)
from functions.shared.registry import Registry

router = Router()  # type: ignore[no-untyped-call]
logger = Logger(child=True)


@router.get(
    "/models",
    summary="Every model version, newest first",
    description="Status (active, candidate, rejected, retired), headline metrics, lineage.",
    tags=["models"],
    responses=documented(200, ModelList, "The registry", 401, 403, 503),
    **secured(READ_REGISTRY),
)
def handle_list_models(
    registry: Annotated[Registry, Depends(deps.registry)],
    _caller: Annotated[Principal, Depends(allow(READ_REGISTRY))],
) -> ModelList:
    pointer = registry.pointer()
    return ModelList(
        active_version=pointer.version if pointer else None,
        items=[ModelSummary.model_validate(entry) for entry in registry.versions()],
    )


@router.get(
    "/models/compare",
    summary="Two versions side by side on the same test data",
    description=(
        "Metrics of `a` and `b` on the test split where one was trained against the other, "
        "the differences (b minus a, per class too) and a sample of the texts they label "
        "differently. 409 `not_comparable` when neither was trained against the other."
    ),
    tags=["models"],
    responses=documented(200, ModelComparison, "The comparison", 401, 403, 404, 409, 422, 503),
    **secured(READ_REGISTRY),
)
def handle_compare_models(
    a: Annotated[ModelVersionId, Query()],
    b: Annotated[ModelVersionId, Query()],
    registry: Annotated[Registry, Depends(deps.registry)],
    evaluations: Annotated[Evaluations, Depends(deps.evaluations)],
    _caller: Annotated[Principal, Depends(allow(READ_REGISTRY))],
) -> ModelComparison:
    return ModelComparison.model_validate(logic.compare(a, b, registry, evaluations))


@router.get(
    "/models/<version>",
    summary="One model version",
    description="Card, metrics with the confusion matrix, lineage, gate result and every "
    "activation that moved to or from it.",
    tags=["models"],
    responses=documented(200, ModelDetail, "The version", 401, 403, 404, 422, 503),
    **secured(READ_REGISTRY),
)
def handle_get_model_version(
    version: Annotated[ModelVersionId, Path()],
    registry: Annotated[Registry, Depends(deps.registry)],
    _caller: Annotated[Principal, Depends(allow(READ_REGISTRY))],
) -> ModelDetail:
    return ModelDetail.model_validate(logic.get_model(version, registry))


@router.post(
    "/models/<version>/promote",
    summary="Make a version active",
    description=(
        "With a written reason. A rejected version may be promoted too: that is an "
        "override, recorded as one. 409 when it is active already, or when the active "
        "version changed meanwhile (`active_model_changed`: read the registry again)."
    ),
    tags=["models"],
    responses=documented(
        200, ActivePointer, "The new active pointer", 400, 401, 403, 404, 409, 413, 415, 422, 503
    ),
    **secured(MOVE_ACTIVE_MODEL),
)
def handle_promote_model(
    version: Annotated[ModelVersionId, Path()],
    request: Annotated[MoveRequest, Body()],
    registry: Annotated[Registry, Depends(deps.registry)],
    caller: Annotated[Principal, Depends(allow(MOVE_ACTIVE_MODEL))],
) -> ActivePointer:
    pointer = logic.promote(version, request.reason, caller.key, registry)
    logger.info("model promoted", extra={"version": version, "from": pointer.previous_version})
    return ActivePointer.model_validate(pointer)


@router.post(
    "/models/rollback",
    summary="Make the previously active version active again",
    description=(
        "With a written reason. 409 when there is no earlier version, or when the active "
        "version changed meanwhile (`active_model_changed`)."
    ),
    tags=["models"],
    responses=documented(
        200, ActivePointer, "The new active pointer", 400, 401, 403, 409, 413, 415, 422, 503
    ),
    **secured(MOVE_ACTIVE_MODEL),
)
def handle_roll_back_model(
    request: Annotated[MoveRequest, Body()],
    registry: Annotated[Registry, Depends(deps.registry)],
    caller: Annotated[Principal, Depends(allow(MOVE_ACTIVE_MODEL))],
) -> ActivePointer:
    pointer = logic.roll_back(request.reason, caller.key, registry)
    logger.info("model rolled back", extra={"version": pointer.version})
    return ActivePointer.model_validate(pointer)
