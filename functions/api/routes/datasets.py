"""POST /v1/datasets/uploads: a supervisor asks where to upload a train/test CSV."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Body

from functions.api import deps
from functions.api.auth import UPLOAD_DATASET, Principal, allow, secured
from functions.api.data.uploads import DatasetUploads
from functions.api.http_errors import documented
from functions.api.logic.datasets import start_dataset_upload
from functions.api.schemas import DatasetUpload, DatasetUploadRequest

router = Router()  # type: ignore[no-untyped-call]
logger = Logger(child=True)


@router.post(
    "/datasets/uploads",
    summary="Get a presigned upload for a dataset CSV",
    description=(
        "Answers with a presigned S3 POST under `datasets/<id>/`: CSV only, 1 byte up to "
        "the declared size (at most 50 MiB), valid for 300 seconds. The file goes straight "
        "to S3, never through the API."
    ),
    tags=["datasets"],
    responses=documented(
        201, DatasetUpload, "Where and how to upload the file", 400, 401, 403, 413, 415, 422
    ),
    **secured(UPLOAD_DATASET),
)
def handle_create_dataset_upload(
    request: Annotated[DatasetUploadRequest, Body()],
    _caller: Annotated[Principal, Depends(allow(UPLOAD_DATASET))],
    uploads: Annotated[DatasetUploads, Depends(deps.dataset_uploads)],
) -> Response[DatasetUpload]:
    plan = start_dataset_upload(
        request.filename, request.content_type, request.size_bytes, signer=uploads
    )
    logger.info(
        "dataset upload signed", extra={"dataset_id": plan.dataset_id, "size": plan.max_bytes}
    )
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=DatasetUpload(
            dataset_id=plan.dataset_id,
            key=plan.key,
            url=plan.upload.url,
            fields=plan.upload.fields,
            expires_in_seconds=plan.expires_in_seconds,
            max_bytes=plan.max_bytes,
        ),
    )
