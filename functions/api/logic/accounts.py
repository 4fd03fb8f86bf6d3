"""Accounts at risk: the list, one account's timeline, follow-ups and the rule itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from functions.api.logic.concurrency import check_expected_revision
from functions.api.logic.ports import (
    AggregateSource,
    AtRiskRuleRepository,
    FollowUpRepository,
    TaskRepository,
)
from functions.shared.clock import new_id, utc_now
from functions.shared.errors import FollowUpNotFound, InvalidTransition
from functions.shared.models import TaskFilter, TaskPage
from functions.shared.risk import (
    FOLLOW_UP_TRANSITIONS,
    AtRiskRule,
    AtRiskRuleRecord,
    FollowUp,
    FollowUpChange,
    FollowUpChanges,
    NewFollowUp,
    RiskPage,
    RiskState,
)


@dataclass(frozen=True)
class Timeline:
    account_id: str
    risk: RiskState | None
    follow_ups: list[FollowUp]
    tasks: TaskPage


def accounts_at_risk(limit: int, cursor: str | None, source: AggregateSource) -> RiskPage:
    """One page of the accounts at risk, most severe first. Raises InvalidCursor."""
    return source.accounts_at_risk(limit, cursor)


def account_timeline(
    account_id: str,
    limit: int,
    cursor: str | None,
    *,
    reader: str,
    tasks: TaskRepository,
    follow_ups: FollowUpRepository,
    aggregates: AggregateSource,
) -> Timeline:
    """One page of the account's requests, newest first, with its risk and every
    follow-up. Raises InvalidCursor unless `cursor` was issued to `reader`."""
    return Timeline(
        account_id=account_id,
        risk=aggregates.risk_of(account_id),
        follow_ups=follow_ups.follow_ups_of(account_id),
        tasks=tasks.query_tasks(TaskFilter(account_id=account_id), limit, cursor, reader),
    )


def create_follow_up(
    account_id: str,
    new: NewFollowUp,
    *,
    by: str,
    repository: FollowUpRepository,
    now: Callable[[], datetime] = utc_now,
    make_id: Callable[[], str] = new_id,
) -> FollowUp:
    """Opens a follow-up of the account; writes one item."""
    moment = now()
    follow_up = FollowUp(
        id=make_id(),
        account_id=account_id,
        mechanism=new.mechanism,
        owner=new.owner,
        due_date=new.due_date,
        note=new.note,
        state="open",
        created_at=moment,
        updated_at=moment,
        revision=1,
        history=[
            FollowUpChange(
                state="open",
                owner=new.owner,
                due_date=new.due_date,
                note=new.note,
                changed_at=moment,
                changed_by=by,
            )
        ],
    )
    repository.put_follow_up(follow_up)
    return follow_up


def update_follow_up(
    account_id: str,
    follow_up_id: str,
    changes: FollowUpChanges,
    *,
    by: str,
    repository: FollowUpRepository,
    now: Callable[[], datetime] = utc_now,
) -> FollowUp:
    """Moves a follow-up on (open -> contacted -> resolved) or changes its owner, due date
    or note, adding a step to its history. Resolving it records the account's latest
    request: the series up to there is dealt with, and only later requests can put the
    account back on the at-risk list. Raises FollowUpNotFound, InvalidTransition and
    ConcurrentUpdate. A change that changes nothing writes nothing."""
    follow_up = repository.get_follow_up(account_id, follow_up_id)
    if follow_up is None:
        raise FollowUpNotFound(f"there is no follow-up {follow_up_id} of this account")
    state = changes.state or follow_up.state
    if state != follow_up.state and state not in FOLLOW_UP_TRANSITIONS[follow_up.state]:
        raise InvalidTransition(f"a follow-up cannot move from {follow_up.state} to {state}")
    moment = now()
    step = FollowUpChange(
        state=state,
        owner=changes.owner or follow_up.owner,
        due_date=changes.due_date or follow_up.due_date,
        note=changes.note if changes.note is not None else follow_up.note,
        changed_at=moment,
        changed_by=by,
    )
    updates: dict[str, object] = step.model_dump(include={"state", "owner", "due_date", "note"})
    if all(getattr(follow_up, name) == value for name, value in updates.items()):
        return follow_up
    if state == "resolved" and follow_up.state != "resolved":
        updates["resolved_through"] = repository.latest_request_key(account_id)
    updated = follow_up.model_copy(
        update=updates
        | {
            "updated_at": moment,
            "revision": follow_up.revision + 1,
            "history": [*follow_up.history, step],
        }
    )
    repository.replace_follow_up(updated, expected_revision=follow_up.revision)
    return updated


def current_at_risk_rule(repository: AtRiskRuleRepository) -> AtRiskRuleRecord:
    """The rule in force with who set it, when and why."""
    return repository.read_rule()


def change_at_risk_rule(
    streak_length: int,
    window_negatives: int,
    window_days: int,
    *,
    expected_version: int | None,
    by: str,
    reason: str,
    repository: AtRiskRuleRepository,
    now: Callable[[], datetime] = utc_now,
) -> AtRiskRuleRecord:
    """Puts a new version of the rule in force if `expected_version` is still current.
    Accounts are judged by it as their next request or follow-up arrives. Raises
    PreconditionRequired (no expected version) and ConcurrentUpdate."""
    current = repository.read_rule()
    check_expected_revision(current.rule.version, expected_version, "at-risk rule")
    record = AtRiskRuleRecord(
        rule=AtRiskRule(
            version=current.rule.version + 1,
            streak_length=streak_length,
            window_negatives=window_negatives,
            window_days=window_days,
        ),
        updated_at=now(),
        updated_by=by,
        reason=reason,
    )
    repository.replace_rule(record)
    return record
