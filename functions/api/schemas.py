"""Request and response bodies of the HTTP API: the wire contract, hence `openapi.json`.

They are declared apart from the stored records of `functions.shared.models`, so a field
added to a stored record reaches the spec only when a body here declares it. Request
bodies refuse unknown fields; response bodies are built from stored records and take the
fields they declare.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from functions.api.logic.datasets import MAX_DATASET_BYTES
from functions.scoring.features import MAX_TEXT_CHARS
from functions.shared.models import Label, SupportLevel, TaskStatus

MAX_BATCH_TEXTS = 100
# Allows 100 texts of 5,000 characters even when every character takes 3 bytes in UTF-8.
MAX_BODY_BYTES = 3 * 1024 * 1024

AccountId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.@:+-]+$")]
Category = Annotated[str, Field(min_length=1, max_length=64)]
Channel = Annotated[str, Field(min_length=1, max_length=32)]
TaskId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]


Probability = Annotated[float, Field(ge=0.0, le=1.0)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class View(BaseModel):
    """A response body, built from a stored record with `View.model_validate(record)`."""

    model_config = ConfigDict(from_attributes=True)


class Probabilities(View):
    negative: Probability
    neutral: Probability
    positive: Probability


class TermWeight(View):
    """A word or phrase of the text and how far it pushed the decision toward its label."""

    term: str
    weight: float


class Decision(View):
    """What the model decided about one text and why; a review never changes it."""

    label: Label
    probabilities: Probabilities
    confidence: Probability
    top_terms: list[TermWeight]
    support_level: SupportLevel
    model_version: str
    thresholds_version: int
    input_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    decided_at: datetime


class Task(View):
    """A customer request, its lifecycle and the decision made when it arrived."""

    id: str
    text: str
    account_id: str
    category: str
    channel: str
    product: str | None = None
    status: TaskStatus
    assignee: str | None = None
    reply_note: str | None = None
    reviewed: bool = False
    created_at: datetime
    updated_at: datetime
    revision: int = Field(ge=1, description="Increments on every change.")
    decision: Decision


class DecisionMetadata(Body):
    """Where a scored text came from, recorded with a stored decision."""

    account_id: str = Field(min_length=1, max_length=128)
    category: str = Field(min_length=1, max_length=64)
    channel: str = Field(default="api", min_length=1, max_length=32)
    external_id: str | None = Field(default=None, min_length=1, max_length=128)


class ErrorDetail(BaseModel):
    code: str = Field(description="Machine-readable error code, e.g. `validation_error`.")
    message: str = Field(description="What went wrong, for a person.")
    details: list[dict[str, Any]] | None = Field(
        default=None, description="Per-field problems for validation errors (no input values)."
    )


class ErrorResponse(BaseModel):
    """The one shape of every 4xx and 5xx response."""

    error: ErrorDetail


class SentimentRequest(Body):
    texts: list[str] = Field(
        min_length=1,
        max_length=MAX_BATCH_TEXTS,
        description=(
            f"1 to {MAX_BATCH_TEXTS} texts of at most {MAX_TEXT_CHARS} characters each. "
            "A blank or over-long text is reported in `errors` without failing the others."
        ),
    )
    store: StrictBool = Field(
        default=False, description="Record each scored text as a decision (needs `metadata`)."
    )
    metadata: DecisionMetadata | None = None

    @model_validator(mode="after")
    def _metadata_when_storing(self) -> SentimentRequest:
        if self.store and self.metadata is None:
            raise ValueError("metadata (account_id, category) is required when store is true")
        return self


class SentimentResult(BaseModel):
    index: int = Field(description="Position of the text in the request.")
    label: Label
    probabilities: Probabilities
    confidence: float
    top_terms: list[TermWeight]
    support_level: SupportLevel
    model_version: str
    thresholds_version: int
    decision_id: str | None = Field(default=None, description="Set when the decision was stored.")


class ItemError(BaseModel):
    index: int
    code: str = Field(description="`empty_text` or `text_too_long`.")
    message: str


class SentimentResponse(BaseModel):
    model_version: str
    thresholds_version: int
    results: list[SentimentResult]
    errors: list[ItemError]


class CreateTaskRequest(Body):
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    account_id: AccountId | None = Field(
        default=None,
        description="The account the request comes from. A customer may leave it out: it "
        "is then their own; every other caller must give it.",
    )
    category: Category
    channel: Channel
    product: Annotated[str, Field(min_length=1, max_length=64)] | None = None


class UpdateTaskRequest(Body):
    status: TaskStatus | None = Field(
        default=None,
        description="open -> in_progress | resolved; in_progress -> open | resolved; "
        "resolved -> open.",
    )
    assignee: Annotated[str, Field(min_length=1, max_length=128)] | None = Field(
        default=None, description="null unassigns."
    )
    reply_note: Annotated[str, Field(max_length=MAX_TEXT_CHARS)] | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> UpdateTaskRequest:
        if not self.model_fields_set:
            raise ValueError("give at least one of status, assignee, reply_note")
        if "status" in self.model_fields_set and self.status is None:
            raise ValueError("status cannot be null")
        return self


class TaskList(BaseModel):
    items: list[Task]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` for the next page; absent on the last."
    )


class HealthCheck(BaseModel):
    status: str = Field(description="`ok` or `degraded`.")
    model_loaded: bool
    model_version: str | None
    store_reachable: bool


class ModelInfo(BaseModel):
    version: str
    activated_at: str | None
    card: dict[str, Any]


class DatasetUploadRequest(Body):
    filename: str = Field(
        min_length=1,
        max_length=255,
        description="The file's name; stored with anything but letters, digits, `.`, `_` "
        "and `-` replaced.",
    )
    content_type: Literal["text/csv"] = Field(description="Only CSV files are accepted.")
    size_bytes: int = Field(
        ge=1,
        le=MAX_DATASET_BYTES,
        description=f"The file's exact size; at most {MAX_DATASET_BYTES} bytes (50 MiB).",
    )


class DatasetUpload(BaseModel):
    """A presigned S3 POST: send the file as multipart/form-data to `url` with every entry
    of `fields` before the `file` field, within `expires_in_seconds`."""

    dataset_id: str
    key: str = Field(description="Where the file will be stored in the datasets bucket.")
    url: str
    fields: dict[str, str]
    expires_in_seconds: int
    max_bytes: int
