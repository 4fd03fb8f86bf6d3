"""In-memory fakes for the logic's ports; no network, no AWS."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from functions.scoring.model import SentimentModel
from functions.shared.errors import ConcurrentUpdate, TaskNotFound
from functions.shared.models import StoredDecision, Task, TaskFilter, TaskPage, Thresholds
from functions.shared.support import DEFAULT_THRESHOLDS
from tests.fixtures.models import model_dir_for_tests


class MemoryTasks:
    """TaskRepository in memory; lists newest first and ignores cursors."""

    def __init__(self) -> None:
        self.tasks: dict[str, Task] = {}
        self.decisions: list[StoredDecision] = []
        self.writes = 0

    def put_task(self, task: Task) -> None:
        self.writes += 1
        self.tasks[task.id] = task

    def get_task(self, task_id: str) -> Task | None:
        return self.tasks.get(task_id)

    def replace_task(self, task: Task, expected_revision: int) -> None:
        stored = self.tasks.get(task.id)
        if stored is None:
            raise TaskNotFound(task.id)
        if stored.revision != expected_revision:
            raise ConcurrentUpdate("changed")
        self.writes += 1
        self.tasks[task.id] = task

    def query_tasks(self, task_filter: TaskFilter, limit: int, cursor: str | None) -> TaskPage:
        ordered = sorted(self.tasks.values(), key=lambda t: t.created_at, reverse=True)
        return TaskPage(items=ordered[:limit])

    def put_decisions(self, decisions: Sequence[StoredDecision]) -> None:
        self.decisions.extend(decisions)


class FixedModel:
    def __init__(self, model: SentimentModel) -> None:
        self.model = model

    def active_model(self) -> SentimentModel:
        return self.model


class FixedThresholds:
    def __init__(self, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> None:
        self.thresholds = thresholds

    def current_thresholds(self) -> Thresholds:
        return self.thresholds


@pytest.fixture(scope="session")
def loaded_model(tmp_path_factory: pytest.TempPathFactory) -> SentimentModel:
    directory: Path = model_dir_for_tests(tmp_path_factory.mktemp("unit-model"))
    return SentimentModel.load(directory)


@pytest.fixture
def repository() -> MemoryTasks:
    return MemoryTasks()
