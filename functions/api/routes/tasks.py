"""/v1/tasks: create (scored on arrival, idempotent by header), list, read, update."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path, Query
from aws_lambda_powertools.metrics import MetricUnit

from functions.api import deps
from functions.api.auth import (
    CREATE_TASK,
    IMPORT_TASKS,
    READ_TASKS,
    UPDATE_TASK,
    Principal,
    allow,
    secured,
)
from functions.api.data.serving import ModelRegistry, ThresholdConfig
from functions.api.data.task_store import TaskStore
from functions.api.etags import IfMatch, etag, expected_revision, with_etag
from functions.api.http_errors import documented
from functions.api.idempotency import run_once
from functions.api.logic import imports
from functions.api.logic import tasks as logic
from functions.api.logic.ports import AccountRiskSource
from functions.api.schemas import (
    AccountId,
    Category,
    CreateTaskRequest,
    DateTime,
    ImportedTask,
    ImportItemError,
    ImportRequest,
    ImportResponse,
    Task,
    TaskId,
    TaskList,
    UpdateTaskRequest,
)
from functions.shared.models import (
    Label,
    NewTask,
    SupportLevel,
    TaskChanges,
    TaskFilter,
    TaskOrder,
    TaskStatus,
)

router = Router()  # type: ignore[no-untyped-call]
logger = Logger(child=True)
metrics = Metrics()

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Makes a retried create return the task the first attempt created.",
    ),
]

# Reported like any other missing field: only the caller decides whether it is required.
ACCOUNT_REQUIRED = {
    "loc": ("body", "account_id"),
    "type": "missing",
    "msg": "account_id is required unless a customer creates a task for their own account",
}


@router.post(
    "/tasks",
    summary="Create a task from a customer request",
    description=(
        "The text is scored on arrival; the task keeps its decision record. A customer "
        "creates tasks only for their own account (`account_id` is their user id, and "
        "may be left out); every other caller must give `account_id` (422 without it). "
        "An Idempotency-Key is scoped to the caller."
    ),
    tags=["tasks"],
    responses=documented(
        201, Task, "The task, with its decision record", 400, 401, 403, 409, 413, 415, 422, 503
    ),
    **secured(CREATE_TASK),
)
def handle_create_task(  # noqa: PLR0917  # powertools passes parameters by name
    request: Annotated[CreateTaskRequest, Body()],
    caller: Annotated[Principal, Depends(allow(CREATE_TASK))],
    models: Annotated[ModelRegistry, Depends(deps.model_registry)],
    thresholds: Annotated[ThresholdConfig, Depends(deps.threshold_config)],
    store: Annotated[TaskStore, Depends(deps.task_store)],
    accounts: Annotated[AccountRiskSource, Depends(deps.account_risk)],
    idempotency_key: IdempotencyKey = None,
) -> Response[Task]:
    account_id = logic.account_of_new_task(request.account_id, caller.confined_to_account)
    if account_id is None:
        raise RequestValidationError([ACCOUNT_REQUIRED])
    new = NewTask.model_validate(request.model_dump() | {"account_id": account_id})

    def create() -> dict[str, object]:
        task = logic.create_task(
            new,
            models=models,
            thresholds=thresholds,
            repository=store,
            accounts=accounts,
            confined_to=caller.confined_to_account,
        )
        metrics.add_metric(name="TasksCreated", unit=MetricUnit.Count, value=1)
        logger.info(
            "task created",
            extra={"task_id": task.id, "support_level": task.decision.support_level},
        )
        return task.model_dump(mode="json")

    if idempotency_key:
        # One caller's key never finds another caller's task.
        body = run_once(f"{caller.key}:{idempotency_key}", request.model_dump(), create)
    else:
        body = create()
    task = Task.model_validate(body)
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=task,
        headers={"Location": f"/v1/tasks/{task.id}", "ETag": etag(task.revision)},
    )


@router.get(
    "/tasks",
    summary="List tasks",
    description=(
        "Filters combine; each combination is answered by one index query (see "
        "docs/access-patterns.md). A page may hold fewer than `limit` tasks and still have "
        "a `next_cursor` when filters are sparse. A customer sees only their own tasks: "
        "without `account_id` the list is theirs; another account's is refused."
    ),
    tags=["tasks"],
    responses=documented(200, TaskList, "One page of tasks", 400, 401, 403, 422, 503),
    **secured(READ_TASKS),
)
def handle_list_tasks(  # noqa: PLR0917  # powertools passes query parameters by name
    store: Annotated[TaskStore, Depends(deps.task_store)],
    caller: Annotated[Principal, Depends(allow(READ_TASKS))],
    status: Annotated[TaskStatus | None, Query()] = None,
    support_level: Annotated[SupportLevel | None, Query()] = None,
    label: Annotated[
        Label | None, Query(description="The effective label: a review's, else the model's.")
    ] = None,
    model_label: Annotated[Label | None, Query(description="The model's own label.")] = None,
    category: Annotated[Category | None, Query()] = None,
    account_id: Annotated[AccountId | None, Query()] = None,
    reviewed: Annotated[bool | None, Query()] = None,
    created_from: Annotated[DateTime | None, Query(description="RFC 3339, inclusive")] = None,
    created_to: Annotated[DateTime | None, Query(description="RFC 3339, inclusive")] = None,
    order: Annotated[TaskOrder, Query()] = "newest",
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    cursor: Annotated[str | None, Query(min_length=1, max_length=2048)] = None,
) -> TaskList:
    task_filter = TaskFilter(
        status=status,
        support_level=support_level,
        label=label,
        model_label=model_label,
        category=category,
        account_id=account_id,
        reviewed=reviewed,
        created_from=created_from,
        created_to=created_to,
        order=order,
    )
    page = logic.list_tasks(
        task_filter,
        limit,
        cursor,
        store,
        reader=caller.key,
        confined_to=caller.confined_to_account,
    )
    return TaskList(
        items=[Task.model_validate(task) for task in page.items], next_cursor=page.next_cursor
    )


@router.get(
    "/tasks/<task_id>",
    summary="Read a task",
    description=(
        "A customer reads only their own tasks; any other is not found. The `ETag` header "
        "is the task's revision: send it as `If-Match` to change the task."
    ),
    tags=["tasks"],
    responses=documented(200, Task, "The task, its revision as the ETag", 401, 403, 404, 422, 503),
    **secured(READ_TASKS),
)
def handle_get_task(
    task_id: Annotated[TaskId, Path()],
    store: Annotated[TaskStore, Depends(deps.task_store)],
    caller: Annotated[Principal, Depends(allow(READ_TASKS))],
) -> Response[Task]:
    task = logic.get_task(task_id, store, caller.confined_to_account)
    return with_etag(Task.model_validate(task), task.revision)


@router.patch(
    "/tasks/<task_id>",
    summary="Update a task's status, assignee or reply note",
    description=(
        "Needs `If-Match` with the task's ETag, so an update never silently overwrites a "
        "newer one: 428 without it, 412 when the task changed since."
    ),
    tags=["tasks"],
    responses=documented(
        200, Task, "The updated task", 400, 401, 403, 404, 409, 412, 413, 415, 422, 428, 503
    ),
    **secured(UPDATE_TASK),
)
def handle_update_task(
    task_id: Annotated[TaskId, Path()],
    request: Annotated[UpdateTaskRequest, Body()],
    store: Annotated[TaskStore, Depends(deps.task_store)],
    _caller: Annotated[Principal, Depends(allow(UPDATE_TASK))],
    if_match: IfMatch = None,
) -> Response[Task]:
    changes = TaskChanges(
        **request.model_dump(exclude_unset=True), fields_set=frozenset(request.model_fields_set)
    )
    task = logic.update_task(task_id, changes, expected_revision(if_match), store)
    logger.info("task updated", extra={"task_id": task_id, "fields": sorted(changes.fields_set)})
    return with_etag(Task.model_validate(task), task.revision)


@router.post(
    "/tasks/import",
    summary="Import historical requests",
    description=(
        "Up to 100 earlier requests, each scored and stored like a new task but at its "
        "original `created_at`. An `external_id` imported before returns its task "
        "(`created: false`), so a retried import creates nothing twice. A text that cannot "
        "be scored is reported in `errors` without failing the others."
    ),
    tags=["tasks"],
    responses=documented(
        200, ImportResponse, "What was imported", 400, 401, 403, 413, 415, 422, 503
    ),
    **secured(IMPORT_TASKS),
)
def handle_import_tasks(
    request: Annotated[ImportRequest, Body()],
    _caller: Annotated[Principal, Depends(allow(IMPORT_TASKS))],
    models: Annotated[ModelRegistry, Depends(deps.model_registry)],
    thresholds: Annotated[ThresholdConfig, Depends(deps.threshold_config)],
    store: Annotated[TaskStore, Depends(deps.task_store)],
    accounts: Annotated[AccountRiskSource, Depends(deps.account_risk)],
) -> ImportResponse:
    outcome = imports.import_tasks(
        [
            imports.HistoricalRequest(
                external_id=item.external_id,
                created_at=item.created_at,
                task=NewTask.model_validate(item.model_dump(exclude={"external_id", "created_at"})),
            )
            for item in request.items
        ],
        models=models,
        thresholds=thresholds,
        repository=store,
        accounts=accounts,
    )
    created = sum(item.created for item in outcome.imported)
    metrics.add_metric(name="TasksImported", unit=MetricUnit.Count, value=created)
    logger.info(
        "tasks imported",
        extra={
            "tasks_created": created,
            "tasks_existing": len(outcome.imported) - created,
            "item_errors": len(outcome.errors),
        },
    )
    return ImportResponse(
        imported=[ImportedTask(**vars(item)) for item in outcome.imported],
        errors=[ImportItemError(**vars(error)) for error in outcome.errors],
    )
