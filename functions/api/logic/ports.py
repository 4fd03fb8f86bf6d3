"""What the logic needs from the outside world; data access implements these, tests fake them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

from functions.scoring.model import SentimentModel
from functions.shared.aggregates import DailyCount, Dimension
from functions.shared.models import (
    LevelSnapshot,
    Review,
    ReviewCounts,
    ReviewQueueFilter,
    StoredDecision,
    Task,
    TaskFilter,
    TaskPage,
    Thresholds,
    ThresholdsRecord,
)
from functions.shared.risk import AtRiskRuleRecord, FollowUp, RiskPage, RiskState


class ModelSource(Protocol):
    def active_model(self) -> SentimentModel:
        """The active model; raises ModelUnavailable when there is none."""
        ...


class ActiveVersionSource(Protocol):
    def active_version(self) -> str | None:
        """The active model's version, or None when no model is active."""
        ...


class ThresholdSource(Protocol):
    def current_thresholds(self) -> Thresholds: ...


class TaskReader(Protocol):
    def get_task(self, task_id: str) -> Task | None: ...


class TaskRepository(TaskReader, Protocol):
    def put_task(self, task: Task) -> None:
        """Stores a new task; raises TaskExists when its id is taken."""
        ...

    def replace_task(self, task: Task, expected_revision: int) -> None:
        """Stores `task` if the stored one is still at `expected_revision`; raises
        ConcurrentUpdate otherwise and TaskNotFound when it is gone."""
        ...

    def query_tasks(
        self, task_filter: TaskFilter, limit: int, cursor: str | None, reader: str
    ) -> TaskPage:
        """One page; `cursor` must have been issued to `reader` for this filter, else
        InvalidCursor."""
        ...

    def put_decisions(self, decisions: Sequence[StoredDecision]) -> None: ...


class ReviewRepository(TaskReader, Protocol):
    def record_review(self, before: Task, after: Task) -> None:
        """Stores `after` (carrying its new latest review) and that review, if the stored
        task is still at `before`'s revision; raises ConcurrentUpdate otherwise and
        TaskNotFound when it is gone."""
        ...

    def list_reviews(self, task_id: str) -> list[Review]:
        """Every review of the task, oldest first."""
        ...

    def recent_reviews(self, model_version: str, count: int) -> list[Review]:
        """The latest `count` reviews of decisions `model_version` made, newest first."""
        ...

    def review_counts(self) -> list[ReviewCounts]:
        """The agreement counters kept at review time."""
        ...

    def query_review_queue(
        self, queue_filter: ReviewQueueFilter, limit: int, cursor: str | None
    ) -> TaskPage:
        """Unreviewed tasks, riskiest first."""
        ...


class DecisionHistory(Protocol):
    def level_snapshots(
        self, created_from: datetime, created_to: datetime, limit: int
    ) -> tuple[list[LevelSnapshot], bool]:
        """At most `limit` tasks of a period, newest first, and whether that was all."""
        ...


class ThresholdsRepository(Protocol):
    def current(self) -> ThresholdsRecord: ...

    def replace(self, record: ThresholdsRecord) -> None:
        """Makes `record` current if the version before it still is; raises
        ConcurrentUpdate otherwise."""
        ...


class AccountRiskSource(Protocol):
    def is_at_risk(self, account_id: str) -> bool:
        """Whether the account keeps coming back unhappy (the trends' account risk)."""
        ...


class NoAccountAtRisk:
    """AccountRiskSource until account risk is tracked: no account is at risk."""

    def is_at_risk(self, account_id: str) -> bool:
        return False


NO_ACCOUNT_AT_RISK = NoAccountAtRisk()


class AggregateSource(Protocol):
    """The aggregator's counts and risk states, read by key."""

    def daily_counts(
        self, dimension: Dimension, first: date, last: date, product: str | None = None
    ) -> list[DailyCount]: ...

    def accounts_at_risk(self, limit: int, cursor: str | None) -> RiskPage: ...

    def risk_of(self, account_id: str) -> RiskState | None: ...


class FollowUpRepository(Protocol):
    def put_follow_up(self, follow_up: FollowUp) -> None: ...

    def get_follow_up(self, account_id: str, follow_up_id: str) -> FollowUp | None: ...

    def replace_follow_up(self, follow_up: FollowUp, expected_revision: int) -> None:
        """Raises ConcurrentUpdate unless the stored one is still at `expected_revision`."""
        ...

    def follow_ups_of(self, account_id: str) -> list[FollowUp]: ...

    def latest_request_key(self, account_id: str) -> str | None:
        """The sort key of the account's newest request, or None when it has none."""
        ...


class AtRiskRuleRepository(Protocol):
    def read_rule(self) -> AtRiskRuleRecord: ...

    def replace_rule(self, record: AtRiskRuleRecord) -> None:
        """Raises ConcurrentUpdate unless the version in force is the one before it."""
        ...
