"""Support levels: how urgently a request needs a person, from its sentiment."""

from __future__ import annotations

from functions.shared.models import Probabilities, SupportLevel, Thresholds, ThresholdValues

DEFAULT_THRESHOLDS = Thresholds(version=1, escalate_negative_min=0.85, priority_negative_min=0.55)


def support_level(probabilities: Probabilities, thresholds: ThresholdValues) -> SupportLevel:
    """`escalate` when the negative probability reaches the escalate threshold, `priority`
    when it reaches the priority threshold, `standard` otherwise."""
    if probabilities.negative >= thresholds.escalate_negative_min:
        return "escalate"
    if probabilities.negative >= thresholds.priority_negative_min:
        return "priority"
    return "standard"


# How much more a review matters by what the decision set in motion, and for an account
# that was already at risk: uncertainty is weighted up by both.
LEVEL_RISK_WEIGHT: dict[SupportLevel, float] = {"escalate": 2.0, "priority": 1.5, "standard": 1.0}
AT_RISK_ACCOUNT_WEIGHT = 1.5


def margin(probabilities: Probabilities) -> float:
    """The gap between the two most likely labels: small when the model hesitates."""
    first, second = sorted(probabilities.model_dump().values(), reverse=True)[:2]
    return float(first - second)


def review_risk(probabilities: Probabilities, level: SupportLevel, account_at_risk: bool) -> float:
    """How urgently a decision needs a supervisor's eye, from 0 to 4.5: the model's
    uncertainty (1 - margin) times the support level's weight, times 1.5 for an account
    already at risk."""
    account = AT_RISK_ACCOUNT_WEIGHT if account_at_risk else 1.0
    return (1.0 - margin(probabilities)) * LEVEL_RISK_WEIGHT[level] * account
