"""The gate a retrained model passes before it may become active by itself (design
decision 3): parity, then no loss against the active model on the candidate's own test
split (macro-F1, negative-class recall) and, once supervisors have reviewed enough
decisions, on those reviews. Every rule is reported, passed or not."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from functions.shared.lifecycle import GateCheck, GateResult

MAX_MACRO_F1_DROP = 0.005
MAX_NEGATIVE_RECALL_DROP = 0.01
MIN_REVIEWS = 50


@dataclass(frozen=True)
class ReviewAccuracy:
    """Both models' accuracy, as they serve, on every supervisor-reviewed text against its
    effective label (the latest review's); None where a model was not scored (fewer than
    MIN_REVIEWS reviews, or no active model). `*_trained_on`: how many of those texts each
    model was trained on (None: unknown), which a reader of the result should weigh."""

    reviews: int
    candidate: float | None = None
    active: float | None = None
    candidate_trained_on: int | None = None
    active_trained_on: int | None = None


def _negative_recall(metrics: dict[str, Any]) -> float:
    return float(metrics["per_class"]["negative"]["recall"])


def parity_failed(message: str) -> GateResult:
    """The gate's verdict when the export disagrees with scikit-learn: nothing else is
    worth checking on a model that would not serve what was measured."""
    return GateResult(passed=False, checks=[GateCheck(name="parity", passed=False, detail=message)])


def judge(
    candidate: dict[str, Any],
    active: dict[str, Any] | None,
    parity: dict[str, Any],
    reviews: ReviewAccuracy | None,
    notes: Sequence[str] = (),
) -> GateResult:
    """Checks a candidate whose export passed parity. `candidate` and `active` are metrics
    on the candidate's test split (`active` None when no model is active: nothing to lose
    against; else measured as model_build.comparison decides, which `notes` explain);
    `reviews` is None when the reviews cannot be read."""
    checks = [
        GateCheck(
            name="parity",
            passed=bool(parity.get("passed")),
            detail=f"label agreement {parity.get('label_agreement')}, largest probability "
            f"difference {parity.get('max_probability_diff')}",
        )
    ]
    if active is None:
        checks.append(
            GateCheck(name="quality", passed=True, detail="no active model to compare with")
        )
    else:
        checks += [
            _no_worse("macro_f1", candidate["macro_f1"], active["macro_f1"], MAX_MACRO_F1_DROP),
            _no_worse(
                "negative_recall",
                _negative_recall(candidate),
                _negative_recall(active),
                MAX_NEGATIVE_RECALL_DROP,
            ),
        ]
    checks.append(_reviews_check(reviews))
    return GateResult(
        passed=all(check.passed for check in checks), checks=checks, notes=list(notes)
    )


def _no_worse(name: str, candidate: float, active: float, allowed_drop: float) -> GateCheck:
    passed = candidate >= active - allowed_drop
    verdict = "within" if passed else "more than"
    return GateCheck(
        name=name,
        passed=passed,
        detail=f"{name} {candidate:.4f} against the active model's {active:.4f}: "
        f"{verdict} the allowed drop of {allowed_drop}",
    )


def _trained_on(count: int | None, whose: str) -> str:
    if count is None:
        return f"whether {whose} was trained on them is unknown"
    return f"{whose} was trained on {count} of them"


def _reviews_check(reviews: ReviewAccuracy | None) -> GateCheck:
    if reviews is None:
        return GateCheck(
            name="reviews",
            passed=True,
            detail="not applied: supervisors' reviews could not be read (no tasks table)",
        )
    count = reviews.reviews
    if count < MIN_REVIEWS:
        return GateCheck(
            name="reviews",
            passed=True,
            detail=f"not applied: {count} reviewed decisions, {MIN_REVIEWS} needed",
        )
    if reviews.candidate is None or reviews.active is None:
        return GateCheck(
            name="reviews",
            passed=True,
            detail=f"not applied: {count} reviewed decisions but no active model to compare with",
        )
    passed = reviews.candidate >= reviews.active
    return GateCheck(
        name="reviews",
        passed=passed,
        detail=f"accuracy on {count} reviewed decisions {reviews.candidate:.4f} against the "
        f"active model's {reviews.active:.4f}"
        + ("" if passed else ": below it")
        + " ("
        + _trained_on(reviews.candidate_trained_on, "the candidate")
        + "; "
        + _trained_on(reviews.active_trained_on, "the active model")
        + ")",
    )
