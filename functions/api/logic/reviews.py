"""Supervisors' reviews of the model's decisions: the queue, the review itself, its history,
agreement between model and supervisors, and the alarm that suggests retraining."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from functions.api.logic.concurrency import check_expected_revision
from functions.api.logic.ports import ActiveVersionSource, ReviewRepository
from functions.api.logic.tasks import check_time_range, get_task
from functions.shared.clock import utc_now
from functions.shared.errors import ConcurrentUpdate
from functions.shared.models import (
    Label,
    Review,
    ReviewCounts,
    ReviewQueueFilter,
    Task,
)
from functions.shared.support import margin, review_risk

LABELS: tuple[Label, ...] = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class ReviewOutcome:
    """The task after a review; `recorded` is False when the same review was already
    there (a retry, or a second supervisor who agreed)."""

    task: Task
    recorded: bool


def review_task(
    task_id: str,
    label: Label,
    *,
    note: str | None,
    reviewer: str,
    expected_revision: int | None,
    repository: ReviewRepository,
    now: Callable[[], datetime] = utc_now,
) -> ReviewOutcome:
    """Confirms or corrects the model's label: stores the review beside the decision and
    makes it the task's latest, at the next revision, if the task is still at
    `expected_revision`. When the task has moved on but its latest review already gives
    this label, that is the same review: nothing is written.

    Raises TaskNotFound, PreconditionRequired (no expected revision) and ConcurrentUpdate
    (the task is at another revision and its effective label is not `label`).
    """
    task = get_task(task_id, repository)
    try:
        check_expected_revision(task.revision, expected_revision, "task")
        reviewed_at = now()
        review = Review(
            task_id=task.id,
            label=label,
            model_label=task.decision.label,
            note=note,
            reviewer=reviewer,
            reviewed_at=reviewed_at,
            revision=task.revision + 1,
        )
        after = task.model_copy(
            update={"review": review, "revision": review.revision, "updated_at": reviewed_at}
        )
        repository.record_review(task, after)
    except ConcurrentUpdate:
        current = get_task(task_id, repository)
        if current.review is not None and current.review.label == label:
            return ReviewOutcome(current, recorded=False)
        raise
    return ReviewOutcome(after, recorded=True)


def review_history(task_id: str, repository: ReviewRepository) -> list[Review]:
    """Every review of a task, oldest first. Raises TaskNotFound."""
    get_task(task_id, repository)
    return repository.list_reviews(task_id)


@dataclass(frozen=True)
class QueueEntry:
    """An unreviewed task with the margin between its top two probabilities and the review
    risk that places it in the queue."""

    task: Task
    margin: float
    risk: float


def review_queue(
    queue_filter: ReviewQueueFilter, limit: int, cursor: str | None, repository: ReviewRepository
) -> tuple[list[QueueEntry], str | None]:
    """One page of unreviewed tasks, riskiest first, and the cursor to the next. Raises
    InvalidCursor and InvalidTimeRange."""
    check_time_range(queue_filter.created_from, queue_filter.created_to)
    page = repository.query_review_queue(queue_filter, limit, cursor)
    entries = [
        QueueEntry(
            task=task,
            margin=margin(task.decision.probabilities),
            risk=review_risk(
                task.decision.probabilities, task.decision.support_level, task.account_at_risk
            ),
        )
        for task in page.items
    ]
    return entries, page.next_cursor


@dataclass(frozen=True)
class Agreement:
    """How often supervisors kept the model's label, with the counts behind the rate and the
    confusion matrix (model label -> reviewed label -> tasks)."""

    reviewed: int
    agreed: int
    confusion: dict[Label, dict[Label, int]]

    @property
    def rate(self) -> float | None:
        return self.agreed / self.reviewed if self.reviewed else None


def agreement(counts: ReviewCounts) -> Agreement:
    """The agreement a counter holds; every cell of the confusion matrix is present."""
    confusion = {
        model: {reviewed: counts.cells.get(model, {}).get(reviewed, 0) for reviewed in LABELS}
        for model in LABELS
    }
    total = sum(sum(row.values()) for row in confusion.values())
    return Agreement(total, sum(confusion[label][label] for label in LABELS), confusion)


@dataclass(frozen=True)
class OverridePolicy:
    """When the override alarm raises: more than `threshold` corrections among the last
    `window` reviews of the active model's decisions."""

    window: int
    threshold: float


@dataclass(frozen=True)
class OverrideAlarm:
    """Whether supervisors correct the active model too often: among the last `window`
    reviews of its decisions, more than `threshold` were corrections."""

    model_version: str
    window: int
    threshold: float
    reviews: int
    corrections: int

    @property
    def correction_rate(self) -> float | None:
        return self.corrections / self.reviews if self.reviews else None

    @property
    def retraining_suggested(self) -> bool:
        """Raised once a full window of reviews has too many corrections; clears when the
        rate falls back or a new model goes live (its window starts empty)."""
        return self.reviews >= self.window and self.corrections > self.threshold * self.reviews


def override_alarm(
    models: ActiveVersionSource, policy: OverridePolicy, repository: ReviewRepository
) -> OverrideAlarm | None:
    """The override alarm of the active model, from the latest reviews of its decisions;
    None when no model is active."""
    version = models.active_version()
    if version is None:
        return None
    recent = repository.recent_reviews(version, policy.window)
    corrections = sum(review.correction for review in recent)
    return OverrideAlarm(version, policy.window, policy.threshold, len(recent), corrections)


@dataclass(frozen=True)
class ReviewReport:
    """Agreement overall, per category, per model version and per week (of the decision),
    and the active model's override alarm (None when no model is active)."""

    overall: Agreement
    by_category: dict[str, Agreement]
    by_model_version: dict[str, Agreement]
    by_week: dict[str, Agreement]
    alarm: OverrideAlarm | None


def review_stats(
    repository: ReviewRepository, models: ActiveVersionSource, policy: OverridePolicy
) -> ReviewReport:
    """Agreement from the counters kept at review time, and the override alarm."""
    scopes: dict[str, dict[str, Agreement]] = {
        "all": {},
        "category": {},
        "model_version": {},
        "week": {},
    }
    for counts in repository.review_counts():
        scopes[counts.scope][counts.key] = agreement(counts)
    empty = agreement(ReviewCounts(scope="all", key="all", cells={}))
    return ReviewReport(
        overall=scopes["all"].get("all", empty),
        by_category=dict(sorted(scopes["category"].items())),
        by_model_version=dict(sorted(scopes["model_version"].items())),
        by_week=dict(sorted(scopes["week"].items())),
        alarm=override_alarm(models, policy, repository),
    )
