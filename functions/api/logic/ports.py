"""What the logic needs from the outside world; data access implements these, tests fake them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from functions.scoring.model import SentimentModel
from functions.shared.models import StoredDecision, Task, TaskFilter, TaskPage, Thresholds


class ModelSource(Protocol):
    def active_model(self) -> SentimentModel:
        """The active model; raises ModelUnavailable when there is none."""
        ...


class ThresholdSource(Protocol):
    def current_thresholds(self) -> Thresholds: ...


class TaskRepository(Protocol):
    def put_task(self, task: Task) -> None: ...

    def get_task(self, task_id: str) -> Task | None: ...

    def replace_task(self, task: Task, expected_revision: int) -> None:
        """Stores `task` if the stored one is still at `expected_revision`; raises
        ConcurrentUpdate otherwise and TaskNotFound when it is gone."""
        ...

    def query_tasks(self, task_filter: TaskFilter, limit: int, cursor: str | None) -> TaskPage: ...

    def put_decisions(self, decisions: Sequence[StoredDecision]) -> None: ...
