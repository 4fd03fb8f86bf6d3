"""Request and response bodies of the HTTP API. Bodies refuse unknown fields."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from functions.api.logic.datasets import MAX_DATASET_BYTES
from functions.api.logic.models import (
    Decision,
    DecisionMetadata,
    Label,
    Probabilities,
    SupportLevel,
    Task,
    TaskStatus,
    TermWeight,
)
from functions.scoring.features import MAX_TEXT_CHARS

MAX_BATCH_TEXTS = 100
# Allows 100 texts of 5,000 characters even when every character takes 3 bytes in UTF-8.
MAX_BODY_BYTES = 3 * 1024 * 1024

AccountId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.@:+-]+$")]
Category = Annotated[str, Field(min_length=1, max_length=64)]
Channel = Annotated[str, Field(min_length=1, max_length=32)]
TaskId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


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


__all__ = ["Decision", "Task"]
