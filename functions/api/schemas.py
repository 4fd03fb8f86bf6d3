"""Request and response bodies of the HTTP API: the wire contract, hence `openapi.json`.

They are declared apart from the stored records of `functions.shared.models`, so a field
added to a stored record reaches the spec only when a body here declares it. Request
bodies refuse unknown fields; response bodies are built from stored records and take the
fields they declare.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal
from urllib.parse import unquote

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from functions.api.logic.datasets import MAX_DATASET_BYTES
from functions.scoring.features import MAX_TEXT_CHARS
from functions.shared.lifecycle import (
    DatasetSource,
    DatasetStatus,
    FileRole,
    PointerMove,
    ReviewDerivation,
    RunStatus,
    StageName,
    VersionStatus,
)
from functions.shared.models import Label, SupportLevel, TaskStatus, check_threshold_order
from functions.shared.risk import (
    MAX_STREAK_LENGTH,
    MAX_WINDOW_DAYS,
    MAX_WINDOW_NEGATIVES,
    FollowUpMechanism,
    FollowUpState,
)
from functions.shared.text import (
    NON_BLANK_TEXT_PATTERN,
    SAFE_TEXT_PATTERN,
    UNSAFE_CHARACTERS_MESSAGE,
    has_unsafe_characters,
)

MAX_BATCH_TEXTS = 100
# Allows 100 texts of 5,000 characters even when every character takes 3 bytes in UTF-8.
MAX_BODY_BYTES = 3 * 1024 * 1024


def _safe(text: str) -> str:
    if has_unsafe_characters(text):
        raise ValueError(UNSAFE_CHARACTERS_MESSAGE)
    return text


# Free text from a caller: no control characters (but tab and line breaks) and no unpaired
# surrogates, which could not be stored. The pattern states the rule in the spec.
SafeText = Annotated[str, Field(pattern=SAFE_TEXT_PATTERN), AfterValidator(_safe)]
# RFC 3339, as the spec's `format: date-time` says: a full date and time with its offset
# (pydantic alone would also take a bare date, a time without a zone or a Unix number).
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _rfc3339(value: object) -> object:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _DATE_TIME.match(value):
        raise ValueError("give a date-time with its offset, e.g. 2026-02-01T09:30:00Z")
    return value


DateTime = Annotated[datetime, BeforeValidator(_rfc3339)]
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: object) -> object:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DATE.match(value):
        raise ValueError("give a date as YYYY-MM-DD, e.g. 2026-02-01")
    return value


# A calendar day, as the spec's `format: date` says (pydantic alone would take a number).
Date = Annotated[date, BeforeValidator(_iso_date)]
AccountId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.@:+-]+$")]


def _path_segment(value: Any) -> Any:
    # Routes match the raw path, where a client may have percent-encoded "@" or ":".
    return unquote(value) if isinstance(value, str) else value


# An account id taken from the path: the same rule, once the segment is decoded.
AccountInPath = Annotated[AccountId, BeforeValidator(_path_segment)]

Category = Annotated[SafeText, Field(min_length=1, max_length=64)]
Channel = Annotated[SafeText, Field(min_length=1, max_length=32)]
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


class Review(View):
    """A supervisor's judgement of a task's label, kept beside the model's decision."""

    task_id: str
    label: Label = Field(description="The label the supervisor gave.")
    model_label: Label = Field(description="The model's label for the task.")
    correction: bool = Field(description="Whether the supervisor disagreed with the model.")
    note: str | None = None
    reviewer: str = Field(description="The supervisor's user id.")
    reviewed_at: datetime
    revision: int = Field(description="The task revision this review produced.")


class Task(View):
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
    reviewed: bool = False
    effective_label: Label = Field(
        description="The latest review's label, else the model's: the task's sentiment."
    )
    review: Review | None = Field(description="The latest review, or null.")
    created_at: datetime
    updated_at: datetime
    revision: int = Field(
        ge=1, description="Increments on every change; the ETag of the task is this revision."
    )
    decision: Decision


