"""The at-risk rule, versioned in the registry table like the support-level thresholds:
``CONFIG#at_risk`` (`VersionedConfig`)."""

from __future__ import annotations

from functions.shared.risk import DEFAULT_AT_RISK_RULE, AtRiskRule, AtRiskRuleRecord
from functions.shared.versioned import VersionedConfig

AT_RISK_RULE = VersionedConfig(
    "at_risk",
    AtRiskRule,
    AtRiskRuleRecord,
    field="rule",
    default=DEFAULT_AT_RISK_RULE,
    default_reason="default",
    conflict="the at-risk rule changed since it was read; read it and try again",
)
