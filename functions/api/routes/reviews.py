"""Supervisors' reviews: the queue (riskiest first), a review of one task, a task's review
history, and agreement between model and supervisors with the override alarm."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.metrics import MetricUnit

from functions.api import deps
from functions.api.auth import READ_REVIEWS, REVIEW_DECISIONS, Principal, allow, secured
from functions.api.data.serving import ModelRegistry
from functions.api.data.task_store import TaskStore
from functions.api.etags import IfMatch, expected_revision, with_etag
from functions.api.http_errors import documented
from functions.api.logic import reviews as logic
from functions.api.logic.reviews import OverridePolicy
from functions.api.schemas import (
    Category,
    DateTime,
    Review,
    ReviewList,
    ReviewQueue,
    ReviewQueueItem,
    ReviewRequest,
    ReviewStats,
    Task,
    TaskId,
)
from functions.shared.models import Label, ReviewQueueFilter

router = Router()  # type: ignore[no-untyped-call]
logger = Logger(child=True)
metrics = Metrics()

Product = Annotated[str, Query(min_length=1, max_length=64)]


@router.get(
    "/reviews/queue",
    summary="Unreviewed decisions, riskiest first",
    description=(
        "Risk is the model's uncertainty (1 - the margin between its top two "
        "probabilities), weighted up by support level and by accounts already at risk. "
        "Filters combine, over one sparse index of unreviewed tasks; a page may hold fewer "
        "than `limit` items and still have a `next_cursor`."
    ),
    tags=["reviews"],
    responses=documented(200, ReviewQueue, "One page of the queue", 400, 401, 403, 422, 503),
    **secured(REVIEW_DECISIONS),
)
def handle_list_review_queue(  # noqa: PLR0917  # powertools passes query parameters by name
    store: Annotated[TaskStore, Depends(deps.task_store)],
    _caller: Annotated[Principal, Depends(allow(REVIEW_DECISIONS))],
    category: Annotated[Category | None, Query()] = None,
    product: Product | None = None,
    label: Annotated[Label | None, Query(description="The model's label.")] = None,
    model_version: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
    created_from: Annotated[DateTime | None, Query(description="RFC 3339, inclusive")] = None,
    created_to: Annotated[DateTime | None, Query(description="RFC 3339, inclusive")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    cursor: Annotated[str | None, Query(min_length=1, max_length=2048)] = None,
) -> ReviewQueue:
    queue_filter = ReviewQueueFilter(
        category=category,
        product=product,
        label=label,
        model_version=model_version,
        created_from=created_from,
        created_to=created_to,
    )
    entries, next_cursor = logic.review_queue(queue_filter, limit, cursor, store)
    return ReviewQueue(
        items=[
            ReviewQueueItem(task=Task.model_validate(e.task), margin=e.margin, risk=e.risk)
            for e in entries
        ],
        next_cursor=next_cursor,
    )


@router.post(
    "/tasks/<task_id>/review",
    summary="Confirm or correct the model's label",
    description=(
        "Needs `If-Match` with the task's ETag: 428 without it, 412 when the task changed "
        "since, unless its latest review already gives this label (the same review: 200, "
        "nothing written). A new review answers 201. The model's decision is never changed; "
        "the review is kept beside it with every earlier one."
    ),
    tags=["reviews"],
    responses=documented(
        201,
        Task,
        "Reviewed: the task, its new revision as the ETag",
        400,
        401,
        403,
        404,
        412,
        413,
        415,
        422,
        428,
        503,
    )
    | documented(200, Task, "The same review was already there; nothing written"),
    **secured(REVIEW_DECISIONS),
)
def handle_review_task(  # noqa: PLR0917  # powertools passes parameters by name
    task_id: Annotated[TaskId, Path()],
    request: Annotated[ReviewRequest, Body()],
    store: Annotated[TaskStore, Depends(deps.task_store)],
    models: Annotated[ModelRegistry, Depends(deps.model_registry)],
    policy: Annotated[OverridePolicy, Depends(deps.override_policy)],
    caller: Annotated[Principal, Depends(allow(REVIEW_DECISIONS))],
    if_match: IfMatch = None,
) -> Response[Task]:
    outcome = logic.review_task(
        task_id,
        request.label,
        note=request.note,
        reviewer=caller.subject,
        expected_revision=expected_revision(if_match),
        repository=store,
    )
    task = outcome.task
    if outcome.recorded and task.review is not None:
        metrics.add_metric(name="TaskReviews", unit=MetricUnit.Count, value=1)
        metrics.add_metric(
            name="ReviewCorrections", unit=MetricUnit.Count, value=int(task.review.correction)
        )
        alarm = logic.override_alarm(models, policy, store)
        if alarm is not None:
            metrics.add_metric(
                name="RetrainingSuggested",
                unit=MetricUnit.Count,
                value=int(alarm.retraining_suggested),
            )
        logger.info(
            "task reviewed",
            extra={
                "task_id": task_id,
                "revision": task.revision,
                "correction": task.review.correction,
            },
        )
    return with_etag(Task.model_validate(task), task.revision, 201 if outcome.recorded else 200)


@router.get(
    "/tasks/<task_id>/reviews",
    summary="A task's review history",
    description="Every review, oldest first; the model's decision is on the task itself.",
    tags=["reviews"],
    responses=documented(200, ReviewList, "The reviews", 401, 403, 404, 422, 503),
    **secured(READ_REVIEWS),
)
def handle_list_task_reviews(
    task_id: Annotated[TaskId, Path()],
    store: Annotated[TaskStore, Depends(deps.task_store)],
    _caller: Annotated[Principal, Depends(allow(READ_REVIEWS))],
) -> ReviewList:
    reviews = logic.review_history(task_id, store)
    return ReviewList(items=[Review.model_validate(review) for review in reviews])


@router.get(
    "/reviews/stats",
    summary="Agreement between model and supervisors, and the override alarm",
    description=(
        "Read from counters kept at review time (each reviewed task counted once, by its "
        "latest review), never by reading reviews back. The alarm counts the last reviews "
        "of the active model's decisions."
    ),
    tags=["reviews"],
    responses=documented(200, ReviewStats, "Agreement and the alarm", 401, 403, 503),
    **secured(REVIEW_DECISIONS),
)
def handle_get_review_stats(
    store: Annotated[TaskStore, Depends(deps.task_store)],
    models: Annotated[ModelRegistry, Depends(deps.model_registry)],
    policy: Annotated[OverridePolicy, Depends(deps.override_policy)],
    _caller: Annotated[Principal, Depends(allow(REVIEW_DECISIONS))],
) -> ReviewStats:
    return ReviewStats.model_validate(logic.review_stats(store, models, policy))
