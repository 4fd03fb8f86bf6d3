"""In-memory fakes for the logic's ports; no network, no AWS."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pytest

from functions.scoring.model import SentimentModel
from functions.shared.errors import ConcurrentUpdate, TaskNotFound
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
)
from functions.shared.support import DEFAULT_THRESHOLDS, review_risk
from tests.fixtures.models import model_dir_for_tests


class MemoryTasks:
    """TaskRepository in memory; lists newest first and ignores cursors."""

    def __init__(self) -> None:
        self.tasks: dict[str, Task] = {}
        self.decisions: list[StoredDecision] = []
        self.reviews = []
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

    def query_tasks(
        self, task_filter: TaskFilter, limit: int, cursor: str | None, reader: str
    ) -> TaskPage:
        ordered = sorted(self.tasks.values(), key=lambda t: t.created_at, reverse=True)
        return TaskPage(items=ordered[:limit])

    def put_decisions(self, decisions: Sequence[StoredDecision]) -> None:
        self.decisions.extend(decisions)

    # ReviewRepository: every review kept in order; counters recounted from latest reviews.
    reviews: list[tuple[str, Review]]

    def record_review(self, before: Task, after: Task) -> None:
        assert after.review is not None
        self.replace_task(after, before.revision)
        self.reviews.append((after.decision.model_version, after.review))

    def list_reviews(self, task_id: str) -> list[Review]:
        return [review for _, review in self.reviews if review.task_id == task_id]

    def recent_reviews(self, model_version: str, count: int) -> list[Review]:
        mine = [review for version, review in self.reviews if version == model_version]
        return mine[::-1][:count]

    def review_counts(self) -> list[ReviewCounts]:
        cells: dict[str, dict[str, int]] = {}
        for task in self.tasks.values():
            if task.review is not None:
                row = cells.setdefault(task.decision.label, {})
                row[task.review.label] = row.get(task.review.label, 0) + 1
        return [ReviewCounts.model_validate({"scope": "all", "key": "all", "cells": cells})]

    def query_review_queue(
        self, queue_filter: ReviewQueueFilter, limit: int, cursor: str | None
    ) -> TaskPage:
        def risk(task: Task) -> float:
            d = task.decision
            return review_risk(d.probabilities, d.support_level, task.account_at_risk)

        waiting = [task for task in self.tasks.values() if not task.reviewed]
        return TaskPage(items=sorted(waiting, key=risk, reverse=True)[:limit])

    def level_snapshots(
        self, created_from: datetime, created_to: datetime, limit: int
    ) -> tuple[list[LevelSnapshot], bool]:
        inside = sorted(
            (t for t in self.tasks.values() if created_from <= t.created_at <= created_to),
            key=lambda t: t.created_at,
            reverse=True,
        )
        snapshots = [
            LevelSnapshot(
                task_id=t.id,
                category=t.category,
                created_at=t.created_at,
                probabilities=t.decision.probabilities,
                support_level=t.decision.support_level,
            )
            for t in inside[:limit]
        ]
        return snapshots, len(inside) <= limit


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
