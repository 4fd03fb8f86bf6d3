"""A customer acts only on their own account: the task logic's ownership rules."""

from __future__ import annotations

import pytest

from functions.api.logic import tasks as logic
from functions.scoring.model import SentimentModel
from functions.shared.errors import Forbidden, TaskNotFound
from functions.shared.models import NewTask, TaskFilter, TaskPage
from tests.unit.api.conftest import FixedModel, FixedThresholds, MemoryTasks

ALICE = "acct-alice"
BOB = "acct-bob"
READER = "user:reader"


def new_task(account_id: str) -> NewTask:
    return NewTask(text="my bag is lost", account_id=account_id, category="bags", channel="web")


def create(
    repository: MemoryTasks, model: SentimentModel, account_id: str, confined_to: str | None
) -> str:
    return logic.create_task(
        new_task(account_id),
        models=FixedModel(model),
        thresholds=FixedThresholds(),
        repository=repository,
        confined_to=confined_to,
    ).id


class RecordingTasks(MemoryTasks):
    def __init__(self) -> None:
        super().__init__()
        self.filters: list[TaskFilter] = []

    def query_tasks(
        self, task_filter: TaskFilter, limit: int, cursor: str | None, reader: str
    ) -> TaskPage:
        self.filters.append(task_filter)
        return super().query_tasks(task_filter, limit, cursor, reader)


def test_a_customer_creates_a_task_for_their_own_account(
    repository: MemoryTasks, loaded_model: SentimentModel
) -> None:
    task_id = create(repository, loaded_model, ALICE, confined_to=ALICE)
    assert repository.tasks[task_id].account_id == ALICE


def test_a_customer_cannot_create_a_task_for_another_account_and_nothing_is_stored(
    repository: MemoryTasks, loaded_model: SentimentModel
) -> None:
    with pytest.raises(Forbidden):
        create(repository, loaded_model, BOB, confined_to=ALICE)
    assert repository.writes == 0


def test_staff_create_tasks_for_any_account(
    repository: MemoryTasks, loaded_model: SentimentModel
) -> None:
    task_id = create(repository, loaded_model, BOB, confined_to=None)
    assert repository.tasks[task_id].account_id == BOB


def test_another_customers_task_is_not_found_exactly_like_a_missing_one(
    repository: MemoryTasks, loaded_model: SentimentModel
) -> None:
    # GIVEN a task of Alice's
    task_id = create(repository, loaded_model, ALICE, confined_to=None)
    # WHEN Bob reads it, and reads an id that does not exist
    with pytest.raises(TaskNotFound) as theirs:
        logic.get_task(task_id, repository, confined_to=BOB)
    missing_id = "f" * 32
    with pytest.raises(TaskNotFound) as missing:
        logic.get_task(missing_id, repository, confined_to=BOB)
    # THEN the two refusals differ only in the id they name
    assert theirs.value.message.replace(task_id, "ID") == missing.value.message.replace(
        missing_id, "ID"
    )
    assert logic.get_task(task_id, repository, confined_to=ALICE).account_id == ALICE


def test_a_customers_list_without_an_account_filter_is_their_own() -> None:
    repository = RecordingTasks()
    logic.list_tasks(
        TaskFilter(status="open"), 10, None, repository, reader=READER, confined_to=ALICE
    )
    assert repository.filters == [TaskFilter(status="open", account_id=ALICE)]


def test_a_customer_asking_for_another_accounts_tasks_is_refused() -> None:
    repository = RecordingTasks()
    with pytest.raises(Forbidden):
        logic.list_tasks(
            TaskFilter(account_id=BOB), 10, None, repository, reader=READER, confined_to=ALICE
        )
    assert repository.filters == []


def test_staff_lists_are_not_narrowed() -> None:
    repository = RecordingTasks()
    logic.list_tasks(TaskFilter(), 10, None, repository, reader=READER, confined_to=None)
    assert repository.filters == [TaskFilter()]
