"""Supervisors' datasets: a train file and an optional test file, each uploaded straight
from the browser to S3 through a short-lived presigned POST under ``datasets/<id>/``.
The training function notices each arrival and starts training once all have arrived."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn, Protocol

from functions.shared.clock import sortable_id, utc_now
from functions.shared.errors import DatasetNotFound, NoReviewsYet
from functions.shared.lifecycle import Dataset, DatasetFile, FileRole, TrainingRun
from functions.shared.models import SignedUpload

MAX_DATASET_BYTES = 50 * 1024 * 1024
UPLOAD_EXPIRY_SECONDS = 300
CSV = "text/csv"
DATASETS_PREFIX = "datasets"
_MAX_NAME = 100
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class UploadSigner(Protocol):
    def presign_upload(
        self, key: str, content_type: str, max_bytes: int, expires_in: int
    ) -> SignedUpload:
        """A POST that can store one object at `key`, of `content_type` and 1 to
        `max_bytes` bytes, for `expires_in` seconds."""
        ...


class DatasetRepository(Protocol):
    def create_dataset(self, dataset: Dataset) -> None: ...

    def dataset(self, dataset_id: str) -> Dataset | None: ...

    def datasets(self, limit: int, after: str | None) -> tuple[list[Dataset], str | None]: ...

    def runs_by_id(self, run_ids: Sequence[str]) -> list[TrainingRun]: ...


@dataclass(frozen=True)
class DeclaredFile:
    role: FileRole
    filename: str
    size_bytes: int


@dataclass(frozen=True)
class FileUpload:
    role: FileRole
    key: str
    upload: SignedUpload
    expires_in_seconds: int


def safe_filename(name: str) -> str:
    """`name` without any directory part, with only letters, digits, `.`, `_` and `-`, no
    leading dots, at most 100 characters; `dataset.csv` when nothing is left."""
    base = re.split(r"[\\/]", name)[-1]
    cleaned = _UNSAFE.sub("_", base).lstrip("._")[-_MAX_NAME:]
    return cleaned or "dataset.csv"


def file_key(dataset_id: str, role: FileRole) -> str:
    """Where a dataset's file of `role` is uploaded: the name the training function reads
    the role from, whatever the supervisor's file was called."""
    return f"{DATASETS_PREFIX}/{dataset_id}/{role}.csv"


def create_dataset(
    name: str,
    text_column: str,
    label_column: str,
    files: Sequence[DeclaredFile],
    created_by: str,
    *,
    signer: UploadSigner,
    repository: DatasetRepository,
    make_id: Callable[[], str] = sortable_id,
    now: Callable[[], datetime] = utc_now,
) -> tuple[Dataset, list[FileUpload]]:
    """Records a new dataset awaiting its files and signs one upload per file: CSV only,
    1 byte up to the declared size, valid for five minutes. Roles are checked at the edge
    (one train file, at most one test file)."""
    dataset_id = make_id()
    created_at = now()
    dataset = Dataset(
        dataset_id=dataset_id,
        name=name,
        text_column=text_column,
        label_column=label_column,
        files=[
            DatasetFile(
                role=f.role,
                filename=safe_filename(f.filename),
                key=file_key(dataset_id, f.role),
                size_bytes=f.size_bytes,
            )
            for f in files
        ],
        created_at=created_at,
        created_by=created_by,
        uploads_expire_at=created_at + timedelta(seconds=UPLOAD_EXPIRY_SECONDS),
    )
    repository.create_dataset(dataset)
    uploads = [
        FileUpload(
            role=f.role,
            key=f.key,
            upload=signer.presign_upload(f.key, CSV, f.size_bytes, UPLOAD_EXPIRY_SECONDS),
            expires_in_seconds=UPLOAD_EXPIRY_SECONDS,
        )
        for f in dataset.files
    ]
    return dataset, uploads


def get_dataset(
    dataset_id: str, repository: DatasetRepository
) -> tuple[Dataset, list[TrainingRun]]:
    """The dataset and its runs, newest first. Raises DatasetNotFound."""
    dataset = repository.dataset(dataset_id)
    if dataset is None:
        raise DatasetNotFound(f"no dataset {dataset_id}")
    return dataset, repository.runs_by_id(dataset.run_ids)


def create_dataset_from_reviews() -> NoReturn:
    """Supervisors' corrections are not stored yet, so there is nothing to build from."""
    raise NoReviewsYet(
        "no reviews exist yet: a dataset from reviews needs supervisors' corrected decisions"
    )


def describe_status(dataset: Dataset, now: datetime) -> tuple[str, str]:
    """The dataset's status at `now` and a sentence a supervisor can act on."""
    status = dataset.status(now)
    if status == "complete":
        return status, "every declared file arrived; training starts by itself"
    missing = " and ".join(dataset.missing)
    if status == "expired":
        return status, (
            f"expired: the {missing} file never arrived before the uploads expired at "
            f"{dataset.uploads_expire_at.isoformat(timespec='seconds')}; create a new dataset"
        )
    return status, f"waiting for the {missing} file"
