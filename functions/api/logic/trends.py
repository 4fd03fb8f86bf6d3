"""Category and product reputation over time, from daily counts by effective label.

The net sentiment of a set of tasks is (positive - negative) / total. Its 95% interval
comes from a Dirichlet posterior over the three labels whose prior is the overall mix of
the period, worth PRIOR_WEIGHT tasks: a handful of tasks gives a wide interval pulled
toward the overall mix, thousands a narrow one around their own score. The interval is
computed by a seeded Monte Carlo (numpy only), so the same counts always give the same
bounds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import numpy as np

from functions.api.logic.ports import AggregateSource
from functions.shared.errors import InvalidTimeRange

Granularity = Literal["day", "week"]

PRIOR_WEIGHT = 3.0
INTERVAL_LEVEL = 0.95
POSTERIOR_DRAWS = 4000
SEED = 20150224
# Bounds what one call reads: days x categories items.
MAX_RANGE_DAYS = 366
RANKED = 5


@dataclass(frozen=True)
class LabelCounts:
    negative: int = 0
    neutral: int = 0
    positive: int = 0

    @property
    def total(self) -> int:
        return self.negative + self.neutral + self.positive

    def __add__(self, other: LabelCounts) -> LabelCounts:
        return LabelCounts(
            self.negative + other.negative,
            self.neutral + other.neutral,
            self.positive + other.positive,
        )


@dataclass(frozen=True)
class NetScore:
    """Counts with their net sentiment score (None without tasks) and its 95% interval."""

    counts: LabelCounts
    net: float | None
    low: float
    high: float


@dataclass(frozen=True)
class PeriodTrend:
    start: date
    score: NetScore
    change: float | None  # against the previous period's net score


@dataclass(frozen=True)
class NamedTrend:
    name: str
    periods: list[PeriodTrend]


@dataclass(frozen=True)
class CategoryTrends:
    granularity: Granularity
    prior: tuple[float, float, float]  # the overall mix: negative, neutral, positive
    categories: list[NamedTrend]


@dataclass(frozen=True)
class Ranked:
    name: str
    score: NetScore


@dataclass(frozen=True)
class Ranking:
    best: list[Ranked]
    worst: list[Ranked]


@dataclass(frozen=True)
class TrendSummary:
    categories: Ranking
    products: Ranking


def period_start(day: date, granularity: Granularity) -> date:
    """The first day of the period holding `day`: itself, or its ISO week's Monday."""
    return day if granularity == "day" else day - timedelta(days=day.weekday())


def _step(granularity: Granularity) -> timedelta:
    return timedelta(days=1 if granularity == "day" else 7)


def _shifted(day: date, by: timedelta) -> date | None:
    """`day` moved by `by`, or None beyond the first or last day a date can hold."""
    try:
        return day + by
    except OverflowError:
        return None


def check_range(first: date, last: date) -> None:
    """Raises InvalidTimeRange unless `first` <= `last` within MAX_RANGE_DAYS."""
    if first > last:
        raise InvalidTimeRange("from is after to")
    if (last - first).days >= MAX_RANGE_DAYS:
        raise InvalidTimeRange(f"a trend covers at most {MAX_RANGE_DAYS} days")


def overall_mix(counts: Iterable[LabelCounts]) -> tuple[float, float, float]:
    """The share of each label over `counts`, with one task of each added so that no label
    gets a zero prior."""
    total = sum(counts, LabelCounts())
    shares = np.array([total.negative, total.neutral, total.positive], dtype=float) + 1.0
    negative, neutral, positive = (shares / shares.sum()).tolist()
    return negative, neutral, positive


def net_scores(counts: list[LabelCounts], prior: tuple[float, float, float]) -> list[NetScore]:
    """The net score of each of `counts` with its 95% posterior interval under a
    Dirichlet(counts + PRIOR_WEIGHT * prior)."""
    if not counts:
        return []
    rng = np.random.default_rng(SEED)
    alpha = np.array(
        [[c.negative, c.neutral, c.positive] for c in counts], dtype=float
    ) + PRIOR_WEIGHT * np.array(prior)
    # One Dirichlet draw is three gamma draws, normalised: (draws, cells, labels).
    gammas = rng.standard_gamma(np.broadcast_to(alpha, (POSTERIOR_DRAWS, *alpha.shape)))
    shares = gammas / gammas.sum(axis=2, keepdims=True)
    net = shares[:, :, 2] - shares[:, :, 0]
    tail = (1 - INTERVAL_LEVEL) / 2
    lows, highs = np.quantile(net, [tail, 1 - tail], axis=0)
    return [
        NetScore(
            counts=c,
            net=(c.positive - c.negative) / c.total if c.total else None,
            low=round(float(low), 4),
            high=round(float(high), 4),
        )
        for c, low, high in zip(counts, lows, highs, strict=True)
    ]


