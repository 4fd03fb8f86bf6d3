"""Records of the retraining loop, shared by the API and the training function: datasets and
their files, training runs and their stages, model versions in the registry, and the
active-model pointer's moves."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

FileRole = Literal["train", "test"]
DatasetSource = Literal["upload", "reviews"]
DatasetStatus = Literal["awaiting_files", "complete", "expired"]
RunStatus = Literal[
    "queued", "validating", "training", "evaluating", "succeeded", "rejected", "failed"
]
StageName = Literal["validate", "train", "export", "parity", "evaluate", "gate", "register"]
VersionStatus = Literal["active", "candidate", "rejected", "retired"]
PointerMove = Literal["install", "gate", "promote", "rollback"]

FINISHED_RUN_STATUSES: frozenset[RunStatus] = frozenset({"succeeded", "rejected", "failed"})
# Uploads are signed for five minutes; a file that started before then may still be
# arriving, so a dataset expires only after this much longer.
ARRIVAL_GRACE = timedelta(minutes=10)


class Record(BaseModel):
    model_config = ConfigDict(extra="ignore")


class DatasetFile(Record):
    role: FileRole
    filename: str
    key: str
    size_bytes: int
    arrived_at: datetime | None = None


class ReviewDerivation(Record):
    """What a dataset built from reviews (source `reviews`) was made of: the active model's
    training data and supervisors' reviews, the review's label winning over the data's."""

    model_version: str = Field(description="The active model whose training data it starts from.")
    reviews: int = Field(
        description="Reviewed decisions used: each reviewed task once, by its latest review."
    )
    corrections: int = Field(description="Of those, reviews that changed the model's label.")
    confirmations: int = Field(description="Of those, reviews that kept the model's label.")
    base_rows: int = Field(description="Rows of the model's training data.")
    relabelled_rows: int = Field(description="Rows of that data whose label a review changed.")
    added_rows: int = Field(description="Reviewed texts that were not in that data.")
    train_rows: int
    test_rows: int
    sha256: str = Field(description="The dataset's sha256, as its models' lineage names it.")


class Dataset(Record):
    """A supervisor's train (and optional test) files under ``datasets/<id>/``."""

    dataset_id: str
    name: str
    source: DatasetSource = "upload"
    text_column: str
    label_column: str
    files: list[DatasetFile]
    created_at: datetime
    created_by: str
    uploads_expire_at: datetime
    run_ids: list[str] = Field(default_factory=list)
    fingerprint: dict[str, Any] | None = None
    derived_from: ReviewDerivation | None = None

    def file(self, role: str) -> DatasetFile | None:
        return next((f for f in self.files if f.role == role), None)

    @property
    def missing(self) -> list[FileRole]:
        return [f.role for f in self.files if f.arrived_at is None]

    def status(self, now: datetime) -> DatasetStatus:
        """`complete` once every declared file has arrived; `expired` when one is still
        missing after the uploads expired (plus ARRIVAL_GRACE); else `awaiting_files`."""
        if not self.missing:
            return "complete"
        if now > self.uploads_expire_at + ARRIVAL_GRACE:
            return "expired"
        return "awaiting_files"


class StageTiming(Record):
    name: StageName
    started_at: datetime
    finished_at: datetime | None = None


class GateCheck(Record):
    """One rule of the gate and how the candidate fared on it."""

    name: str
    passed: bool
    detail: str


class GateResult(Record):
    passed: bool
    checks: list[GateCheck]
    # How the comparison was made: what the active model had seen of the test split and
    # what it was measured as.
    notes: list[str] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def reasons(self) -> list[str]:
        """The detail of every check that failed."""
        return [check.detail for check in self.checks if not check.passed]


class TrainingRun(Record):
    run_id: str
    dataset_id: str
    status: RunStatus
    stage: StageName | None = None
    progress: float = Field(default=0.0, ge=0.0, le=1.0)
    stages: list[StageTiming] = Field(default_factory=list)
    created_at: datetime
    started_by: str
    finished_at: datetime | None = None
    attempts: int = 0
    validation_report: dict[str, Any] | None = None
    gate: GateResult | None = None
    model_version: str | None = None
    parent_version: str | None = None
    error: str | None = None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_RUN_STATUSES


class Lineage(Record):
    """Where a model version came from."""

    dataset_id: str | None = None
    dataset_sha256: str | None = None
    parent_version: str | None = None
    run_id: str | None = None
    started_by: str | None = None


class Activation(Record):
    """One move of the active-model pointer: who, when, why, from which version to which."""

    kind: PointerMove
    from_version: str | None
    to_version: str
    by: str
    at: datetime
    reason: str
    override: bool = False


class ModelVersion(Record):
    """A registry entry: the card lives beside its files, the figures and lineage here."""

    version: str
    status: VersionStatus
    s3_prefix: str
    registered_at: datetime
    metrics: dict[str, Any]
    parameters: dict[str, Any] = Field(default_factory=dict)
    card: dict[str, Any]
    lineage: Lineage = Field(default_factory=Lineage)
    gate: GateResult | None = None
    activations: list[Activation] = Field(default_factory=list)


class Pointer(Record):
    """The active-model pointer. `sequence` counts its moves, so a conditional write can
    tell "still at B" from "moved to A and back to B"."""

    version: str
    previous_version: str | None = None
    sequence: int = 0
    activated_at: datetime
    activated_by: str = "system"
    reason: str = ""


def headline_metrics(metrics: dict[str, Any]) -> dict[str, Any]:
    """Accuracy, macro-F1 and negative-class recall of a card's metrics."""
    negative = metrics.get("per_class", {}).get("negative", {})
    return {
        "accuracy": metrics.get("accuracy"),
        "macro_f1": metrics.get("macro_f1"),
        "negative_recall": negative.get("recall"),
    }


def dataset_sha256(file_hashes: Mapping[str, str]) -> str | None:
    """One hash for a dataset's files (name -> sha256): a single file's own hash, else the
    sha256 of the files' hashes in name order. None when there are no files."""
    if not file_hashes:
        return None
    if len(file_hashes) == 1:
        return next(iter(file_hashes.values()))
    joined = "\n".join(f"{name}:{file_hashes[name]}" for name in sorted(file_hashes))
    return hashlib.sha256(joined.encode()).hexdigest()