class DecisionMetadata(Body):
    """Where a scored text came from, recorded with a stored decision."""

    account_id: AccountId
    category: Category
    channel: Channel = "api"
    external_id: Annotated[SafeText, Field(min_length=1, max_length=128)] | None = None


class ErrorDetail(BaseModel):
    code: str = Field(description="Machine-readable error code, e.g. `validation_error`.")
    message: str = Field(description="What went wrong, for a person.")
    details: list[dict[str, Any]] | None = Field(
        default=None, description="Per-field problems for validation errors (no input values)."
    )


class ErrorResponse(BaseModel):
    """The one shape of every 4xx and 5xx response the API function makes."""

    error: ErrorDetail


class GatewayError(BaseModel):
    """The shape of refusals API Gateway makes itself, before the function runs: no token
    or one its JWT authorizer refuses (401 `Unauthorized`), no such route or method (404
    `Not Found`), a body over its 10 MB limit (413)."""

    message: str = Field(description="e.g. `Unauthorized`, `Not Found`.")


class SentimentRequest(Body):
    # `metadata` is required when `store` is true.
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "if": {"properties": {"store": {"const": True}}, "required": ["store"]},
            "then": {"required": ["metadata"], "properties": {"metadata": {"type": "object"}}},
        },
    )

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
    code: str = Field(description="`empty_text`, `text_too_long` or `invalid_characters`.")
    message: str


class SentimentResponse(BaseModel):
    model_version: str
    thresholds_version: int
    results: list[SentimentResult]
    errors: list[ItemError]


class CreateTaskRequest(Body):
    text: Annotated[str, AfterValidator(_safe)] = Field(
        min_length=1,
        max_length=MAX_TEXT_CHARS,
        pattern=NON_BLANK_TEXT_PATTERN,
        description="Not blank; no control characters but tab and line breaks.",
    )
    account_id: AccountId | None = Field(
        default=None,
        description="The account the request comes from. A customer may leave it out: it "
        "is then their own; every other caller must give it.",
    )
    category: Category
    channel: Channel
    product: Annotated[SafeText, Field(min_length=1, max_length=64)] | None = None


class UpdateTaskRequest(Body):
    # Give at least one field; status may be left out but not null.
    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    status: TaskStatus | SkipJsonSchema[None] = Field(
        default=None,
        description="open -> in_progress | resolved; in_progress -> open | resolved; "
        "resolved -> open.",
    )
    assignee: Annotated[SafeText, Field(min_length=1, max_length=128)] | None = Field(
        default=None, description="null unassigns."
    )
    reply_note: Annotated[SafeText, Field(max_length=MAX_TEXT_CHARS)] | None = None

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
    status: Literal["ok", "degraded", "unavailable"] = Field(
        description="`ok`; `degraded` (200) while the active model cannot be loaded and the "
        "last good one keeps scoring; `unavailable` (503) when nothing can be scored or "
        "the store cannot be reached."
    )
    model_loaded: bool
    model_version: str | None = Field(description="The version that scores requests.")
    active_version: str | None = Field(
        default=None,
        description="Set when degraded: the active version that could not be loaded.",
    )
    store_reachable: bool
    retraining_suggested: bool = Field(
        description="Supervisors correct the active model too often (the override alarm of "
        "`GET /v1/reviews/stats`, where its figures are)."
    )


class ModelInfo(BaseModel):
    version: str
    activated_at: str | None
    card: dict[str, Any]


# --- Retraining: datasets, training runs, the model registry -----------------------------

DatasetId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
RunId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
ModelVersionId = Annotated[str, Field(pattern=r"^[0-9a-f]{16}$")]
ColumnName = Annotated[SafeText, Field(min_length=1, max_length=100)]
Reason = Annotated[SafeText, Field(min_length=3, max_length=500, description="Why; recorded.")]


class DatasetFileRequest(Body):
    role: FileRole = Field(description="`train`, or `test` for a held-out test file.")
    filename: SafeText = Field(
        min_length=1,
        max_length=255,
        description="The file's name, kept for display with anything but letters, digits, "
        "`.`, `_` and `-` replaced.",
    )
    size_bytes: int = Field(
        ge=1,
        le=MAX_DATASET_BYTES,
        description=f"The file's exact size; at most {MAX_DATASET_BYTES} bytes (50 MiB).",
    )


