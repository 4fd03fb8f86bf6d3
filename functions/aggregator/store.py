"""Data access for the aggregator: the aggregates table (counts, event markers, account
requests, risk states), the at-risk rule in the registry table and the event bus. The only
module of the function that talks to AWS."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

from botocore.exceptions import ClientError

from functions.aggregator.records import Counter
from functions.shared.aggregates import (
    EVENT_SORT,
    REQUEST_PREFIX,
    RISK_SORT,
    account_partition,
    event_partition,
    request_sort,
)
from functions.shared.aws import refused_by_condition, transact_write
from functions.shared.dynamo import from_item, item_key, to_item
from functions.shared.models import Label
from functions.shared.risk import AccountRequest, AtRiskRule, RiskState
from functions.shared.risk_config import AT_RISK_RULE
from functions.shared.risk_items import item_risk, risk_item

# A marker outlives the stream's 24-hour retention: no record can come back after it expires.
MARKER_TTL_SECONDS = 2 * 24 * 3600
# An account's risk never needs more of its requests than this (the rule's limits are lower).
MAX_RECENT_REQUESTS = 200
RECENT_PAGE = 50
ACCOUNT_AT_RISK = "AccountAtRisk"
EVENT_SOURCE = "carescore.aggregator"


def _conditional_failure(error: ClientError) -> bool:
    return bool(error.response["Error"]["Code"] == "ConditionalCheckFailedException")


class DynamoAggregateStore:
    """The aggregates table (implements aggregation.AggregateStore)."""

    def __init__(self, table: str, client: Any) -> None:
        self._table = table
        self._client = client

    def apply_counts(self, event_id: str, deltas: dict[Counter, dict[Label, int]]) -> bool:
        """Writes the event's marker (only if absent) and every count change in one
        transaction. Returns False, changing nothing, when the marker exists."""
        marker = item_key(event_partition(event_id), EVENT_SORT) | {
            "expires_at": {"N": str(int(time.time()) + MARKER_TTL_SECONDS)}
        }
        actions: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": marker,
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
        ]
        actions += [self._count_update(counter, changes) for counter, changes in deltas.items()]
        try:
            transact_write(self._client, actions)
        except ClientError as error:
            if not refused_by_condition(error):
                raise
            if self._marker_exists(event_id):
                return False
            raise
        return True

    def _count_update(self, counter: Counter, changes: dict[Label, int]) -> dict[str, Any]:
        names = {"#dimension": "dimension", "#day": "day", "#name": "name"}
        values: dict[str, Any] = {
            ":dimension": {"S": counter.dimension},
            ":day": {"S": counter.day},
            ":name": {"S": counter.name},
        }
        sets = ["#dimension = :dimension", "#day = :day", "#name = :name"]
        if counter.product is not None:
            names["#product"] = "product"
            values[":product"] = {"S": counter.product}
            sets.append("#product = :product")
        adds = []
        for label, change in sorted(changes.items()):
            names[f"#{label}"] = label
            values[f":{label}"] = {"N": str(change)}
            adds.append(f"#{label} :{label}")
        return {
            "Update": {
                "TableName": self._table,
                "Key": item_key(counter.partition, counter.sort),
                "UpdateExpression": f"SET {', '.join(sets)} ADD {', '.join(adds)}",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }

    def _marker_exists(self, event_id: str) -> bool:
        response = self._client.get_item(
            TableName=self._table,
            Key=item_key(event_partition(event_id), EVENT_SORT),
            ConsistentRead=True,
        )
        return "Item" in response

    def keep_request(self, account_id: str, request: AccountRequest) -> None:
        """Stores the account's copy of a request unless a later revision is there."""
        item = to_item(
            request.model_dump(mode="json")
            | {"pk": account_partition(account_id), "sk": request_sort(request.created_key)}
        )
        try:
            self._client.put_item(
                TableName=self._table,
                Item=item,
                ConditionExpression="attribute_not_exists(pk) OR revision < :revision",
                ExpressionAttributeValues={":revision": {"N": str(request.revision)}},
            )
        except ClientError as error:
            if not _conditional_failure(error):
                raise

    def drop_request(self, account_id: str, request: AccountRequest) -> None:
        """Deletes the account's copy of a deleted task unless a later revision is there."""
        try:
            self._client.delete_item(
                TableName=self._table,
                Key=item_key(account_partition(account_id), request_sort(request.created_key)),
                ConditionExpression="revision <= :revision",
                ExpressionAttributeValues={":revision": {"N": str(request.revision)}},
            )
        except ClientError as error:
            if not _conditional_failure(error):
                raise

    def recent_requests(
        self, account_id: str, after: str | None, at_least: int, window_days: int
    ) -> list[AccountRequest]:
        """Reads the account's requests newest first, page by page, until it has
        `at_least` of them and has passed `window_days` before the newest (or reached
        `after`, or MAX_RECENT_REQUESTS)."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :low AND :high",
            "ExpressionAttributeValues": {
                ":pk": {"S": account_partition(account_id)},
                ":low": {"S": request_sort(after) if after else REQUEST_PREFIX},
                ":high": {"S": REQUEST_PREFIX + "~"},
            },
            "ScanIndexForward": False,
            "Limit": RECENT_PAGE,
        }
        found: list[AccountRequest] = []
        while len(found) < MAX_RECENT_REQUESTS:
            response = self._client.query(**request)
            for item in response.get("Items", []):
                data = from_item(item)
                if data["created_key"] != after:
                    found.append(AccountRequest.model_validate(_fields(data, AccountRequest)))
            enough = len(found) >= at_least and (
                found[-1].created_at <= found[0].created_at - timedelta(days=window_days)
            )
            if enough or "LastEvaluatedKey" not in response:
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return found

    def read_risk(self, account_id: str) -> RiskState | None:
        response = self._client.get_item(
            TableName=self._table,
            Key=item_key(account_partition(account_id), RISK_SORT),
            ConsistentRead=True,
        )
        item = response.get("Item")
        return item_risk(item) if item else None

    def write_risk(self, state: RiskState, expected_revision: int) -> bool:
        """Stores `state` if the stored state is still at `expected_revision` (0: none)."""
        if expected_revision == 0:
            condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(pk)"}
        else:
            condition = {
                "ConditionExpression": "revision = :expected",
                "ExpressionAttributeValues": {":expected": {"N": str(expected_revision)}},
            }
        try:
            self._client.put_item(TableName=self._table, Item=risk_item(state), **condition)
        except ClientError as error:
            if _conditional_failure(error):
                return False
            raise
        return True


def _fields(data: dict[str, Any], model: type[AccountRequest]) -> dict[str, Any]:
    return {name: data[name] for name in model.model_fields}


class CachedRuleSource:
    """The at-risk rule in force, read from the registry table at most every
    `refresh_seconds` (implements aggregation.RuleSource)."""

    def __init__(self, table: str, refresh_seconds: float, client: Any) -> None:
        self._table = table
        self._refresh_seconds = refresh_seconds
        self._client = client
        self._rule: AtRiskRule | None = None
        self._read_at = 0.0

    def current_rule(self) -> AtRiskRule:
        if self._rule is None or time.monotonic() - self._read_at >= self._refresh_seconds:
            self._rule = AT_RISK_RULE.read_value(self._client, self._table)
            self._read_at = time.monotonic()
        return self._rule


class EventBusAnnouncer:
    """Puts AccountAtRisk events on the event bus (implements aggregation.RiskAnnouncer)."""

    def __init__(self, bus_name: str, client: Any) -> None:
        self._bus = bus_name
        self._client = client

    def account_at_risk(self, state: RiskState) -> None:
        """Raises RuntimeError when the bus refused the event."""
        detail = {
            "account_id": state.account_id,
            "rule_fired": state.assessment.rule_fired,
            "rule_version": state.rule_version,
            "streak": state.assessment.streak,
            "window_negatives": state.assessment.window_negatives,
            "task_ids": [request.task_id for request in state.assessment.requests],
            "at_risk_since": state.at_risk_since.isoformat() if state.at_risk_since else None,
        }
        response = self._client.put_events(
            Entries=[
                {
                    "Source": EVENT_SOURCE,
                    "DetailType": ACCOUNT_AT_RISK,
                    "Detail": json.dumps(detail),
                    "EventBusName": self._bus,
                }
            ]
        )
        if response.get("FailedEntryCount"):
            raise RuntimeError("the event bus refused the AccountAtRisk event")
