"""The domain's records, shared by logic, data access and the HTTP layer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

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


def check_threshold_order(escalate_negative_min: float, priority_negative_min: float) -> None:
    """Raises ValueError when the priority threshold is above the escalate threshold."""
    if priority_negative_min > escalate_negative_min:
        raise ValueError("the priority threshold must not exceed the escalate threshold")


class ThresholdValues(Frozen):
    """Support-level thresholds on the negative-class probability."""

    escalate_negative_min: Probability
    priority_negative_min: Probability

    @model_validator(mode="after")
    def _priority_not_above_escalate(self) -> ThresholdValues:
        check_threshold_order(self.escalate_negative_min, self.priority_negative_min)
        return self


class Thresholds(ThresholdValues):
    """Support-level thresholds as versioned config: decisions name the version."""

    version: int = Field(ge=1)


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


class Review(Frozen):
    """A supervisor's judgement of a task's label, stored beside the decision (never over
    it). Every review is kept; the latest one gives the task its effective label."""

    task_id: str
    label: Label
    model_label: Label = Field(description="The model's label for the task, for comparison.")
    note: str | None = None
    reviewer: str
    reviewed_at: datetime
    revision: int = Field(ge=2, description="The task revision this review produced.")

    @property
    def correction(self) -> bool:
        """True when the supervisor disagreed with the model."""
        return self.label != self.model_label


class Task(Frozen):
    """A customer request, its lifecycle, the decision made when it arrived and the latest
    review of that decision."""

    id: str
    text: str
    account_id: str
    category: str
    channel: str
    product: str | None = None
    status: TaskStatus
    assignee: str | None = None
    reply_note: str | None = None
    created_at: datetime
    updated_at: datetime
    revision: int = Field(ge=1, description="Increments on every change.")
    decision: Decision
    review: Review | None = None
    account_at_risk: bool = Field(
        default=False, description="Whether the account was at risk when the task arrived."
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def effective_label(self) -> Label:
        """The latest review's label, else the model's: what the task's sentiment is."""
        return self.review.label if self.review else self.decision.label

    @computed_field  # type: ignore[prop-decorator]
    @property
    def reviewed(self) -> bool:
        return self.review is not None


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


class ReviewedExample(Frozen):
    """A reviewed task as a labelled text: `label` is its latest review's (the effective
    label), `model_label` what the model that decided it said."""

    task_id: str
    text: str
    label: Label
    model_label: Label
    model_version: str
    reviewed_at: datetime

    @property
    def correction(self) -> bool:
        return self.label != self.model_label


class TaskFilter(Frozen):
    status: TaskStatus | None = None
    support_level: SupportLevel | None = None
    label: Label | None = Field(default=None, description="The effective label.")
    model_label: Label | None = Field(default=None, description="The model's own label.")
    category: str | None = None
    account_id: str | None = None
    reviewed: bool | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    order: TaskOrder = "newest"


class TaskPage(Frozen):
    items: list[Task]
    next_cursor: str | None = None


class ReviewQueueFilter(Frozen):
    """Which unreviewed tasks the review queue shows; all filters combine."""

    category: str | None = None
    product: str | None = None
    label: Label | None = None
    model_version: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None


class ReviewCounts(Frozen):
    """Reviewed tasks counted by model label and reviewed label (each task once, by its
    latest review), for one scope: everything, a category, a model version or a week."""

    scope: Literal["all", "category", "model_version", "week"]
    key: str
    cells: dict[Label, dict[Label, int]]


class LevelSnapshot(Frozen):
    """What a threshold preview needs of one task: its probabilities and stored level."""

    task_id: str
    category: str
    created_at: datetime
    probabilities: Probabilities
    support_level: SupportLevel


class ChangeRecord(Frozen):
    """Who set a version of some config, when and why."""

    updated_at: datetime
    updated_by: str
    reason: str


class ThresholdsRecord(ChangeRecord):
    """A version of the support-level thresholds with who set it, when and why."""

    thresholds: Thresholds


class SignedUpload(Frozen):
    """A presigned S3 POST: the URL and the form fields that must precede the file."""

    url: str
    fields: dict[str, str]
