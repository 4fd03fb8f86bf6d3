"""The at-risk rule against an account's latest requests: pure logic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from functions.shared.models import Label
from functions.shared.risk import DEFAULT_AT_RISK_RULE, AccountRequest, assess

START = datetime(2015, 2, 1, tzinfo=UTC)


def newest_first(*labels_by_day: tuple[int, Label]) -> list[AccountRequest]:
    requests = [
        AccountRequest(
            task_id=f"t{day}",
            created_at=START + timedelta(days=day),
            created_key=(START + timedelta(days=day)).isoformat(),
            label=label,
            support_level="escalate" if label == "negative" else "standard",
            category="bags",
            revision=1,
        )
        for day, label in labels_by_day
    ]
    return sorted(requests, key=lambda request: request.created_at, reverse=True)


def test_three_negatives_in_a_row_fire_the_streak_rule() -> None:
    found = assess(
        newest_first((1, "positive"), (2, "negative"), (30, "negative"), (60, "negative")),
        DEFAULT_AT_RISK_RULE,
    )
    assert (found.rule_fired, found.streak) == ("streak", 3)
    assert [request.task_id for request in found.requests] == ["t60", "t30", "t2"]


def test_a_positive_request_breaks_the_streak() -> None:
    found = assess(
        newest_first((1, "negative"), (2, "negative"), (3, "neutral")), DEFAULT_AT_RISK_RULE
    )
    assert (found.at_risk, found.streak) == (False, 0)


def test_three_negatives_within_fourteen_days_fire_the_window_rule() -> None:
    found = assess(
        newest_first(
            (1, "negative"), (5, "positive"), (9, "negative"), (14, "negative"), (14, "neutral")
        ),
        DEFAULT_AT_RISK_RULE,
    )
    assert (found.rule_fired, found.window_negatives) == ("window", 3)


def test_negatives_spread_beyond_the_window_do_not_fire() -> None:
    found = assess(
        newest_first(
            (1, "negative"),
            (2, "positive"),
            (16, "negative"),
            (17, "positive"),
            (20, "negative"),
            (21, "positive"),
        ),
        DEFAULT_AT_RISK_RULE,
    )
    assert found.at_risk is False


def test_no_requests_no_risk() -> None:
    assert assess([], DEFAULT_AT_RISK_RULE).at_risk is False
