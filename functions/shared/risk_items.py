"""Risk states as items of the aggregates table (see functions.shared.aggregates)."""

from __future__ import annotations

from typing import Any

from functions.shared.aggregates import AT_RISK_PARTITION, RISK_SORT, account_partition
from functions.shared.dynamo import from_item, to_item
from functions.shared.risk import RiskState


def risk_item(state: RiskState) -> dict[str, Any]:
    """A risk state as its item; a listed account carries the at-risk index's keys."""
    data = state.model_dump(mode="json") | {
        "pk": account_partition(state.account_id),
        "sk": RISK_SORT,
    }
    if state.listed:
        data |= {"at_risk_list": AT_RISK_PARTITION, "severity_key": state.severity_key()}
    return to_item(data)


def item_risk(item: dict[str, Any]) -> RiskState:
    data = from_item(item)
    return RiskState.model_validate(
        {name: data[name] for name in RiskState.model_fields if name in data}
    )
