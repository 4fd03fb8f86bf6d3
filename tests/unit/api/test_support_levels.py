"""Support levels from probabilities and thresholds."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.shared.models import Probabilities, Thresholds
from functions.shared.support import DEFAULT_THRESHOLDS, support_level


def probabilities(negative: float) -> Probabilities:
    rest = (1 - negative) / 2
    return Probabilities(negative=negative, neutral=rest, positive=rest)


@pytest.mark.parametrize(
    ("negative", "level"),
    [
        (0.99, "escalate"),
        (0.85, "escalate"),
        (0.84, "priority"),
        (0.55, "priority"),
        (0.54, "standard"),
        (0.0, "standard"),
    ],
)
def test_default_thresholds_map_negative_probability_to_a_level(
    negative: float, level: str
) -> None:
    assert support_level(probabilities(negative), DEFAULT_THRESHOLDS) == level


@given(st.floats(0, 1), st.floats(0, 1))
def test_more_negative_never_means_less_urgent(a: float, b: float) -> None:
    rank = {"standard": 0, "priority": 1, "escalate": 2}
    low, high = sorted((a, b))
    assert (
        rank[support_level(probabilities(low), DEFAULT_THRESHOLDS)]
        <= rank[support_level(probabilities(high), DEFAULT_THRESHOLDS)]
    )


def test_priority_above_escalate_is_refused() -> None:
    with pytest.raises(ValueError, match="priority"):
        Thresholds(version=2, escalate_negative_min=0.5, priority_negative_min=0.6)
