"""The domain's records, shared by logic, data access and the HTTP layer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Label = Literal["negative", "neutral", "positive"]
SupportLevel = Literal["escalate", "priority", "standard"]
TaskStatus = Literal["open", "in_progress", "resolved"]
TaskOrder = Literal["newest", "support_level"]

# Most urgent first; used to order queues by support level.
SUPPORT_LEVEL_RANK: dict[SupportLevel, int] = {"escalate": 2, "priority": 1, "standard": 0}

Probability = Annotated[float, Field(ge=0.0, le=1.0)]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Probabilities(Frozen):
    negative: Probability
    neutral: Probability
    positive: Probability


class TermWeight(Frozen):
    """A word or phrase of the text and how far it pushed the decision toward its label."""

    term: str
    weight: float


class Thresholds(Frozen):
    """Support-level thresholds on the negative-class probability; versioned config."""

    version: int = Field(ge=1)
    escalate_negative_min: Probability
    priority_negative_min: Probability

    @model_validator(mode="after")
    def _priority_not_above_escalate(self) -> Thresholds:
        if self.priority_negative_min > self.escalate_negative_min:
            raise ValueError("the priority threshold must not exceed the escalate threshold")
        return self


class Decision(Frozen):
    """What the model decided about one text and why (design decision 4). Immutable:
    a supervisor's review is stored beside it, never over it."""

    label: Label
    probabilities: Probabilities
    confidence: Probability
    top_terms: list[TermWeight]
    support_level: SupportLevel
    model_version: str
    thresholds_version: int
    input_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    decided_at: datetime


class Task(Frozen):
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


class DecisionMetadata(Frozen):
    """Where a scored text came from, recorded with a stored decision."""

    account_id: str = Field(min_length=1, max_length=128)
    category: str = Field(min_length=1, max_length=64)
    channel: str = Field(default="api", min_length=1, max_length=32)
    external_id: str | None = Field(default=None, min_length=1, max_length=128)


class StoredDecision(Frozen):
    """A decision recorded by POST /v1/sentiment with store=true (no task attached)."""

    id: str
    text: str
    batch_index: int
    metadata: DecisionMetadata
    decision: Decision
    created_at: datetime


class NewTask(Frozen):
    text: str
    account_id: str
    category: str
    channel: str
    product: str | None = None


class TaskChanges(Frozen):
    """A partial update; `fields_set` tells an explicit null (clear) from absence."""

    status: TaskStatus | None = None
    assignee: str | None = None
    reply_note: str | None = None
    fields_set: frozenset[str] = frozenset()


class TaskFilter(Frozen):
    status: TaskStatus | None = None
    support_level: SupportLevel | None = None
    label: Label | None = None
    category: str | None = None
    account_id: str | None = None
    reviewed: bool | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    order: TaskOrder = "newest"


class TaskPage(Frozen):
    items: list[Task]
    next_cursor: str | None = None


class SignedUpload(Frozen):
    """A presigned S3 POST: the URL and the form fields that must precede the file."""

    url: str
    fields: dict[str, str]
