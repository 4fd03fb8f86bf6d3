"""Reviews beside the decision, the queue's order, agreement and the override alarm, with
in-memory fakes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.api.logic import reviews as logic
from functions.api.logic.reviews import OverridePolicy
from functions.shared.errors import ConcurrentUpdate, PreconditionRequired
from functions.shared.models import (
    Decision,
    Label,
    Probabilities,
    ReviewQueueFilter,
    SupportLevel,
    Task,
    TermWeight,
)
from functions.shared.support import margin, review_risk
from tests.unit.api.conftest import MemoryTasks

WHEN = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def a_task(
    number: int = 1,
    *,
    negative: float = 0.9,
    neutral: float = 0.07,
    level: SupportLevel = "escalate",
    label: Label = "negative",
    model_version: str = "v1",
    at_risk: bool = False,
) -> Task:
    return Task(
        id=f"{number:032x}",
        text="lost bag",
        account_id="acct",
        category="baggage",
        channel="web",
        status="open",
        created_at=WHEN + timedelta(minutes=number),
        updated_at=WHEN,
        revision=1,
        account_at_risk=at_risk,
        decision=Decision(
            label=label,
            probabilities=Probabilities(
                negative=negative, neutral=neutral, positive=round(1 - negative - neutral, 6)
            ),
            confidence=max(negative, neutral, 1 - negative - neutral),
            top_terms=[TermWeight(term="lost", weight=1.0)],
            support_level=level,
            model_version=model_version,
            thresholds_version=1,
            input_sha256="0" * 64,
            decided_at=WHEN + timedelta(minutes=number),
        ),
    )


def stored(repository: MemoryTasks, *tasks: Task) -> MemoryTasks:
    for task in tasks:
        repository.put_task(task)
    return repository


def review(
    repository: MemoryTasks, task_id: str, label: Label, revision: int | None, who: str = "sup-1"
) -> logic.ReviewOutcome:
    return logic.review_task(
        task_id, label, note=None, reviewer=who, expected_revision=revision, repository=repository
    )


def test_a_review_sits_beside_the_decision_and_gives_the_effective_label(
    repository: MemoryTasks,
) -> None:
    # GIVEN a task the model called negative
    task = stored(repository, a_task()).tasks[a_task().id]
    # WHEN a supervisor corrects it to neutral
    outcome = review(repository, task.id, "neutral", 1)
    # THEN the decision is untouched, the review is the latest and sets the effective label
    after = repository.tasks[task.id]
    assert outcome.recorded
    assert after.decision == task.decision
    assert after.review is not None
    assert after.review.correction
    assert (after.effective_label, after.revision, after.reviewed) == ("neutral", 2, True)


def test_every_change_of_mind_is_kept_in_order(repository: MemoryTasks) -> None:
    task_id = stored(repository, a_task()).tasks[a_task().id].id
    for revision, label in enumerate(("neutral", "positive", "negative"), start=1):
        review(repository, task_id, label, revision)  # type: ignore[arg-type]
    history = logic.review_history(task_id, repository)
    assert [r.label for r in history] == ["neutral", "positive", "negative"]
    assert [r.revision for r in history] == [2, 3, 4]
    assert repository.tasks[task_id].effective_label == "negative"


def test_a_review_without_an_expected_revision_is_refused(repository: MemoryTasks) -> None:
    task_id = stored(repository, a_task()).tasks[a_task().id].id
    with pytest.raises(PreconditionRequired):
        review(repository, task_id, "neutral", None)
    assert not repository.reviews


def test_a_stale_review_with_another_label_is_refused_and_the_first_stands(
    repository: MemoryTasks,
) -> None:
    # GIVEN two supervisors who read the task at revision 1; the first corrects it
    task_id = stored(repository, a_task()).tasks[a_task().id].id
    review(repository, task_id, "neutral", 1, who="first")
    # WHEN the second sends another label against revision 1
    with pytest.raises(ConcurrentUpdate):
        review(repository, task_id, "positive", 1, who="second")
    # THEN only the first review exists
    assert [(r.reviewer, r.label) for _, r in repository.reviews] == [("first", "neutral")]


def test_a_stale_review_with_the_label_already_given_is_the_same_review(
    repository: MemoryTasks,
) -> None:
    task_id = stored(repository, a_task()).tasks[a_task().id].id
    review(repository, task_id, "neutral", 1, who="first")
    outcome = review(repository, task_id, "neutral", 1, who="second")
    assert not outcome.recorded
    assert outcome.task.review is not None
    assert outcome.task.review.reviewer == "first"
    assert len(repository.reviews) == 1


def test_confirming_the_models_label_on_a_stale_unreviewed_task_is_refused(
    repository: MemoryTasks,
) -> None:
    # An agent's update made the read stale; nobody has reviewed yet, so nothing is the same.
    task = a_task().model_copy(update={"revision": 2})
    task_id = stored(repository, task).tasks[task.id].id
    with pytest.raises(ConcurrentUpdate):
        review(repository, task_id, "negative", 1)


def test_the_queue_puts_uncertain_urgent_at_risk_decisions_first(
    repository: MemoryTasks,
) -> None:
    sure = a_task(1, negative=0.98, neutral=0.01)
    unsure = a_task(2, negative=0.5, neutral=0.45)
    unsure_standard = a_task(3, negative=0.5, neutral=0.45, level="standard")
    unsure_at_risk = a_task(4, negative=0.5, neutral=0.45, at_risk=True)
    stored(repository, sure, unsure, unsure_standard, unsure_at_risk)
    entries, _ = logic.review_queue(ReviewQueueFilter(), 10, None, repository)
    assert [e.task.id for e in entries] == [
        unsure_at_risk.id,
        unsure.id,
        unsure_standard.id,
        sure.id,
    ]
    assert entries[1].margin == pytest.approx(0.05)


unit = st.floats(min_value=0, max_value=1, allow_nan=False)


@given(unit, unit)
def test_risk_is_bounded_and_grows_with_level_and_account_risk(a: float, b: float) -> None:
    neutral = (1 - a) * b
    probabilities = Probabilities(negative=a, neutral=neutral, positive=max(0.0, 1 - a - neutral))
    levels: tuple[SupportLevel, ...] = ("standard", "priority", "escalate")
    calm = [review_risk(probabilities, level, False) for level in levels]
    at_risk = [review_risk(probabilities, level, True) for level in levels]
    assert calm == sorted(calm)
    assert at_risk == sorted(at_risk)
    assert all(r >= c for r, c in zip(at_risk, calm, strict=True))
    assert all(0 <= risk <= 4.5 + 1e-9 for risk in calm + at_risk)
    assert calm[0] == pytest.approx(1 - margin(probabilities))


class Active:
    def __init__(self, version: str | None) -> None:
        self.version = version

    def active_version(self) -> str | None:
        return self.version


POLICY = OverridePolicy(window=4, threshold=0.25)


def reviewed_in_turn(repository: MemoryTasks, labels: list[Label], model: str = "v1") -> None:
    """One new negative task per label, each reviewed with that label."""
    start = len(repository.tasks) + 1
    for number, label in enumerate(labels, start=start):
        task = a_task(number, model_version=model)
        repository.put_task(task)
        review(repository, task.id, label, 1)


def test_the_alarm_waits_for_a_full_window(repository: MemoryTasks) -> None:
    reviewed_in_turn(repository, ["neutral", "neutral", "neutral"])
    alarm = logic.override_alarm(Active("v1"), POLICY, repository)
    assert alarm is not None
    assert (alarm.reviews, alarm.corrections) == (3, 3)
    assert not alarm.retraining_suggested


def test_the_alarm_raises_above_the_threshold_and_clears_when_the_rate_falls_back(
    repository: MemoryTasks,
) -> None:
    # GIVEN 2 corrections among the last 4 reviews (50% > 25%)
    reviewed_in_turn(repository, ["negative", "neutral", "negative", "positive"])
    raised = logic.override_alarm(Active("v1"), POLICY, repository)
    assert raised is not None
    assert raised.retraining_suggested
    # WHEN supervisors agree with the model on the next three
    reviewed_in_turn(repository, ["negative", "negative", "negative"])
    # THEN one correction in the last four (25%) is not above the threshold
    cleared = logic.override_alarm(Active("v1"), POLICY, repository)
    assert cleared is not None
    assert (cleared.corrections, cleared.retraining_suggested) == (1, False)


def test_the_alarm_clears_when_a_new_model_goes_live(repository: MemoryTasks) -> None:
    reviewed_in_turn(repository, ["neutral"] * 4)
    assert logic.override_alarm(Active("v1"), POLICY, repository).retraining_suggested  # type: ignore[union-attr]
    fresh = logic.override_alarm(Active("v2"), POLICY, repository)
    assert fresh is not None
    assert (fresh.reviews, fresh.retraining_suggested) == (0, False)


def test_no_active_model_means_no_alarm(repository: MemoryTasks) -> None:
    assert logic.override_alarm(Active(None), POLICY, repository) is None


def test_agreement_counts_each_task_by_its_latest_review(repository: MemoryTasks) -> None:
    reviewed_in_turn(repository, ["negative", "neutral"])
    first = next(iter(repository.tasks))
    review(repository, first, "positive", 2)  # a change of mind on the agreeing one
    report = logic.review_stats(repository, Active("v1"), POLICY)
    assert (report.overall.reviewed, report.overall.agreed, report.overall.rate) == (2, 0, 0.0)
    assert report.overall.confusion["negative"] == {"negative": 0, "neutral": 1, "positive": 1}
