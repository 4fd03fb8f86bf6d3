"""/v1/datasets: supervisors declare a dataset, upload its files straight to S3, and follow
it; training starts by itself once every file has arrived."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from functions.api import deps
from functions.api.auth import READ_DATASETS, UPLOAD_DATASET, Principal, allow, secured
from functions.api.data.evaluations import TrainingData
from functions.api.data.task_store import TaskStore
from functions.api.data.uploads import DatasetUploads
from functions.api.http_errors import documented
from functions.api.logic import datasets as logic
from functions.api.schemas import (
    CreateDatasetRequest,
    Dataset,
    DatasetCreated,
    DatasetId,
    DatasetList,
    FileUpload,
    FromReviewsRequest,
    RunSummary,
)
from functions.shared import lifecycle
from functions.shared.clock import utc_now
from functions.shared.registry import Registry
from functions.shared.training_store import TrainingStore

router = Router()  # type: ignore[no-untyped-call]
logger = Logger(child=True)


def dataset_view(dataset: lifecycle.Dataset, runs: list[lifecycle.TrainingRun]) -> Dataset:
    status, detail = logic.describe_status(dataset, utc_now())
    return Dataset.model_validate(
        dataset.model_dump()
        | {
            "status": status,
            "status_detail": detail,
            "runs": [RunSummary.model_validate(run) for run in runs],
        }
    )


@router.post(
    "/datasets",
    summary="Declare a dataset and get a presigned upload per file",
    description=(
        "Records the dataset and answers with one presigned S3 POST per file under "
        "`datasets/<dataset_id>/`: CSV only, 1 byte up to the declared size (at most "
        "50 MiB), valid for 300 seconds. Files go straight to S3, never through the API. "
        "When every declared file has arrived, a training run starts by itself; a dataset "
        "whose files do not all arrive expires."
    ),
    tags=["datasets"],
    responses=documented(
        201,
        DatasetCreated,
        "The dataset and where to upload each file",
        400,
        401,
        403,
        413,
        415,
        422,
        503,
    ),
    **secured(UPLOAD_DATASET),
)
def handle_create_dataset(
    request: Annotated[CreateDatasetRequest, Body()],
    caller: Annotated[Principal, Depends(allow(UPLOAD_DATASET))],
    uploads: Annotated[DatasetUploads, Depends(deps.dataset_uploads)],
    store: Annotated[TrainingStore, Depends(deps.training_store)],
) -> Response[DatasetCreated]:
    dataset, signed = logic.create_dataset(
        request.name,
        request.text_column,
        request.label_column,
        [logic.DeclaredFile(f.role, f.filename, f.size_bytes) for f in request.files],
        caller.key,
        signer=uploads,
        repository=store,
    )
    logger.info(
        "dataset declared",
        extra={"dataset_id": dataset.dataset_id, "roles": [f.role for f in dataset.files]},
    )
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=DatasetCreated(
            dataset_id=dataset.dataset_id,
            dataset=dataset_view(dataset, []),
            uploads=[
                FileUpload(
                    role=u.role,
                    key=u.key,
                    url=u.upload.url,
                    fields=u.upload.fields,
                    expires_in_seconds=u.expires_in_seconds,
                )
                for u in signed
            ],
        ),
        headers={"Location": f"/v1/datasets/{dataset.dataset_id}"},
    )


@router.get(
    "/datasets",
    summary="List datasets, newest first",
    description="Each dataset with its files, fingerprint and runs.",
    tags=["datasets"],
    responses=documented(200, DatasetList, "One page of datasets", 401, 403, 422, 503),
    **secured(READ_DATASETS),
)
def handle_list_datasets(
    store: Annotated[TrainingStore, Depends(deps.training_store)],
    _caller: Annotated[Principal, Depends(allow(READ_DATASETS))],
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    cursor: Annotated[DatasetId | None, Query()] = None,
) -> DatasetList:
    page, next_cursor = store.datasets(limit, cursor)
    runs = store.runs_by_id([run_id for d in page for run_id in d.run_ids])
    return DatasetList(
        items=[dataset_view(d, [r for r in runs if r.dataset_id == d.dataset_id]) for d in page],
        next_cursor=next_cursor,
    )


@router.get(
    "/datasets/<dataset_id>",
    summary="Read a dataset",
    description="Its files and when each arrived, its fingerprint once validated, its runs.",
    tags=["datasets"],
    responses=documented(200, Dataset, "The dataset", 401, 403, 404, 422, 503),
    **secured(READ_DATASETS),
)
def handle_get_dataset(
    dataset_id: Annotated[DatasetId, Path()],
    store: Annotated[TrainingStore, Depends(deps.training_store)],
    _caller: Annotated[Principal, Depends(allow(READ_DATASETS))],
) -> Dataset:
    dataset, runs = logic.get_dataset(dataset_id, store)
    return dataset_view(dataset, runs)


@router.post(
    "/datasets/from-reviews",
    summary="Build a dataset from the active model's data and supervisors' reviews",
    description=(
        "Builds a dataset from the active model's training data (stored beside its files) "
        "and every supervisor-reviewed decision: a review's label wins over the data's (a "
        "correction changes it, a confirmation keeps the reviewed label), and each "
        "reviewed text the data lacks is added (a fifth of them, by hash of the text, to "
        "the test split; the data's rows keep their split). The dataset is stored with "
        "what it was made of (`derived_from`: the model version, the reviews, the "
        "sha256), and its files are written under `datasets/<dataset_id>/`, where their "
        "arrival starts training as an upload's does: follow it in "
        "`GET /v1/training-runs?dataset_id=`. Refused with 409 `no_reviews` while no "
        "decision has been reviewed, and 409 `training_data_unavailable` when no model "
        "is active or the active model's training data was not stored with it."
    ),
    tags=["datasets"],
    responses=documented(
        201,
        Dataset,
        "The dataset; training starts by itself",
        400,
        401,
        403,
        409,
        413,
        415,
        422,
        503,
    ),
    **secured(UPLOAD_DATASET),
)
def handle_create_dataset_from_reviews(  # noqa: PLR0917  # powertools passes parameters by name
    request: Annotated[FromReviewsRequest, Body()],
    caller: Annotated[Principal, Depends(allow(UPLOAD_DATASET))],
    store: Annotated[TrainingStore, Depends(deps.training_store)],
    tasks: Annotated[TaskStore, Depends(deps.task_store)],
    registry: Annotated[Registry, Depends(deps.registry)],
    training_data: Annotated[TrainingData, Depends(deps.training_data)],
    uploads: Annotated[DatasetUploads, Depends(deps.dataset_uploads)],
) -> Response[Dataset]:
    dataset = logic.create_dataset_from_reviews(
        request.name,
        caller.key,
        reviews=tasks,
        registry=registry,
        training_data=training_data,
        files=uploads,
        repository=store,
    )
    logger.info(
        "dataset built from reviews",
        extra={
            "dataset_id": dataset.dataset_id,
            "derived_from": dataset.derived_from.model_dump() if dataset.derived_from else None,
        },
    )
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=dataset_view(dataset, []),
        headers={"Location": f"/v1/datasets/{dataset.dataset_id}"},
    )
