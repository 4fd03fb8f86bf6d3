"""Task lifecycle rules, with in-memory fakes."""

from __future__ import annotations

import pytest

from functions.api.logic import tasks as logic
from functions.api.logic.scoring import score_batch
from functions.scoring.model import InvalidText, SentimentModel
from functions.shared.errors import (
    ConcurrentUpdate,
    InvalidTimeRange,
    InvalidTransition,
    PreconditionRequired,
    TaskNotFound,
)
from functions.shared.models import DecisionMetadata, NewTask, TaskChanges, TaskFilter
from tests.unit.api.conftest import FixedModel, FixedThresholds, MemoryTasks

NEW = NewTask(text="my bag is lost", account_id="a", category="baggage", channel="web")


def created(repository: MemoryTasks, model: SentimentModel) -> str:
    task = logic.create_task(
        NEW, models=FixedModel(model), thresholds=FixedThresholds(), repository=repository
    )
    return task.id


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        ("open", "in_progress", True),
        ("open", "resolved", True),
        ("in_progress", "resolved", True),
        ("in_progress", "open", True),
        ("resolved", "open", True),
        ("resolved", "in_progress", False),
        ("open", "open", True),
    ],
)
def test_transitions(current: str, target: str, allowed: bool) -> None:
    if allowed:
        logic.check_transition(current, target)  # type: ignore[arg-type]
    else:
        with pytest.raises(InvalidTransition):
            logic.check_transition(current, target)  # type: ignore[arg-type]


def test_new_task_records_the_thresholds_version_and_input_hash(
    repository: MemoryTasks, loaded_model: SentimentModel
) -> None:
    task = repository.tasks[created(repository, loaded_model)]
    assert task.decision.thresholds_version == 1
    assert task.decision.input_sha256 == (
        __import__("hashlib").sha256(NEW.text.encode()).hexdigest()
    )


def test_blank_text_is_refused_before_anything_is_stored(
    repository: MemoryTasks, loaded_model: SentimentModel
) -> None:
    with pytest.raises(InvalidText):
        logic.create_task(
            NEW.model_copy(update={"text": "  "}),
            models=FixedModel(loaded_model),
            thresholds=FixedThresholds(),
            repository=repository,
        )
    assert repository.writes == 0


def test_update_that_changes_nothing_writes_nothing(
    repository: MemoryTasks, loaded_model: SentimentModel
) -> None:
    task_id = created(repository, loaded_model)
    before = repository.writes
    logic.update_task(
        task_id, TaskChanges(status="open", fields_set=frozenset({"status"})), 1, repository
    )
    assert repository.writes == before


def test_update_keeps_the_decision_and_bumps_the_revision(
    repository: MemoryTasks, loaded_model: SentimentModel
) -> None:
    task_id = created(repository, loaded_model)
    original = repository.tasks[task_id]
    updated = logic.update_task(
        task_id,
        TaskChanges(assignee="agent-1", fields_set=frozenset({"assignee"})),
        1,
        repository,
    )
    assert updated.decision == original.decision
    assert updated.revision == original.revision + 1


def test_update_of_a_missing_task_raises_not_found(repository: MemoryTasks) -> None:
    with pytest.raises(TaskNotFound):
        logic.update_task("f" * 32, TaskChanges(fields_set=frozenset()), 1, repository)


def test_backwards_time_range_is_refused(repository: MemoryTasks) -> None:
    from datetime import UTC, datetime

    task_filter = TaskFilter(
        created_from=datetime(2026, 2, 1, tzinfo=UTC), created_to=datetime(2026, 1, 1, tzinfo=UTC)
    )
    with pytest.raises(InvalidTimeRange):
        logic.list_tasks(task_filter, 10, None, repository, reader="user:someone")


def test_batch_stores_only_scored_texts_when_asked(
    repository: MemoryTasks, loaded_model: SentimentModel
) -> None:
    outcome = score_batch(
        ["great", "", "awful"],
        models=FixedModel(loaded_model),
        thresholds_source=FixedThresholds(),
        repository=repository,
        metadata=DecisionMetadata(account_id="a", category="c"),
    )
    assert [e.index for e in outcome.errors] == [1]
    assert [d.batch_index for d in repository.decisions] == [0, 2]
    assert [r.decision_id for r in outcome.results] == [d.id for d in repository.decisions]


@pytest.mark.parametrize(
    ("requested", "confined_to", "expected"),
    [
        (None, "customer-sub", "customer-sub"),  # a customer's own account by default
        ("customer-sub", "customer-sub", "customer-sub"),
        ("acct-1", None, "acct-1"),  # staff and machines name it
        (None, None, None),  # ...or there is none
    ],
)
def test_account_of_new_task(
    requested: str | None, confined_to: str | None, expected: str | None
) -> None:
    assert logic.account_of_new_task(requested, confined_to) == expected


def test_update_without_an_expected_revision_is_refused_and_writes_nothing(
    repository: MemoryTasks, loaded_model: SentimentModel
) -> None:
    task_id = created(repository, loaded_model)
    before = repository.writes
    with pytest.raises(PreconditionRequired):
        logic.update_task(
            task_id,
            TaskChanges(assignee="a-1", fields_set=frozenset({"assignee"})),
            None,
            repository,
        )
    assert repository.writes == before


def test_update_against_a_stale_revision_is_refused_and_keeps_the_newer_change(
    repository: MemoryTasks, loaded_model: SentimentModel
) -> None:
    # GIVEN a task that one agent updated after another read it at revision 1
    task_id = created(repository, loaded_model)
    assign = TaskChanges(assignee="first", fields_set=frozenset({"assignee"}))
    logic.update_task(task_id, assign, 1, repository)
    # WHEN the second agent updates it against revision 1
    late = TaskChanges(assignee="second", fields_set=frozenset({"assignee"}))
    with pytest.raises(ConcurrentUpdate):
        logic.update_task(task_id, late, 1, repository)
    # THEN the first change stands
    assert repository.tasks[task_id].assignee == "first"


class AtRisk:
    def __init__(self, *accounts: str) -> None:
        self.accounts = set(accounts)

    def is_at_risk(self, account_id: str) -> bool:
        return account_id in self.accounts


def test_a_task_notes_whether_its_account_was_at_risk(
    repository: MemoryTasks, loaded_model: SentimentModel
) -> None:
    task = logic.create_task(
        NEW,
        models=FixedModel(loaded_model),
        thresholds=FixedThresholds(),
        repository=repository,
        accounts=AtRisk(NEW.account_id),
    )
    assert task.account_at_risk
    assert not repository.tasks[created(repository, loaded_model)].account_at_risk
