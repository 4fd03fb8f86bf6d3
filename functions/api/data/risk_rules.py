"""The at-risk rule in the registry table, for the API (implements
logic.ports.AtRiskRuleRepository)."""

from __future__ import annotations

from typing import Any

from functions.shared.risk import AtRiskRuleRecord
from functions.shared.risk_config import AT_RISK_RULE


class AtRiskRuleStore:
    def __init__(self, table: str, client: Any) -> None:
        self._table = table
        self._client = client

    def read_rule(self) -> AtRiskRuleRecord:
        """The rule in force (read consistently: a supervisor sees their own change)."""
        return AT_RISK_RULE.read(self._client, self._table)

    def replace_rule(self, record: AtRiskRuleRecord) -> None:
        AT_RISK_RULE.replace(self._client, self._table, record)