class CreateDatasetRequest(Body):
    name: SafeText = Field(min_length=1, max_length=100)
    text_column: ColumnName = "text"
    label_column: ColumnName = Field(
        default="label", description="Labels negative, neutral or positive, in any case."
    )
    files: list[DatasetFileRequest] = Field(
        min_length=1,
        max_length=2,
        description="One `train` file and at most one `test` file; without a test file, "
        "training holds out a stratified 20% of the train file.",
    )

    @model_validator(mode="after")
    def _one_file_per_role(self) -> CreateDatasetRequest:
        roles = [f.role for f in self.files]
        if "train" not in roles or len(set(roles)) != len(roles):
            raise ValueError("give one train file and at most one test file")
        return self


class FileUpload(View):
    """A presigned S3 POST: send the file as multipart/form-data to `url` with every entry
    of `fields` before the `file` field, within `expires_in_seconds`."""

    role: FileRole
    key: str = Field(description="Where the file will be stored in the datasets bucket.")
    url: str
    fields: dict[str, str]
    expires_in_seconds: int


class DatasetFile(View):
    role: FileRole
    filename: str
    key: str
    size_bytes: int
    arrived_at: datetime | None = Field(description="When S3 reported the file; null until.")


class RunSummary(View):
    run_id: str
    status: RunStatus
    model_version: str | None = None


class Dataset(View):
    dataset_id: str
    name: str
    source: DatasetSource = Field(
        description="`upload`: a supervisor's files; `reviews`: built by "
        "`POST /v1/datasets/from-reviews`."
    )
    status: DatasetStatus = Field(
        description="`awaiting_files` until every declared file has arrived (training then "
        "starts by itself), `complete` after, `expired` when a file never arrived."
    )
    status_detail: str
    text_column: str
    label_column: str
    files: list[DatasetFile]
    created_at: datetime
    created_by: str
    uploads_expire_at: datetime
    fingerprint: dict[str, Any] | None = Field(
        description="sha256 per file, rows and class counts of the train and test splits, "
        "once training has validated the files."
    )
    derived_from: ReviewDerivation | None = Field(
        default=None, description="For a dataset built from reviews: what it was made of."
    )
    runs: list[RunSummary]


class DatasetCreated(BaseModel):
    dataset_id: str
    dataset: Dataset
    uploads: list[FileUpload]


class DatasetList(BaseModel):
    items: list[Dataset]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` for the next page; absent on the last."
    )


class ReviewRequest(Body):
    label: Label = Field(description="The label the task should have: confirms or corrects.")
    note: Annotated[str, Field(min_length=1, max_length=1000)] | None = None


class ReviewList(BaseModel):
    items: list[Review] = Field(description="Every review of the task, oldest first.")


class ReviewQueueItem(BaseModel):
    task: Task = Field(description="The task with its decision and the terms that drove it.")
    margin: float = Field(description="Top probability minus the second: small is uncertain.")
    risk: float = Field(
        description="(1 - margin) x support-level weight (escalate 2, priority 1.5, "
        "standard 1) x 1.5 when the account was at risk: the queue's order."
    )


class ReviewQueue(BaseModel):
    items: list[ReviewQueueItem]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` for the next page; absent on the last."
    )


class Agreement(View):
    """Reviewed tasks (each counted once, by its latest review) whose reviewed label kept
    the model's, with the counts behind the rate."""

    reviewed: int
    agreed: int
    rate: float | None = Field(description="agreed / reviewed; null before any review.")
    confusion: dict[Label, dict[Label, int]] = Field(
        description="Tasks by model label, then by reviewed label."
    )


