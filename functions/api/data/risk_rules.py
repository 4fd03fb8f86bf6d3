"""The at-risk rule in the registry table, for the API (implements
logic.ports.AtRiskRuleRepository)."""

from __future__ import annotations

from typing import Any

from functions.shared.risk import AtRiskRuleRecord
from functions.shared.risk_config import read_at_risk_rule, replace_at_risk_rule


class AtRiskRuleStore:
    def __init__(self, table: str, client: Any) -> None:
        self._table = table
        self._client = client

    def read_rule(self) -> AtRiskRuleRecord:
        """The rule in force (read consistently: a supervisor sees their own change)."""
        return read_at_risk_rule(self._client, self._table)

    def replace_rule(self, record: AtRiskRuleRecord) -> None:
        replace_at_risk_rule(self._client, self._table, record)
