"""When schedule expressions fire."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from infra.triggers.schedules import ScheduleError, next_fire

START = datetime(2026, 3, 6, 10, 17, 30, tzinfo=UTC)  # a Friday


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("rate(1 minute)", datetime(2026, 3, 6, 10, 18, 30, tzinfo=UTC)),
        ("rate(5 minutes)", datetime(2026, 3, 6, 10, 22, 30, tzinfo=UTC)),
        ("rate(2 hours)", datetime(2026, 3, 6, 12, 17, 30, tzinfo=UTC)),
        ("rate(1 day)", datetime(2026, 3, 7, 10, 17, 30, tzinfo=UTC)),
        ("cron(0 3 * * ? *)", datetime(2026, 3, 7, 3, 0, tzinfo=UTC)),
        ("cron(*/15 * * * ? *)", datetime(2026, 3, 6, 10, 30, tzinfo=UTC)),
        ("cron(0 9 ? * MON-FRI *)", datetime(2026, 3, 9, 9, 0, tzinfo=UTC)),
        ("cron(30 10 1 * ? *)", datetime(2026, 4, 1, 10, 30, tzinfo=UTC)),
        ("cron(0 0 1 JAN ? 2027)", datetime(2027, 1, 1, 0, 0, tzinfo=UTC)),
    ],
)
def test_an_expression_fires_next_at_its_following_time(
    expression: str, expected: datetime
) -> None:
    assert next_fire(expression, START) == expected


@pytest.mark.parametrize(
    "expression",
    ["rate(0.5 minutes)", "cron(0 3 L * ? *)", "cron(0 3 * *)", "at(2026-01-01T00:00:00)"],
)
def test_an_expression_the_player_cannot_play_is_refused(expression: str) -> None:
    with pytest.raises(ScheduleError):
        next_fire(expression, START)