class OverrideAlarm(View):
    model_version: str = Field(description="The active model, whose reviews are counted.")
    window: int = Field(description="How many of the latest reviews are counted.")
    threshold: float = Field(description="The share of corrections that raises the alarm.")
    reviews: int = Field(description="Reviews counted (at most `window`).")
    corrections: int
    correction_rate: float | None
    retraining_suggested: bool = Field(
        description="A full window whose share of corrections is above the threshold. "
        "Clears when the share falls back or a new model goes live."
    )


class ReviewStats(View):
    overall: Agreement
    by_category: dict[str, Agreement]
    by_model_version: dict[str, Agreement]
    by_week: dict[str, Agreement] = Field(
        description="By the ISO week (e.g. `2026-W09`) the reviewed decision was made."
    )
    alarm: OverrideAlarm | None = Field(description="Null when no model is active.")


# Strict: JSON `false` is not a probability (pydantic would otherwise read it as 0.0).
NegativeThreshold = Annotated[float, Field(ge=0.0, le=1.0, strict=True)]


class SupportLevels(BaseModel):
    """The thresholds on the negative-class probability that set support levels."""

    version: int = Field(description="The config version; the ETag.")
    escalate_negative_min: float
    priority_negative_min: float
    updated_at: datetime
    updated_by: str = Field(description="Who made this version (a user id, or `system`).")
    reason: str


class ThresholdsBody(Body):
    escalate_negative_min: NegativeThreshold = Field(
        description="`escalate` from this negative probability up."
    )
    priority_negative_min: NegativeThreshold = Field(
        description="`priority` from this up to the escalate threshold; `standard` below."
    )

    @model_validator(mode="after")
    def _ordered(self) -> ThresholdsBody:
        check_threshold_order(self.escalate_negative_min, self.priority_negative_min)
        return self


class SupportLevelsChange(ThresholdsBody):
    reason: str = Field(min_length=1, max_length=500, description="Why, for the record.")


class SupportLevelsPreviewRequest(ThresholdsBody):
    created_from: DateTime = Field(description="Start of the period (inclusive), RFC 3339.")
    created_to: DateTime = Field(description="End of the period (inclusive), RFC 3339.")


class LevelChange(View):
    task_id: str
    category: str
    created_at: datetime
    negative: float = Field(description="The decision's negative-class probability.")
    current: SupportLevel = Field(description="The level the decision recorded.")
    proposed: SupportLevel


class SupportLevelsPreview(View):
    examined: int = Field(description="Tasks of the period read, newest first.")
    complete: bool = Field(
        description="Whether every task of the period was read; false when it has more than "
        "the bound, and the counts cover the newest ones only."
    )
    changed: int = Field(description="Tasks whose level would change.")
    changed_by_category: dict[str, int]
    examined_by_category: dict[str, int]
    examples: list[LevelChange] = Field(description="Up to five of the changed tasks.")


class FromReviewsRequest(Body):
    name: SafeText = Field(min_length=1, max_length=100)


class StageTiming(View):
    name: StageName
    started_at: datetime
    finished_at: datetime | None


class GateCheck(View):
    name: str = Field(description="`parity`, `quality`, `macro_f1`, `negative_recall`, `reviews`.")
    passed: bool
    detail: str


class GateResult(View):
    passed: bool
    checks: list[GateCheck]
    reasons: list[str] = Field(description="The detail of every check that failed.")
    notes: list[str] = Field(
        default_factory=list,
        description="How the candidate was compared: which of its test texts the active "
        "model was trained on, and whether the active model was measured as it serves or "
        "as its recipe refitted without them.",
    )


class TrainingRun(View):
    run_id: str
    dataset_id: str
    status: RunStatus
    stage: StageName | None = Field(description="The stage running now, or the last one.")
    progress: float = Field(ge=0.0, le=1.0, description="How far the current stage is.")
    stages: list[StageTiming]
    created_at: datetime
    started_by: str
    finished_at: datetime | None
    attempts: int
    validation_report: dict[str, Any] | None
    gate: GateResult | None
    model_version: str | None
    parent_version: str | None = Field(description="The active model it was measured against.")
    error: str | None


