"""Support levels: how urgently a request needs a person, from its sentiment."""

from __future__ import annotations

from functions.shared.models import Probabilities, SupportLevel, Thresholds

DEFAULT_THRESHOLDS = Thresholds(version=1, escalate_negative_min=0.85, priority_negative_min=0.55)


def support_level(probabilities: Probabilities, thresholds: Thresholds) -> SupportLevel:
    """`escalate` when the negative probability reaches the escalate threshold, `priority`
    when it reaches the priority threshold, `standard` otherwise."""
    if probabilities.negative >= thresholds.escalate_negative_min:
        return "escalate"
    if probabilities.negative >= thresholds.priority_negative_min:
        return "priority"
    return "standard"
