"""Read access to the aggregates table, which the aggregator alone writes. Every read is a
key condition on one partition (docs/access-patterns.md): its cost follows the days,
categories and accounts asked for, never the number of stored tasks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from functions.api.data.task_store import Index, decode_cursor, encode_cursor, plain_key
from functions.shared.aggregates import (
    AT_RISK_INDEX,
    AT_RISK_PARTITION,
    RISK_SORT,
    DailyCount,
    Dimension,
    account_partition,
    counts_partition,
    split_counts_sort,
)
from functions.shared.dynamo import from_item, item_key
from functions.shared.risk import RiskPage, RiskState
from functions.shared.risk_items import item_risk

AT_RISK = Index(AT_RISK_INDEX, "at_risk_list", "severity_key")
# What an at-risk cursor is valid for: the list is one order for every reader.
AT_RISK_CURSOR_BINDING = "accounts-at-risk"


class AggregateReader:
    """Daily counts and risk states (implements logic.ports.AggregateSource and
    AccountRiskSource)."""

    def __init__(self, table: str, client: Any, cursor_key: Callable[[], bytes]) -> None:
        """`cursor_key` yields the stage's secret that signs list cursors."""
        self._table = table
        self._client = client
        self._cursor_key = cursor_key

    def daily_counts(
        self, dimension: Dimension, first: date, last: date, product: str | None = None
    ) -> list[DailyCount]:
        """Every count of `dimension` (categories optionally within `product`) from day
        `first` to day `last`, inclusive: one Query on one partition."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :low AND :high",
            "ExpressionAttributeValues": {
                ":pk": {"S": counts_partition(dimension, product)},
                ":low": {"S": f"{first.isoformat()}#"},
                # "$" sorts right after "#": every name of the last day is below it.
                ":high": {"S": f"{last.isoformat()}$"},
            },
        }
        counts: list[DailyCount] = []
        while True:
            response = self._client.query(**request)
            for item in response.get("Items", []):
                data = from_item(item)
                day, name = split_counts_sort(data["sk"])
                counts.append(
                    DailyCount(
                        day=date.fromisoformat(day),
                        name=name,
                        negative=data.get("negative", 0),
                        neutral=data.get("neutral", 0),
                        positive=data.get("positive", 0),
                    )
                )
            if "LastEvaluatedKey" not in response:
                return counts
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def accounts_at_risk(self, limit: int, cursor: str | None) -> RiskPage:
        """One page of the accounts at risk, most severe first, from the sparse
        at-risk-by-severity index. Raises InvalidCursor for a cursor it did not issue."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": AT_RISK.name,
            "KeyConditionExpression": "#p = :p",
            "ExpressionAttributeNames": {"#p": AT_RISK.partition},
            "ExpressionAttributeValues": {":p": {"S": AT_RISK_PARTITION}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if cursor:
            request["ExclusiveStartKey"] = decode_cursor(
                cursor, AT_RISK_CURSOR_BINDING, self._cursor_key()
            )
        response = self._client.query(**request)
        last_key = response.get("LastEvaluatedKey")
        return RiskPage(
            items=[item_risk(item) for item in response.get("Items", [])],
            next_cursor=encode_cursor(
                plain_key(last_key),
                AT_RISK_CURSOR_BINDING,
                self._cursor_key(),
            )
            if last_key
            else None,
        )

    def is_at_risk(self, account_id: str) -> bool:
        """Whether the account is on the at-risk list now (one GetItem)."""
        risk = self.risk_of(account_id)
        return risk is not None and risk.listed

    def risk_of(self, account_id: str) -> RiskState | None:
        """The account's risk state, or None when the aggregator has not seen it."""
        response = self._client.get_item(
            TableName=self._table, Key=item_key(account_partition(account_id), RISK_SORT)
        )
        item = response.get("Item")
        return item_risk(item) if item else None
