"""`Schedule` (EventBridge rule) and `ScheduleV2` (EventBridge Scheduler) events, played
locally: the function is invoked at the expression's times, and `fire` invokes it now.

Expressions: `rate(N minute|minutes|hour|hours|day|days)` and six-field
`cron(minutes hours day-of-month month day-of-week year)` with `*`, `?`, lists, ranges and
`/` steps, month and day names (not `L`, `W` or `#`), evaluated in UTC. The first
`rate` firing comes one period after the stack starts, as for a rule created then. The
event is the template's `Input` when it gives one, else the "Scheduled Event" an
EventBridge rule sends (`{}` for a ScheduleV2 without `Input`). Invocations are
asynchronous in AWS, with retries; a failed one is logged here, not retried.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from infra.template import ACCOUNT_ID, REGION
from infra.triggers.loop import PlayerThread
from infra.triggers.sources import EventSource
from infra.workers import Outcome

RATE = re.compile(r"rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)")
CRON = re.compile(r"cron\(([^)]*)\)")
UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")  # day-of-week 1 is Sunday
# (lowest, highest, names) per cron field.
FIELDS: tuple[tuple[int, int, tuple[str, ...]], ...] = (
    (0, 59, ()),
    (0, 23, ()),
    (1, 31, ()),
    (1, 12, MONTHS),
    (1, 7, DAYS),
    (1970, 2199, ()),
)
CRON_SEARCH_DAYS = 366 * 5


class ScheduleError(ValueError):
    """An expression this player does not understand."""


def _values(field: str, lowest: int, highest: int, names: tuple[str, ...]) -> set[int]:
    def number(text: str) -> int:
        text = text.upper()
        return names.index(text) + lowest if text in names else int(text)

    allowed: set[int] = set()
    for part in field.split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if span in ("*", "?"):
            start, end = lowest, highest
        elif "-" in span:
            first, last = span.split("-", 1)
            start, end = number(first), number(last)
        else:
            start = number(span)
            end = highest if step_text else start
        allowed.update(range(start, end + 1, step))
    return allowed


@dataclass(frozen=True)
class Cron:
    """A parsed six-field cron expression."""

    fields: tuple[frozenset[int], ...]
    any_day_of_month: bool
    any_day_of_week: bool

    @classmethod
    def parse(cls, text: str) -> Cron:
        parts = text.split()
        if len(parts) != 6 or any(symbol in text for symbol in ("L", "W", "#")):
            raise ScheduleError(f"cron({text}): six fields without L, W or # are played")
        try:
            fields = tuple(
                frozenset(_values(part, low, high, names))
                for part, (low, high, names) in zip(parts, FIELDS, strict=True)
            )
        except ValueError as error:
            raise ScheduleError(f"cron({text}): {error}") from error
        return cls(fields, parts[2] in ("*", "?"), parts[4] in ("*", "?"))

    def matches_day(self, moment: datetime) -> bool:
        day_of_week = (moment.weekday() + 1) % 7 + 1  # Monday is 2, Sunday is 1
        in_month = moment.day in self.fields[2]
        in_week = day_of_week in self.fields[4]
        if self.any_day_of_month and self.any_day_of_week:
            return True
        if self.any_day_of_month:
            return in_week
        if self.any_day_of_week:
            return in_month
        return in_month or in_week

    def next_after(self, moment: datetime) -> datetime:
        """The first minute strictly after `moment` that the expression names."""
        candidate = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
        limit = candidate + timedelta(days=CRON_SEARCH_DAYS)
        minutes, hours, _, months, _, years = self.fields
        while candidate < limit:
            if (
                candidate.year not in years
                or candidate.month not in months
                or not self.matches_day(candidate)
            ):
                candidate = (candidate + timedelta(days=1)).replace(hour=0, minute=0)
                continue
            if candidate.hour not in hours:
                candidate = (candidate + timedelta(hours=1)).replace(minute=0)
                continue
            if candidate.minute in minutes:
                return candidate
            candidate += timedelta(minutes=1)
        raise ScheduleError("the cron expression names no time in the next five years")


def next_fire(expression: str, after: datetime) -> datetime:
    """When `expression` (rate or cron) fires next after `after` (UTC)."""
    rate = RATE.fullmatch(expression.strip())
    if rate is not None:
        unit = rate.group(2).rstrip("s")
        return after + timedelta(seconds=int(rate.group(1)) * UNIT_SECONDS[unit])
    cron = CRON.fullmatch(expression.strip())
    if cron is not None:
        return Cron.parse(cron.group(1)).next_after(after)
    raise ScheduleError(f"{expression!r}: rate(...) and cron(...) are played")


@dataclass(frozen=True)
class ScheduleMapping:
    """One `Schedule` or `ScheduleV2` event of a function."""

    function: str
    event: str
    expression: str
    scheduler: bool  # ScheduleV2: EventBridge Scheduler
    input: str | None = None

    @classmethod
    def from_source(cls, source: EventSource) -> ScheduleMapping:
        properties = source.properties
        scheduler = source.type == "ScheduleV2"
        expression = properties.get("ScheduleExpression" if scheduler else "Schedule")
        if not isinstance(expression, str):
            raise ScheduleError(f"{source.key}: the schedule expression must be a literal")
        next_fire(expression, datetime.now(UTC))  # refuses what it cannot play, at start
        given = properties.get("Input")
        return cls(
            source.function,
            source.name,
            expression,
            scheduler,
            given if isinstance(given, str) else None,
        )

    def describe(self) -> str:
        return f"{'ScheduleV2' if self.scheduler else 'Schedule'} {self.expression}"

    def event_payload(self, now: datetime) -> Any:
        """What the function receives: the template's Input, else the platform's event."""
        if self.input is not None:
            return json.loads(self.input)
        if self.scheduler:
            return {}
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": ACCOUNT_ID,
            "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": REGION,
            "resources": [f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/{self.function}{self.event}"],
            "detail": {},
        }


class ScheduleRunner(PlayerThread):
    """Fires one schedule at its times, in a thread of its own; `fire` fires it now."""

    def __init__(
        self,
        mapping: ScheduleMapping,
        invoke: Callable[[Any], Outcome],
        log: Callable[[str], None],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(f"{mapping.function}.{mapping.event}", log)
        self.mapping = mapping
        self._invoke = invoke
        self._clock = clock
        self._due = next_fire(mapping.expression, clock())

    def fire(self) -> Outcome:
        """Invokes the function now with the schedule's event; returns the outcome."""
        outcome = self._invoke(self.mapping.event_payload(self._clock()))
        if outcome.failed:
            error = outcome.error or {}
            self._log(
                f"{self.mapping.event}: the scheduled invocation failed ({error.get('errorType')})"
            )
        return outcome

    def run_once(self) -> bool:
        """Waits for the next due time and fires, unless stopped first."""
        if self._stop.wait(max(0.0, (self._due - self._clock()).total_seconds())):
            return True
        self.fire()
        self._due = next_fire(self.mapping.expression, max(self._due, self._clock()))
        return True
