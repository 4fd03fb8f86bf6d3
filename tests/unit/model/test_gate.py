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


def reviews_check(result: Any) -> Any:
    return next(check for check in result.checks if check.name == "reviews")


def test_on_enough_reviews_a_candidate_as_accurate_as_the_active_model_passes() -> None:
    reviews = ReviewAccuracy(
        reviews=MIN_REVIEWS, candidate=0.8, active=0.8, candidate_trained_on=40, active_trained_on=0
    )
    result = judge(metrics(0.8, 0.9), metrics(0.8, 0.9), PARITY, reviews)
    assert result.passed
    check = reviews_check(result)
    assert check.passed
    assert check.detail == (
        f"accuracy on {MIN_REVIEWS} reviewed decisions 0.8000 against the active model's "
        "0.8000 (the candidate was trained on 40 of them; the active model was trained on 0 "
        "of them)"
    )


def test_on_enough_reviews_a_candidate_less_accurate_than_the_active_model_is_rejected() -> None:
    reviews = ReviewAccuracy(reviews=MIN_REVIEWS + 30, candidate=0.79, active=0.8)
    result = judge(metrics(0.8, 0.9), metrics(0.8, 0.9), PARITY, reviews)
    assert not result.passed
    assert failed(result) == {"reviews"}
    assert result.reasons == [
        f"accuracy on {MIN_REVIEWS + 30} reviewed decisions 0.7900 against the active model's "
        "0.8000: below it (whether the candidate was trained on them is unknown; whether the "
        "active model was trained on them is unknown)"
    ]


def test_below_enough_reviews_the_rule_is_not_applied_and_the_result_says_so() -> None:
    few = ReviewAccuracy(reviews=MIN_REVIEWS - 1)
    result = judge(metrics(0.8, 0.9), metrics(0.8, 0.9), PARITY, few)
    assert result.passed
    check = reviews_check(result)
    assert check.passed
    assert (
        check.detail == f"not applied: {MIN_REVIEWS - 1} reviewed decisions, {MIN_REVIEWS} needed"
    )


@pytest.mark.parametrize(
    ("reviews", "detail"),
    [
        (None, "not applied: supervisors' reviews could not be read (no tasks table)"),
        (
            ReviewAccuracy(reviews=MIN_REVIEWS),
            f"not applied: {MIN_REVIEWS} reviewed decisions but no active model to compare with",
        ),
    ],
)
def test_the_reviews_rule_says_why_it_was_not_applied(
    reviews: ReviewAccuracy | None, detail: str
) -> None:
    result = judge(metrics(0.8, 0.9), None, PARITY, reviews)
    assert result.passed
    assert reviews_check(result).detail == detail


def test_the_gate_result_keeps_how_the_comparison_was_made() -> None:
    note = "the active model v1 was trained on none of the 80 test texts: measured as it serves"
    result = judge(metrics(0.8, 0.9), metrics(0.8, 0.9), PARITY, None, notes=[note])
    assert result.notes == [note]


def test_a_parity_failure_is_the_one_reason_given() -> None:
    result = parity_failed("label agreement 99.1%")
    assert not result.passed
    assert result.reasons == ["label agreement 99.1%"]