class TrainingRunList(BaseModel):
    items: list[TrainingRun]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` for the next page; absent on the last."
    )


class Lineage(View):
    dataset_id: str | None
    dataset_sha256: str | None
    parent_version: str | None
    run_id: str | None
    started_by: str | None


class Activation(View):
    kind: PointerMove
    from_version: str | None
    to_version: str
    by: str
    at: datetime
    reason: str
    override: bool = Field(description="A rejected version made active by hand.")


class ModelSummary(View):
    version: str
    status: VersionStatus
    registered_at: datetime
    metrics: dict[str, float | None] = Field(
        description="accuracy, macro_f1 and negative_recall on the version's test split."
    )
    lineage: Lineage


class ModelList(BaseModel):
    active_version: str | None
    items: list[ModelSummary]


class ModelDetail(ModelSummary):
    card: dict[str, Any] = Field(
        description="The model card: metrics with the confusion matrix, parameters, "
        "dataset fingerprint, parity report."
    )
    gate: GateResult | None
    activations: list[Activation] = Field(description="Every pointer move to or from it.")


class ActivePointer(View):
    version: str
    previous_version: str | None
    activated_at: datetime
    activated_by: str
    reason: str


class MoveRequest(Body):
    reason: Reason


class Disagreement(View):
    text: str
    label: Label = Field(description="The label in the test data.")
    a: Label = Field(description="Model a's label.")
    b: Label = Field(description="Model b's label.")


class ModelComparison(View):
    a: str
    b: str
    test_split_of: str = Field(description="The version whose test split both were scored on.")
    dataset_id: str
    rows: int
    metrics_a: dict[str, Any]
    metrics_b: dict[str, Any]
    differences: dict[str, Any] = Field(
        description="b minus a: accuracy, macro_f1 and per class precision, recall, f1."
    )
    disagreements: int = Field(description="Test texts the two label differently.")
    sample: list[Disagreement]
    note: str | None = Field(
        default=None,
        description="How the version the split was not trained for was measured: as it "
        "serves, or as its recipe refitted without the test texts it had been trained on "
        "(the gate's fair comparison); absent for evaluations made before it was recorded.",
    )


# Trends, accounts at risk and history import.

MAX_IMPORT_ITEMS = 100
ExternalId = Annotated[SafeText, Field(min_length=1, max_length=128)]
Owner = Annotated[SafeText, Field(min_length=1, max_length=128)]
Note = Annotated[SafeText, Field(max_length=2000)]


class HistoricalTask(Body):
    external_id: ExternalId = Field(
        description="The request's id in the system it comes from; importing it again "
        "returns the task the first import made."
    )
    created_at: DateTime = Field(description="When the request was originally made.")
    text: SafeText = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    account_id: AccountId
    category: Category
    channel: Channel
    product: Annotated[SafeText, Field(min_length=1, max_length=64)] | None = None


class ImportRequest(Body):
    items: list[HistoricalTask] = Field(min_length=1, max_length=MAX_IMPORT_ITEMS)


class ImportedTask(BaseModel):
    index: int = Field(description="Position of the item in the request.")
    external_id: str
    task_id: str
    created: bool = Field(description="False when an earlier import created the task.")


class ImportItemError(BaseModel):
    index: int
    external_id: str
    code: str = Field(description="`empty_text` or `text_too_long`.")
    message: str


class ImportResponse(BaseModel):
    imported: list[ImportedTask]
    errors: list[ImportItemError]


class NetScore(BaseModel):
    negative: int
    neutral: int
    positive: int
    total: int
    net: float | None = Field(
        description="(positive - negative) / total; null without tasks.", ge=-1, le=1
    )
    net_low: float = Field(description="Lower bound of the 95% interval.", ge=-1, le=1)
    net_high: float = Field(description="Upper bound of the 95% interval.", ge=-1, le=1)


class PeriodTrend(NetScore):
    period_start: date = Field(description="The day, or the Monday of the ISO week.")
    change: float | None = Field(
        description="Net score minus the previous period's; null when either has no tasks."
    )


class CategoryTrend(BaseModel):
    category: str
    periods: list[PeriodTrend]


class LabelMix(BaseModel):
    negative: float
    neutral: float
    positive: float


class CategoryTrends(BaseModel):
    """Per category and period; the interval is a Dirichlet posterior's, with a weak prior
    (3 tasks' worth) from the overall mix of the range."""

    granularity: Literal["day", "week"]
    product: str | None
    prior: LabelMix
    categories: list[CategoryTrend]


class RankedEntry(NetScore):
    name: str


class Ranking(BaseModel):
    best: list[RankedEntry] = Field(description="Highest lower bound first.")
    worst: list[RankedEntry] = Field(description="Lowest upper bound first.")


class TrendSummary(BaseModel):
    categories: Ranking
    products: Ranking


class AtRiskRule(BaseModel):
    version: int
    streak_length: int = Field(description="N: consecutive negative requests.")
    window_negatives: int = Field(description="K: negative requests within window_days.")
    window_days: int = Field(description="D: the window, in days before the latest request.")
    updated_at: datetime
    updated_by: str
    reason: str


def _integral(value: Any) -> Any:
    # JSON has one number type: 12.0 is the integer 12 (as JSON Schema reads it); 12.5,
    # strings and booleans are still refused.
    return int(value) if isinstance(value, float) and value.is_integer() else value


JsonInt = Annotated[StrictInt, BeforeValidator(_integral)]


class AtRiskRuleChange(Body):
    streak_length: JsonInt = Field(ge=2, le=MAX_STREAK_LENGTH)
    window_negatives: JsonInt = Field(ge=2, le=MAX_WINDOW_NEGATIVES)
    window_days: JsonInt = Field(ge=1, le=MAX_WINDOW_DAYS)
    reason: Reason


class AccountRequest(View):
    task_id: str
    created_at: datetime
    label: Label = Field(description="The effective label.")
    support_level: SupportLevel
    category: str


class FollowUpSummary(View):
    id: str
    state: FollowUpState
    mechanism: FollowUpMechanism
    owner: str
    due_date: date


class AccountAtRisk(BaseModel):
    account_id: str
    rule_fired: Literal["streak", "window"]
    rule_version: int
    streak: int = Field(description="Consecutive negative requests, up to the latest.")
    window_negatives: int
    at_risk_since: datetime | None
    requests: list[AccountRequest] = Field(description="The requests behind the rule.")
    follow_up: FollowUpSummary | None


class AccountsAtRisk(BaseModel):
    items: list[AccountAtRisk]
    next_cursor: str | None = None


class FollowUpStep(View):
    state: FollowUpState
    owner: str
    due_date: date
    note: str | None
    changed_at: datetime
    changed_by: str


class FollowUp(View):
    id: str
    account_id: str
    mechanism: FollowUpMechanism
    owner: str
    due_date: date
    note: str | None
    state: FollowUpState
    created_at: datetime
    updated_at: datetime
    revision: int
    history: list[FollowUpStep]


class CreateFollowUpRequest(Body):
    mechanism: FollowUpMechanism
    owner: Owner
    due_date: Date
    note: Note | None = None


class UpdateFollowUpRequest(Body):
    # Give at least one field; none may be null.
    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    state: FollowUpState | SkipJsonSchema[None] = Field(
        default=None, description="open -> contacted | resolved; contacted -> resolved."
    )
    owner: Owner | SkipJsonSchema[None] = None
    due_date: Date | SkipJsonSchema[None] = None
    note: Note | SkipJsonSchema[None] = None

    @model_validator(mode="after")
    def _something_to_change(self) -> UpdateFollowUpRequest:
        if not self.model_fields_set:
            raise ValueError("give at least one of state, owner, due_date, note")
        if any(getattr(self, name) is None for name in self.model_fields_set):
            raise ValueError("state, owner, due_date and note cannot be null")
        return self


class AccountTimeline(BaseModel):
    account_id: str
    risk: AccountAtRisk | None = Field(description="Set while the account is at risk.")
    follow_ups: list[FollowUp]
    tasks: list[Task] = Field(description="Newest first; one page.")
    next_cursor: str | None = None
