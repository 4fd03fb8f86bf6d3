"""/v1/config/support-levels: the thresholds that set support levels, each change a new
version with who, when and why, and a preview of what a change would do."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Body

from functions.api import deps
from functions.api.auth import SET_SUPPORT_LEVELS, Principal, allow, secured
from functions.api.data.config_store import ThresholdsStore
from functions.api.data.task_store import MAX_PREVIEW_TASKS, TaskStore
from functions.api.etags import IfMatch, expected_revision, with_etag
from functions.api.http_errors import documented
from functions.api.logic import support_levels as logic
from functions.api.schemas import (
    SupportLevels,
    SupportLevelsChange,
    SupportLevelsPreview,
    SupportLevelsPreviewRequest,
)
from functions.shared.models import ThresholdsRecord, ThresholdValues

router = Router()  # type: ignore[no-untyped-call]
logger = Logger(child=True)


def support_levels_response(record: ThresholdsRecord) -> Response[SupportLevels]:
    """The thresholds in force as the body, their version as the ETag."""
    body = SupportLevels(
        **record.thresholds.model_dump(),
        updated_at=record.updated_at,
        updated_by=record.updated_by,
        reason=record.reason,
    )
    return with_etag(body, record.thresholds.version)


@router.get(
    "/config/support-levels",
    summary="The support-level thresholds in force",
    description="The `ETag` header is the config version: send it as `If-Match` to change it.",
    tags=["config"],
    responses=documented(
        200, SupportLevels, "The thresholds, their version as the ETag", 401, 403, 503
    ),
    **secured(SET_SUPPORT_LEVELS),
)
def handle_get_support_levels(
    config: Annotated[ThresholdsStore, Depends(deps.thresholds_store)],
    _caller: Annotated[Principal, Depends(allow(SET_SUPPORT_LEVELS))],
) -> Response[SupportLevels]:
    return support_levels_response(config.current())


@router.put(
    "/config/support-levels",
    summary="Change the support-level thresholds",
    description=(
        "Each change is a new config version, recorded with who, when and why; decisions name "
        "the version that made them, and serving takes a change up within a minute. Needs "
        "`If-Match` with the version's ETag: 428 without it, 412 when another version is in "
        "force since, unless it has these very thresholds (then 200, nothing written)."
    ),
    tags=["config"],
    responses=documented(
        200,
        SupportLevels,
        "The thresholds in force, their version as the ETag",
        400,
        401,
        403,
        412,
        413,
        415,
        422,
        428,
        503,
    ),
    **secured(SET_SUPPORT_LEVELS),
)
def handle_put_support_levels(
    request: Annotated[SupportLevelsChange, Body()],
    config: Annotated[ThresholdsStore, Depends(deps.thresholds_store)],
    caller: Annotated[Principal, Depends(allow(SET_SUPPORT_LEVELS))],
    if_match: IfMatch = None,
) -> Response[SupportLevels]:
    record, changed = logic.change_support_levels(
        ThresholdValues.model_validate(request.model_dump(exclude={"reason"})),
        reason=request.reason,
        changed_by=caller.subject,
        expected_version=expected_revision(if_match),
        repository=config,
    )
    if changed:
        logger.info("support levels changed", extra={"version": record.thresholds.version})
    return support_levels_response(record)


@router.post(
    "/config/support-levels/preview",
    summary="How many tasks of a period proposed thresholds would move to another level",
    description=(
        "Recounts the decisions stored in the period under the proposed thresholds, in "
        f"total and per category, with up to five examples. Reads at most {MAX_PREVIEW_TASKS} "
        "tasks, newest first, through one time-range index query; `complete` says whether "
        "that was the whole period. Nothing is changed."
    ),
    tags=["config"],
    responses=documented(
        200, SupportLevelsPreview, "The preview", 400, 401, 403, 413, 415, 422, 503
    ),
    **secured(SET_SUPPORT_LEVELS),
)
def handle_preview_support_levels(
    request: Annotated[SupportLevelsPreviewRequest, Body()],
    store: Annotated[TaskStore, Depends(deps.task_store)],
    _caller: Annotated[Principal, Depends(allow(SET_SUPPORT_LEVELS))],
) -> SupportLevelsPreview:
    proposed = ThresholdValues(
        escalate_negative_min=request.escalate_negative_min,
        priority_negative_min=request.priority_negative_min,
    )
    preview = logic.preview_support_levels(
        proposed, request.created_from, request.created_to, MAX_PREVIEW_TASKS, store
    )
    return SupportLevelsPreview.model_validate(preview)
