"""/v1/trends: category reputation over time and the period's best and worst, read from the
aggregator's daily counts only."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Query

from functions.api import deps
from functions.api.auth import READ_TRENDS, Principal, allow, secured
from functions.api.data.aggregates import AggregateReader
from functions.api.http_errors import documented
from functions.api.logic import trends as logic
from functions.api.schemas import (
    CategoryTrend,
    CategoryTrends,
    Date,
    LabelMix,
    NetScore,
    PeriodTrend,
    RankedEntry,
    Ranking,
    TrendSummary,
)

router = Router()  # type: ignore[no-untyped-call]

From = Annotated[Date, Query(alias="from", description="First day (UTC), inclusive.")]
To = Annotated[Date, Query(alias="to", description="Last day (UTC), inclusive.")]


def _figures(score: logic.NetScore) -> dict[str, Any]:
    return NetScore(
        negative=score.counts.negative,
        neutral=score.counts.neutral,
        positive=score.counts.positive,
        total=score.counts.total,
        net=score.net,
        net_low=score.low,
        net_high=score.high,
    ).model_dump()


def _ranking(ranking: logic.Ranking) -> Ranking:
    return Ranking(
        best=[RankedEntry(name=entry.name, **_figures(entry.score)) for entry in ranking.best],
        worst=[RankedEntry(name=entry.name, **_figures(entry.score)) for entry in ranking.worst],
    )


@router.get(
    "/trends/categories",
    summary="How each category is regarded, period by period",
    description=(
        "Per category and day or ISO week: tasks by effective label, the net sentiment "
        "score with its 95% interval, and the change against the previous period. At most "
        f"{logic.MAX_RANGE_DAYS} days; `product` narrows to one product."
    ),
    tags=["trends"],
    responses=documented(200, CategoryTrends, "Trends per category", 400, 401, 403, 422, 503),
    **secured(READ_TRENDS),
)
def handle_get_category_trends(  # powertools passes parameters by name
    first: From,
    last: To,
    source: Annotated[AggregateReader, Depends(deps.aggregate_reader)],
    _caller: Annotated[Principal, Depends(allow(READ_TRENDS))],
    granularity: Annotated[logic.Granularity, Query()] = "week",
    product: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
) -> CategoryTrends:
    trends = logic.category_trends(first, last, granularity, source, product)
    negative, neutral, positive = trends.prior
    return CategoryTrends(
        granularity=trends.granularity,
        product=product,
        prior=LabelMix(negative=negative, neutral=neutral, positive=positive),
        categories=[
            CategoryTrend(
                category=category.name,
                periods=[
                    PeriodTrend(
                        period_start=period.start, change=period.change, **_figures(period.score)
                    )
                    for period in category.periods
                ],
            )
            for category in trends.categories
        ],
    )


@router.get(
    "/trends/summary",
    summary="The best and worst categories and products of a period",
    description=(
        "Ranked by the net score's 95% interval, so a category with a few tasks cannot "
        "outrank one with thousands: best by the lower bound, worst by the upper bound."
    ),
    tags=["trends"],
    responses=documented(200, TrendSummary, "Best and worst", 400, 401, 403, 422, 503),
    **secured(READ_TRENDS),
)
def handle_get_trend_summary(
    first: From,
    last: To,
    source: Annotated[AggregateReader, Depends(deps.aggregate_reader)],
    _caller: Annotated[Principal, Depends(allow(READ_TRENDS))],
) -> TrendSummary:
    summary = logic.trend_summary(first, last, source)
    return TrendSummary(
        categories=_ranking(summary.categories), products=_ranking(summary.products)
    )