def _by_name(
    rows: Iterable[tuple[str, date, LabelCounts]], granularity: Granularity
) -> dict[str, dict[date, LabelCounts]]:
    grouped: dict[str, dict[date, LabelCounts]] = defaultdict(lambda: defaultdict(LabelCounts))
    for name, day, counts in rows:
        start = period_start(day, granularity)
        grouped[name][start] = grouped[name][start] + counts
    return grouped


def _daily(
    source: AggregateSource,
    dimension: Literal["category", "product"],
    first: date,
    last: date,
    product: str | None = None,
) -> list[tuple[str, date, LabelCounts]]:
    return [
        (row.name, row.day, LabelCounts(row.negative, row.neutral, row.positive))
        for row in source.daily_counts(dimension, first, last, product)
    ]


def category_trends(
    first: date,
    last: date,
    granularity: Granularity,
    source: AggregateSource,
    product: str | None = None,
) -> CategoryTrends:
    """Per category and period from `first` to `last` (whole periods): counts by label,
    net score with its interval, and the change against the period before (which is read
    too, so the first period has one). Raises InvalidTimeRange."""
    check_range(first, last)
    step = _step(granularity)
    starts = []
    start: date | None = period_start(first, granularity)
    while start is not None and start <= last:
        starts.append(start)
        start = _shifted(start, step)
    # At the ends of the calendar there is no period before the first, or the last is cut.
    previous_start = _shifted(starts[0], -step)
    end = _shifted(starts[-1], step - timedelta(days=1)) or date.max
    rows = _daily(source, "category", previous_start or starts[0], end, product)
    grouped = _by_name(rows, granularity)
    prior = overall_mix(counts for name, day, counts in rows if day >= starts[0])
    names = sorted(name for name, periods in grouped.items() if any(s in periods for s in starts))
    cells = [
        grouped[name].get(s, LabelCounts()) if s else LabelCounts()
        for name in names
        for s in [previous_start, *starts]
    ]
    scores = net_scores(cells, prior)
    width = len(starts) + 1
    categories = []
    for position, name in enumerate(names):
        row = scores[position * width : (position + 1) * width]
        periods = [
            PeriodTrend(
                start=period,
                score=score,
                change=(
                    round(score.net - before.net, 4)
                    if score.net is not None and before.net is not None
                    else None
                ),
            )
            for period, before, score in zip(starts, row[:-1], row[1:], strict=True)
        ]
        categories.append(NamedTrend(name=name, periods=periods))
    return CategoryTrends(granularity=granularity, prior=prior, categories=categories)


def _ranking(rows: list[tuple[str, date, LabelCounts]]) -> Ranking:
    totals: dict[str, LabelCounts] = defaultdict(LabelCounts)
    for name, _, counts in rows:
        totals[name] = totals[name] + counts
    names = sorted(name for name, counts in totals.items() if counts.total)
    scores = net_scores([totals[name] for name in names], overall_mix(totals.values()))
    ranked = [Ranked(name, score) for name, score in zip(names, scores, strict=True)]
    # By the interval's bound: a few tasks cannot outrank many with the same score.
    best = sorted(ranked, key=lambda entry: (-entry.score.low, entry.name))[:RANKED]
    worst = sorted(ranked, key=lambda entry: (entry.score.high, entry.name))[:RANKED]
    return Ranking(best=best, worst=worst)


def trend_summary(first: date, last: date, source: AggregateSource) -> TrendSummary:
    """The best and worst categories and products from `first` to `last`: best by the
    interval's lower bound, worst by its upper bound. Raises InvalidTimeRange."""
    check_range(first, last)
    return TrendSummary(
        categories=_ranking(_daily(source, "category", first, last)),
        products=_ranking(_daily(source, "product", first, last)),
    )
