"""Data access for follow-ups, kept in the tasks table beside the account's tasks so their
changes reach the aggregator through the same stream: ``ACCOUNT#<account>`` /
``FOLLOWUP#<id>``. They carry none of the task indexes' key attributes, so no task listing
ever meets them."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from functions.api.data.task_store import CREATED_KEY, INDEXES
from functions.shared.aggregates import account_partition
from functions.shared.dynamo import from_item, item_key, to_item
from functions.shared.errors import ConcurrentUpdate
from functions.shared.risk import FollowUp

FOLLOW_UP_PREFIX = "FOLLOWUP#"
ACCOUNT_NEWEST = INDEXES[("account_id", "newest")]


def follow_up_item(follow_up: FollowUp) -> dict[str, Any]:
    data = follow_up.model_dump(mode="json") | {
        "pk": account_partition(follow_up.account_id),
        "sk": f"{FOLLOW_UP_PREFIX}{follow_up.id}",
    }
    return to_item(data)


def item_follow_up(item: dict[str, Any]) -> FollowUp:
    data = from_item(item)
    return FollowUp.model_validate(
        {name: data[name] for name in FollowUp.model_fields if name in data}
    )


class FollowUpStore:
    """Follow-ups in the tasks table (implements logic.ports.FollowUpRepository)."""

    def __init__(self, table: str, client: Any) -> None:
        self._table = table
        self._client = client

    def put_follow_up(self, follow_up: FollowUp) -> None:
        self._client.put_item(
            TableName=self._table,
            Item=follow_up_item(follow_up),
            ConditionExpression="attribute_not_exists(pk)",
        )

    def get_follow_up(self, account_id: str, follow_up_id: str) -> FollowUp | None:
        response = self._client.get_item(
            TableName=self._table,
            Key=item_key(account_partition(account_id), f"{FOLLOW_UP_PREFIX}{follow_up_id}"),
            ConsistentRead=True,
        )
        item = response.get("Item")
        return item_follow_up(item) if item else None

    def replace_follow_up(self, follow_up: FollowUp, expected_revision: int) -> None:
        """Stores `follow_up` if the stored one is still at `expected_revision`; raises
        ConcurrentUpdate otherwise."""
        try:
            self._client.put_item(
                TableName=self._table,
                Item=follow_up_item(follow_up),
                ConditionExpression="revision = :expected",
                ExpressionAttributeValues={":expected": {"N": str(expected_revision)}},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            raise ConcurrentUpdate(
                "the follow-up changed while this update was being made; read it and try again"
            ) from None

    def follow_ups_of(self, account_id: str) -> list[FollowUp]:
        """Every follow-up of the account, oldest first (an account has a handful)."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {
                ":pk": {"S": account_partition(account_id)},
                ":prefix": {"S": FOLLOW_UP_PREFIX},
            },
        }
        found: list[FollowUp] = []
        while True:
            response = self._client.query(**request)
            found += [item_follow_up(item) for item in response.get("Items", [])]
            if "LastEvaluatedKey" not in response:
                return sorted(found, key=lambda follow_up: follow_up.created_at)
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def latest_request_key(self, account_id: str) -> str | None:
        """The created_key of the account's newest task (one item of its index), or None."""
        response = self._client.query(
            TableName=self._table,
            IndexName=ACCOUNT_NEWEST.name,
            KeyConditionExpression="#p = :p",
            ExpressionAttributeNames={"#p": ACCOUNT_NEWEST.partition, "#s": CREATED_KEY},
            ExpressionAttributeValues={":p": {"S": account_id}},
            ProjectionExpression="#s",
            ScanIndexForward=False,
            Limit=1,
        )
        items = response.get("Items", [])
        return str(items[0][CREATED_KEY]["S"]) if items else None
