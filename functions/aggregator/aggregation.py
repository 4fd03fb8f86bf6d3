"""The aggregator's domain logic: one stream record in, counts moved exactly once and the
account's risk recomputed. It takes ports; `functions.aggregator.store` implements them."""

from __future__ import annotations

from typing import Any, Protocol

from functions.aggregator.records import (
    Counter,
    FollowUpFacts,
    counter_deltas,
    follow_up_facts,
    task_facts,
)
from functions.shared.models import Label
from functions.shared.risk import AccountRequest, Assessment, AtRiskRule, RiskState, assess

MAX_STATE_ATTEMPTS = 3


class AggregateStore(Protocol):
    def apply_counts(self, event_id: str, deltas: dict[Counter, dict[Label, int]]) -> bool:
        """Moves the counts and writes the event's marker in one transaction; False when
        the marker was there already (the event was counted before)."""
        ...

    def keep_request(self, account_id: str, request: AccountRequest) -> None:
        """Stores the request unless a later revision of it is stored already."""
        ...

    def drop_request(self, account_id: str, request: AccountRequest) -> None: ...

    def recent_requests(
        self, account_id: str, after: str | None, at_least: int, window_days: int
    ) -> list[AccountRequest]:
        """The account's requests later than created_key `after`, newest first: at least
        `at_least` of them when there are, and all within `window_days` of the newest."""
        ...

    def read_risk(self, account_id: str) -> RiskState | None: ...

    def write_risk(self, state: RiskState, expected_revision: int) -> bool:
        """Stores `state` if the stored one is still at `expected_revision`; False if not."""
        ...


class RuleSource(Protocol):
    def current_rule(self) -> AtRiskRule: ...


class RiskAnnouncer(Protocol):
    def account_at_risk(self, state: RiskState) -> None:
        """Tells other systems that the account has just become at risk."""
        ...


class StateContention(Exception):
    """The risk state kept changing under the aggregator; the record is retried."""


def aggregate_change(
    event_id: str,
    old_image: dict[str, Any] | None,
    new_image: dict[str, Any] | None,
    *,
    store: AggregateStore,
    rules: RuleSource,
    announcer: RiskAnnouncer,
) -> None:
    """Applies one stream record of the tasks table (its images as plain values).

    A task's change moves the daily counts exactly once per `event_id`, keeps the account's
    copy of the request at its latest revision and recomputes the account's risk; a
    follow-up's change updates the account's follow-up and, once resolved, clears the
    series it covered. Everything but the counts is recomputed from stored state, so a
    record applied again, or out of order, changes nothing more. Raises StateContention
    when the risk state could not be written.
    """
    old_task, new_task = task_facts(old_image), task_facts(new_image)
    deltas = counter_deltas(old_task, new_task)
    if deltas:
        store.apply_counts(event_id, deltas)
    if new_task is not None:
        store.keep_request(new_task.account_id, new_task.request)
    elif old_task is not None:
        store.drop_request(old_task.account_id, old_task.request)
    task = new_task or old_task
    if task is not None:
        reassess(task.account_id, None, store=store, rules=rules, announcer=announcer)
        return
    follow_up = follow_up_facts(new_image)
    if follow_up is not None:
        reassess(follow_up.account_id, follow_up, store=store, rules=rules, announcer=announcer)


def reassess(
    account_id: str,
    follow_up: FollowUpFacts | None,
    *,
    store: AggregateStore,
    rules: RuleSource,
    announcer: RiskAnnouncer,
) -> RiskState:
    """Recomputes the account's risk from its latest requests and stores it when it
    changed; announces the account when it has just become at risk. Returns the state."""
    rule = rules.current_rule()
    for _ in range(MAX_STATE_ATTEMPTS):
        previous = store.read_risk(account_id) or RiskState(
            account_id=account_id,
            assessment=Assessment(rule_fired=None, streak=0, window_negatives=0, requests=[]),
            rule_version=rule.version,
        )
        current_follow_up, cleared = previous.follow_up, previous.cleared_through
        if follow_up is not None and follow_up.summary.supersedes(current_follow_up):
            current_follow_up = follow_up.summary
        if follow_up is not None and follow_up.resolved_through is not None:
            cleared = max(cleared or "", follow_up.resolved_through)
        recent = store.recent_requests(
            account_id, cleared, at_least=rule.streak_length, window_days=rule.window_days
        )
        assessment = assess(recent, rule)
        became_at_risk = assessment.at_risk and not previous.listed
        if (
            became_at_risk
            and current_follow_up is not None
            and current_follow_up.state == "resolved"
        ):
            current_follow_up = None  # a new series starts without a follow-up
        state = RiskState(
            account_id=account_id,
            assessment=assessment,
            rule_version=rule.version,
            latest_request_key=recent[0].created_key if recent else previous.latest_request_key,
            at_risk_since=(
                (previous.at_risk_since if not became_at_risk else recent[0].created_at)
                if assessment.at_risk
                else None
            ),
            cleared_through=cleared,
            follow_up=current_follow_up,
            revision=previous.revision + 1,
        )
        if state.model_copy(update={"revision": previous.revision}) == previous:
            return previous
        if became_at_risk:
            # Announced before the state is stored: if either fails, the record is retried
            # and announces again (at least once), rather than storing a state that no
            # retry would announce.
            announcer.account_at_risk(state)
        if store.write_risk(state, previous.revision):
            return state
    raise StateContention(f"the risk state of {account_id} kept changing")
