"""Net sentiment scores and their intervals, periods and ranking: pure logic."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from functions.api.logic.trends import (
    LabelCounts,
    net_scores,
    overall_mix,
    period_start,
)

MIX = (0.6, 0.25, 0.15)
counts = st.builds(LabelCounts, st.integers(0, 500), st.integers(0, 500), st.integers(0, 500))


@given(counts)
def test_the_interval_lies_within_minus_one_and_one_around_the_posterior(
    observed: LabelCounts,
) -> None:
    (score,) = net_scores([observed], MIX)
    assert -1 <= score.low < score.high <= 1


def test_many_tasks_hold_the_interval_close_to_their_own_score() -> None:
    (score,) = net_scores([LabelCounts(negative=1000, neutral=500, positive=500)], MIX)
    assert score.net == -0.25
    assert score.low < -0.25 < score.high
    assert score.high - score.low < 0.1


def test_a_single_task_is_pulled_toward_the_overall_mix() -> None:
    (one,) = net_scores([LabelCounts(positive=1)], MIX)
    assert one.net == 1.0
    assert one.low < 0 < one.high


def test_no_tasks_means_no_score_but_the_priors_interval() -> None:
    (empty,) = net_scores([LabelCounts()], MIX)
    assert empty.net is None
    assert empty.low < 0.15 - 0.6 < empty.high


def test_the_same_counts_always_get_the_same_interval() -> None:
    observed = [LabelCounts(3, 1, 2), LabelCounts(10, 4, 1)]
    assert net_scores(observed, MIX) == net_scores(observed, MIX)


def test_the_overall_mix_never_gives_a_label_zero_weight() -> None:
    assert min(overall_mix([LabelCounts(negative=10)])) > 0


def test_a_week_starts_on_its_monday() -> None:
    assert period_start(date(2015, 2, 22), "week") == date(2015, 2, 16)
    assert period_start(date(2015, 2, 22), "day") == date(2015, 2, 22)
