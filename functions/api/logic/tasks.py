"""The task lifecycle: create (scored on arrival), read, list, update with valid transitions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from functions.api.errors import InvalidTimeRange, InvalidTransition, TaskNotFound
from functions.api.logic.clock import new_id, utc_now
from functions.api.logic.models import NewTask, Task, TaskChanges, TaskFilter, TaskPage, TaskStatus
from functions.api.logic.ports import ModelSource, TaskRepository, ThresholdSource
from functions.api.logic.scoring import decide_one

# Where a task may go from each status. Staying put is always allowed (a no-op).
ALLOWED_TRANSITIONS: dict[TaskStatus, frozenset[TaskStatus]] = {
    "open": frozenset({"in_progress", "resolved"}),
    "in_progress": frozenset({"open", "resolved"}),
    "resolved": frozenset({"open"}),
}


def check_transition(current: TaskStatus, target: TaskStatus) -> None:
    """Raises InvalidTransition when a task may not move from `current` to `target`."""
    if target != current and target not in ALLOWED_TRANSITIONS[current]:
        raise InvalidTransition(f"a task cannot move from {current} to {target}")


def create_task(
    new: NewTask,
    *,
    models: ModelSource,
    thresholds: ThresholdSource,
    repository: TaskRepository,
    now: Callable[[], datetime] = utc_now,
    make_id: Callable[[], str] = new_id,
) -> Task:
    """Scores the request's text and stores it as an open task with its decision record.

    Raises InvalidText (blank or too long) and ModelUnavailable; writes one item.
    """
    decision = decide_one(new.text, models.active_model(), thresholds.current_thresholds(), now)
    task = Task(
        id=make_id(),
        text=new.text,
        account_id=new.account_id,
        category=new.category,
        channel=new.channel,
        product=new.product,
        status="open",
        created_at=decision.decided_at,
        updated_at=decision.decided_at,
        revision=1,
        decision=decision,
    )
    repository.put_task(task)
    return task


def get_task(task_id: str, repository: TaskRepository) -> Task:
    """Raises TaskNotFound when there is no task `task_id`."""
    task = repository.get_task(task_id)
    if task is None:
        raise TaskNotFound(f"there is no task {task_id}")
    return task


def update_task(
    task_id: str,
    changes: TaskChanges,
    repository: TaskRepository,
    now: Callable[[], datetime] = utc_now,
) -> Task:
    """Applies `changes` to the task if its status transition is allowed.

    Raises TaskNotFound, InvalidTransition, or ConcurrentUpdate when the task changed
    between read and write. A change that changes nothing writes nothing.
    """
    task = get_task(task_id, repository)
    updates: dict[str, object] = {}
    if "status" in changes.fields_set and changes.status is not None:
        check_transition(task.status, changes.status)
        updates["status"] = changes.status
    for name in ("assignee", "reply_note"):
        if name in changes.fields_set:
            updates[name] = getattr(changes, name)
    if all(getattr(task, name) == value for name, value in updates.items()):
        return task
    updated = task.model_copy(update=updates | {"updated_at": now(), "revision": task.revision + 1})
    repository.replace_task(updated, expected_revision=task.revision)
    return updated


def list_tasks(
    task_filter: TaskFilter, limit: int, cursor: str | None, repository: TaskRepository
) -> TaskPage:
    """One page of tasks matching `task_filter`, in its order; raises InvalidCursor and
    InvalidTimeRange."""
    if (
        task_filter.created_from is not None
        and task_filter.created_to is not None
        and task_filter.created_from > task_filter.created_to
    ):
        raise InvalidTimeRange("created_from is after created_to")
    return repository.query_tasks(task_filter, limit, cursor)
