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
    summary="Build a dataset from the active model's data and supervisors' corrections",
    description=(
        "Refused with 409 `no_reviews` until supervisors' corrected decisions are stored."
    ),
    tags=["datasets"],
    responses=documented(
        201, Dataset, "The dataset, training started", 400, 401, 403, 409, 413, 415, 422, 503
    ),
    **secured(UPLOAD_DATASET),
)
def handle_create_dataset_from_reviews(
    _request: Annotated[FromReviewsRequest, Body()],
    _caller: Annotated[Principal, Depends(allow(UPLOAD_DATASET))],
) -> Dataset:
    logic.create_dataset_from_reviews()
