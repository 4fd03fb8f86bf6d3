"""/v1/training-runs: training runs while they run and after, newest first."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from functions.api import deps
from functions.api.auth import READ_TRAINING_RUNS, Principal, allow, secured
from functions.api.http_errors import documented
from functions.api.logic import training_runs as logic
from functions.api.schemas import DatasetId, RunId, TrainingRun, TrainingRunList
from functions.shared.training_store import TrainingStore

router = Router()  # type: ignore[no-untyped-call]


@router.get(
    "/training-runs",
    summary="List training runs, newest first",
    description="With `dataset_id`, that dataset's runs only (all of them, on one page).",
    tags=["training"],
    responses=documented(200, TrainingRunList, "One page of runs", 401, 403, 404, 422, 503),
    **secured(READ_TRAINING_RUNS),
)
def handle_list_training_runs(
    store: Annotated[TrainingStore, Depends(deps.training_store)],
    _caller: Annotated[Principal, Depends(allow(READ_TRAINING_RUNS))],
    dataset_id: Annotated[DatasetId | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    cursor: Annotated[RunId | None, Query()] = None,
) -> TrainingRunList:
    runs, next_cursor = logic.list_runs(dataset_id, limit, cursor, store)
    return TrainingRunList(
        items=[TrainingRun.model_validate(run) for run in runs], next_cursor=next_cursor
    )


@router.get(
    "/training-runs/<run_id>",
    summary="Read a training run",
    description=(
        "Status, the current stage with its progress, stage timings, the validation "
        "report, the gate result with every reason, and the model version once one exists."
    ),
    tags=["training"],
    responses=documented(200, TrainingRun, "The run", 401, 403, 404, 422, 503),
    **secured(READ_TRAINING_RUNS),
)
def handle_get_training_run(
    run_id: Annotated[RunId, Path()],
    store: Annotated[TrainingStore, Depends(deps.training_store)],
    _caller: Annotated[Principal, Depends(allow(READ_TRAINING_RUNS))],
) -> TrainingRun:
    return TrainingRun.model_validate(logic.get_run(run_id, store))
