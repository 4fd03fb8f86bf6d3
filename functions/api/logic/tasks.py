"""The task lifecycle: create (scored on arrival), read, list, update with valid transitions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from functions.api.logic.concurrency import check_expected_revision
from functions.api.logic.ports import (
    NO_ACCOUNT_AT_RISK,
    AccountRiskSource,
    ModelSource,
    TaskReader,
    TaskRepository,
    ThresholdSource,
)
from functions.api.logic.scoring import decide_one
from functions.shared.clock import new_id, utc_now
from functions.shared.errors import Forbidden, InvalidTimeRange, InvalidTransition, TaskNotFound
from functions.shared.models import NewTask, Task, TaskChanges, TaskFilter, TaskPage, TaskStatus

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


def check_time_range(created_from: datetime | None, created_to: datetime | None) -> None:
    """Raises InvalidTimeRange when a period ends before it starts (either end may be open)."""
    if created_from is not None and created_to is not None and created_from > created_to:
        raise InvalidTimeRange("created_from is after created_to")


def check_own_account(account_id: str | None, confined_to: str | None) -> None:
    """Raises Forbidden when a caller confined to one account (a customer) names another.
    `confined_to` None means the caller works across accounts."""
    if confined_to is not None and account_id is not None and account_id != confined_to:
        raise Forbidden("you may only act on your own account")


def account_of_new_task(requested: str | None, confined_to: str | None) -> str | None:
    """The account a new task belongs to: the one the caller named, else, for a caller
    confined to one account (a customer), their own. None when neither is known: a caller
    who works across accounts must name one."""
    return requested if requested is not None else confined_to


def create_task(
    new: NewTask,
    *,
    models: ModelSource,
    thresholds: ThresholdSource,
    repository: TaskRepository,
    accounts: AccountRiskSource = NO_ACCOUNT_AT_RISK,
    confined_to: str | None = None,
    created_at: datetime | None = None,
    now: Callable[[], datetime] = utc_now,
    make_id: Callable[[], str] = new_id,
) -> Task:
    """Scores the request's text and stores it as an open task with its decision record,
    noting whether its account was at risk (which raises its place in the review queue).

    A caller confined to one account may only create tasks for it. `created_at` gives a
    historical request its original time (the decision keeps the time it was made).
    Raises Forbidden, InvalidText (blank or too long) and ModelUnavailable; writes one item.
    """
    check_own_account(new.account_id, confined_to)
    decision = decide_one(new.text, models.active_model(), thresholds.current_thresholds(), now)
    task = Task(
        id=make_id(),
        text=new.text,
        account_id=new.account_id,
        category=new.category,
        channel=new.channel,
        product=new.product,
        status="open",
        created_at=created_at or decision.decided_at,
        updated_at=decision.decided_at,
        revision=1,
        decision=decision,
        account_at_risk=accounts.is_at_risk(new.account_id),
    )
    repository.put_task(task)
    return task


def get_task(task_id: str, repository: TaskReader, confined_to: str | None = None) -> Task:
    """Raises TaskNotFound when there is no task `task_id`, or when the caller is confined
    to another account: the same error either way, so a customer cannot learn that someone
    else's task exists."""
    task = repository.get_task(task_id)
    if task is None or (confined_to is not None and task.account_id != confined_to):
        raise TaskNotFound(f"there is no task {task_id}")
    return task


def update_task(
    task_id: str,
    changes: TaskChanges,
    expected_revision: int | None,
    repository: TaskRepository,
    now: Callable[[], datetime] = utc_now,
) -> Task:
    """Applies `changes` to the task if it is still at `expected_revision` and its status
    transition is allowed.

    Raises TaskNotFound, PreconditionRequired (no expected revision), ConcurrentUpdate
    (the task is at another revision, or changed between read and write) and
    InvalidTransition. A change that changes nothing writes nothing.
    """
    task = get_task(task_id, repository)
    check_expected_revision(task.revision, expected_revision, "task")
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
    task_filter: TaskFilter,
    limit: int,
    cursor: str | None,
    repository: TaskRepository,
    *,
    reader: str,
    confined_to: str | None = None,
) -> TaskPage:
    """One page of tasks matching `task_filter`, in its order. A caller confined to one
    account sees only its tasks: no account filter means theirs, another account's is
    refused. A cursor continues only the list it came from, for the `reader` it was given
    to. Raises Forbidden, InvalidCursor and InvalidTimeRange."""
    check_own_account(task_filter.account_id, confined_to)
    if confined_to is not None:
        task_filter = task_filter.model_copy(update={"account_id": confined_to})
    check_time_range(task_filter.created_from, task_filter.created_to)
    return repository.query_tasks(task_filter, limit, cursor, reader)
