"""Supervisors' datasets: a train file and an optional test file, each uploaded straight
from the browser to S3 through a short-lived presigned POST under ``datasets/<id>/``, or
a dataset built from the active model's training data and supervisors' reviews, written
there by the API. The training function notices each arrival and starts training once all
have arrived."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from functions.scoring.features import normalise
from functions.shared.clock import sortable_id, utc_now
from functions.shared.errors import DatasetNotFound, NoReviewsYet, TrainingDataUnavailable
from functions.shared.lifecycle import (
    Dataset,
    DatasetFile,
    FileRole,
    Pointer,
    ReviewDerivation,
    TrainingRun,
    dataset_sha256,
)
from functions.shared.models import ReviewedExample, SignedUpload
from functions.shared.training_data import Split, TrainingRow

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


class ReviewedSource(Protocol):
    def reviewed_examples(self) -> list[ReviewedExample]:
        """Every reviewed task as a labelled text, its latest review's label."""
        ...


class PointerSource(Protocol):
    def pointer(self) -> Pointer | None: ...


class TrainingDataSource(Protocol):
    def training_data(self, version: str) -> list[TrainingRow] | None:
        """The rows `version` was trained on, None when not stored."""
        ...


class DatasetFileWriter(Protocol):
    def put_file(self, key: str, body: bytes, content_type: str) -> None: ...


@dataclass(frozen=True)
class MergedData:
    """The active model's training rows with supervisors' reviews applied."""

    train: list[tuple[str, str]]
    test: list[tuple[str, str]]
    relabelled: int
    added: int


def latest_by_text(examples: Sequence[ReviewedExample]) -> dict[str, ReviewedExample]:
    """One review per text, as dataset intake tells texts apart (normalised): of tasks
    with the same text, the latest review counts."""
    latest: dict[str, ReviewedExample] = {}
    for example in sorted(examples, key=lambda e: (e.reviewed_at, e.task_id)):
        latest[normalise(example.text)] = example
    return latest


def review_split(key: str) -> Split:
    """Where a reviewed text that is not in the data goes: a fifth of them, chosen by the
    hash of the text, to the test split (the same text always to the same split)."""
    return "test" if int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % 5 == 0 else "train"


def merge_reviews(base: Sequence[TrainingRow], reviewed: dict[str, ReviewedExample]) -> MergedData:
    """Applies each review's label to the data's row with its text (the review wins, a
    correction or a confirmation alike); adds each reviewed text the data lacks to the
    split `review_split` names. Rows keep their split, so the candidate's test split is
    the active model's, corrected."""
    splits: dict[str, list[tuple[str, str]]] = {"train": [], "test": []}
    used: set[str] = set()
    relabelled = 0
    for row in base:
        key = normalise(row.text)
        label = row.label
        if key in reviewed:
            used.add(key)
            label = reviewed[key].label
            relabelled += label != row.label
        splits[row.split].append((row.text, label))
    added = 0
    for key, example in reviewed.items():
        if key not in used:
            splits[review_split(key)].append((example.text, example.label))
            added += 1
    return MergedData(splits["train"], splits["test"], relabelled, added)


def csv_file(rows: Sequence[tuple[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("text", "label"))
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def create_dataset_from_reviews(
    name: str,
    created_by: str,
    *,
    reviews: ReviewedSource,
    registry: PointerSource,
    training_data: TrainingDataSource,
    files: DatasetFileWriter,
    repository: DatasetRepository,
    make_id: Callable[[], str] = sortable_id,
    now: Callable[[], datetime] = utc_now,
) -> Dataset:
    """Builds a dataset from the active model's training data and every reviewed decision
    (`merge_reviews`), records it with what it was made of, and writes its train and test
    files under ``datasets/<id>/``: their arrival starts training as an upload's does.

    Raises NoReviewsYet when no decision has been reviewed, and TrainingDataUnavailable
    when no model is active or its training data was not stored with it.
    """
    examples = reviews.reviewed_examples()
    if not examples:
        raise NoReviewsYet(
            "no decision has been reviewed yet: a dataset from reviews needs at least one "
            "supervisor's review (POST /v1/tasks/{task_id}/review)"
        )
    pointer = registry.pointer()
    if pointer is None:
        raise TrainingDataUnavailable(
            "no model is active, so there is no training data to build on"
        )
    base = training_data.training_data(pointer.version)
    if base is None:
        raise TrainingDataUnavailable(
            f"the active model {pointer.version} has no training data stored with it, so a "
            "dataset from reviews cannot start from it; upload a dataset instead (a model "
            "trained from an upload keeps its data)"
        )
    merged = merge_reviews(base, latest_by_text(examples))
    bodies: dict[FileRole, bytes] = {
        "train": csv_file(merged.train),
        "test": csv_file(merged.test),
    }
    hashes = {f"{role}.csv": hashlib.sha256(body).hexdigest() for role, body in bodies.items()}
    corrections = sum(example.correction for example in examples)
    dataset_id = make_id()
    created_at = now()
    dataset = Dataset(
        dataset_id=dataset_id,
        name=name,
        source="reviews",
        text_column="text",
        label_column="label",
        files=[
            DatasetFile(
                role=role,
                filename=f"{role}.csv",
                key=file_key(dataset_id, role),
                size_bytes=len(body),
            )
            for role, body in bodies.items()
        ],
        created_at=created_at,
        created_by=created_by,
        uploads_expire_at=created_at + timedelta(seconds=UPLOAD_EXPIRY_SECONDS),
        derived_from=ReviewDerivation(
            model_version=pointer.version,
            reviews=len(examples),
            corrections=corrections,
            confirmations=len(examples) - corrections,
            base_rows=len(base),
            relabelled_rows=merged.relabelled,
            added_rows=merged.added,
            train_rows=len(merged.train),
            test_rows=len(merged.test),
            sha256=dataset_sha256(hashes) or "",
        ),
    )
    repository.create_dataset(dataset)
    for declared in dataset.files:
        files.put_file(declared.key, bodies[declared.role], CSV)
    return dataset


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
