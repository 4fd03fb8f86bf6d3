"""Accounts at risk: the rule supervisors set, and how an account's latest requests are
judged against it. Pure domain rules; the aggregator feeds them from the aggregates table."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import Field

from functions.shared.models import ChangeRecord, Frozen, Label, SupportLevel

RuleFired = Literal["streak", "window"]
FollowUpState = Literal["open", "contacted", "resolved"]
FollowUpMechanism = Literal["call", "email", "callback", "voucher", "other"]

MAX_STREAK_LENGTH = 20
MAX_WINDOW_NEGATIVES = 50
MAX_WINDOW_DAYS = 90


class AtRiskRule(Frozen):
    """An account is at risk after `streak_length` consecutive negative requests, or after
    `window_negatives` negative requests within `window_days` days; versioned config."""

    version: int = Field(ge=1)
    streak_length: int = Field(ge=2, le=MAX_STREAK_LENGTH)
    window_negatives: int = Field(ge=2, le=MAX_WINDOW_NEGATIVES)
    window_days: int = Field(ge=1, le=MAX_WINDOW_DAYS)


DEFAULT_AT_RISK_RULE = AtRiskRule(version=1, streak_length=3, window_negatives=3, window_days=14)


class AtRiskRuleRecord(ChangeRecord):
    """A version of the at-risk rule with who set it, when and why."""

    rule: AtRiskRule


class AccountRequest(Frozen):
    """One request of an account as the aggregator keeps it: its latest effective label."""

    task_id: str
    created_at: datetime
    created_key: str = Field(description="Sorts requests in time order.")
    label: Label
    support_level: SupportLevel
    category: str
    revision: int = Field(ge=1)


class FollowUpSummary(Frozen):
    """The latest follow-up of an account, as the at-risk list shows it."""

    id: str
    state: FollowUpState
    mechanism: FollowUpMechanism
    owner: str
    due_date: date
    created_at: datetime
    revision: int = Field(ge=1)

    def supersedes(self, other: FollowUpSummary | None) -> bool:
        """Whether this follow-up revision is newer than `other`: a later follow-up, or a
        later revision of the same one."""
        return other is None or (self.created_at, self.revision) >= (
            other.created_at,
            other.revision,
        )


class Assessment(Frozen):
    """How an account's requests since its last resolved follow-up measure against a rule."""

    rule_fired: RuleFired | None
    streak: int = Field(ge=0, description="Consecutive negatives, newest first.")
    window_negatives: int = Field(ge=0)
    requests: list[AccountRequest] = Field(description="The requests behind the rule fired.")

    @property
    def at_risk(self) -> bool:
        return self.rule_fired is not None


def assess(recent: list[AccountRequest], rule: AtRiskRule) -> Assessment:
    """Judges `recent` (an account's requests, newest first: at least the latest
    `streak_length`, and every one within `window_days` of the latest) against `rule`. The
    streak rule wins when both fire; its requests are the streak, the window rule's are the
    negatives in the window."""
    streak = 0
    for request in recent:
        if request.label != "negative":
            break
        streak += 1
    window_start = recent[0].created_at - timedelta(days=rule.window_days) if recent else None
    in_window = [
        request
        for request in recent
        if window_start is not None
        and request.created_at > window_start
        and request.label == "negative"
    ]
    if streak >= rule.streak_length:
        return Assessment(
            rule_fired="streak",
            streak=streak,
            window_negatives=len(in_window),
            requests=recent[:streak],
        )
    if len(in_window) >= rule.window_negatives:
        return Assessment(
            rule_fired="window", streak=streak, window_negatives=len(in_window), requests=in_window
        )
    return Assessment(rule_fired=None, streak=streak, window_negatives=len(in_window), requests=[])


class RiskState(Frozen):
    """An account's risk as the aggregator last judged it, with its follow-up."""

    account_id: str
    assessment: Assessment
    rule_version: int = Field(ge=1)
    latest_request_key: str | None = None
    at_risk_since: datetime | None = Field(
        default=None, description="When the current series made the account at risk."
    )
    cleared_through: str | None = Field(
        default=None,
        description="The created_key of the last request a resolved follow-up covers; only "
        "later requests can start a new series.",
    )
    follow_up: FollowUpSummary | None = None
    revision: int = Field(default=0, ge=0)

    @property
    def listed(self) -> bool:
        """Whether the account belongs on the at-risk list."""
        return self.assessment.at_risk

    def severity_key(self) -> str:
        """Sorts the most severe last: streak length, then negatives in the window, then
        escalated requests, then the latest request's time."""
        assessment = self.assessment
        escalations = sum(request.support_level == "escalate" for request in assessment.requests)
        ranks = (assessment.streak, assessment.window_negatives, escalations)
        return (
            "#".join(f"{min(rank, 999):03d}" for rank in ranks)
            + f"#{self.latest_request_key or ''}"
        )


class RiskPage(Frozen):
    """One page of the accounts at risk, most severe first."""

    items: list[RiskState]
    next_cursor: str | None = None


# Where a follow-up may go from each state; resolved is final.
FOLLOW_UP_TRANSITIONS: dict[FollowUpState, frozenset[FollowUpState]] = {
    "open": frozenset({"contacted", "resolved"}),
    "contacted": frozenset({"resolved"}),
    "resolved": frozenset(),
}


class FollowUpChange(Frozen):
    """One step in a follow-up's history."""

    state: FollowUpState
    owner: str
    due_date: date
    note: str | None = None
    changed_at: datetime
    changed_by: str


class FollowUp(Frozen):
    """What a supervisor does about an account at risk, and how far it has got."""

    id: str
    account_id: str
    mechanism: FollowUpMechanism
    owner: str
    due_date: date
    note: str | None = None
    state: FollowUpState
    created_at: datetime
    updated_at: datetime
    revision: int = Field(ge=1)
    history: list[FollowUpChange]
    resolved_through: str | None = Field(
        default=None,
        description="Set on resolution: the created_key of the account's latest request "
        "then. Later requests start a new series.",
    )


class NewFollowUp(Frozen):
    mechanism: FollowUpMechanism
    owner: str
    due_date: date
    note: str | None = None


class FollowUpChanges(Frozen):
    """A partial update of a follow-up; None leaves a field as it is."""

    state: FollowUpState | None = None
    owner: str | None = None
    due_date: date | None = None
    note: str | None = None
