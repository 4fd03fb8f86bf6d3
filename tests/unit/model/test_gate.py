"""The gate's rules: parity, no loss beyond the allowed drops against the active model, and
no loss on supervisors' reviews once there are enough of them."""

from __future__ import annotations

from typing import Any

import pytest

from model_build.gate import MIN_REVIEWS, ReviewAccuracy, judge, parity_failed

PARITY = {"passed": True, "label_agreement": 1.0, "max_probability_diff": 1e-7}


def metrics(macro_f1: float, negative_recall: float) -> dict[str, Any]:
    return {"macro_f1": macro_f1, "per_class": {"negative": {"recall": negative_recall}}}


def failed(result: Any) -> set[str]:
    return {check.name for check in result.checks if not check.passed}


def test_with_no_active_model_a_candidate_that_passes_parity_passes() -> None:
    result = judge(metrics(0.5, 0.5), None, PARITY, None)
    assert result.passed
    assert result.reasons == []


@pytest.mark.parametrize(
    ("candidate", "active", "failing"),
    [
        (metrics(0.745, 0.90), metrics(0.75, 0.90), set()),  # exactly the allowed drop
        (metrics(0.744, 0.90), metrics(0.75, 0.90), {"macro_f1"}),
        (metrics(0.75, 0.89), metrics(0.75, 0.90), set()),
        (metrics(0.75, 0.889), metrics(0.75, 0.90), {"negative_recall"}),
        (metrics(0.70, 0.80), metrics(0.75, 0.90), {"macro_f1", "negative_recall"}),
    ],
)
def test_quality_may_drop_only_by_the_allowed_margins(
    candidate: dict[str, Any], active: dict[str, Any], failing: set[str]
) -> None:
    result = judge(candidate, active, PARITY, None)
    assert failed(result) == failing
    assert result.passed is not failing
    assert len(result.reasons) == len(failing)


def test_reviews_count_only_once_there_are_enough() -> None:
    few = ReviewAccuracy(reviews=MIN_REVIEWS - 1, candidate=0.1, active=0.9)
    enough = ReviewAccuracy(reviews=MIN_REVIEWS, candidate=0.1, active=0.9)
    assert judge(metrics(0.8, 0.9), None, PARITY, few).passed
    assert failed(judge(metrics(0.8, 0.9), None, PARITY, enough)) == {"reviews"}


def test_a_parity_failure_is_the_one_reason_given() -> None:
    result = parity_failed("label agreement 99.1%")
    assert not result.passed
    assert result.reasons == ["label agreement 99.1%"]
