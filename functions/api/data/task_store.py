"""Data access for tasks and decision records (the tasks table). The only module that
reads or writes that table. Every list is a Query on a key or index (docs/access-patterns.md);
nothing here scans.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from functions.shared.dynamo import from_item, item_key, to_item
from functions.shared.errors import ConcurrentUpdate, InvalidCursor, TaskNotFound
from functions.shared.models import (
    SUPPORT_LEVEL_RANK,
    StoredDecision,
    Task,
    TaskFilter,
    TaskPage,
)

TASK_SORT = "TASK"
DECISION_SORT = "DECISION"
CREATED_KEY = "created_key"
LEVEL_KEY = "level_key"
# Filter field -> the attribute a GSI is partitioned on. `None` lists every task.
PARTITIONS: dict[str | None, str] = {
    "account_id": "account_id",
    "category": "category",
    "label": "label",
    "support_level": "support_level",
    "reviewed": "reviewed",
    "status": "status",
    None: "record_type",
}
# When several filters are given, the most selective one picks the index.
PREFERENCE: tuple[str | None, ...] = tuple(PARTITIONS)
_INDEX_STEM = {
    "account_id": "account",
    "category": "category",
    "label": "label",
    "support_level": "support-level",
    "reviewed": "reviewed",
    "status": "status",
    None: "all",
}
MAX_QUERY_CALLS = 8
FILTERED_PAGE_READ = 100


@dataclass(frozen=True)
class Index:
    name: str
    partition: str
    sort: str


def _indexes() -> dict[tuple[str | None, str], Index]:
    plan: dict[tuple[str | None, str], Index] = {}
    for field, attribute in PARTITIONS.items():
        stem = _INDEX_STEM[field]
        plan[(field, "newest")] = Index(f"{stem}-newest", attribute, CREATED_KEY)
        if field != "support_level":  # one support level is already in level order
            plan[(field, "support_level")] = Index(f"{stem}-by-level", attribute, LEVEL_KEY)
    return plan


INDEXES = _indexes()


def time_key(moment: datetime) -> str:
    """A fixed-width UTC timestamp that sorts as text in time order. A time without a zone
    is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _task_partitions(task: Task) -> dict[str, str]:
    return {
        "record_type": "task",
        "status": task.status,
        "support_level": task.decision.support_level,
        "label": task.decision.label,
        "category": task.category,
        "account_id": task.account_id,
        "reviewed": "true" if task.reviewed else "false",
    }


def task_pk(task_id: str) -> str:
    return f"TASK#{task_id}"


def task_item(task: Task) -> dict[str, Any]:
    """A task as its DynamoDB item: the record plus its key and index attributes."""
    created = f"{time_key(task.created_at)}#{task.id}"
    rank = SUPPORT_LEVEL_RANK[task.decision.support_level]
    data = task.model_dump(mode="json") | _task_partitions(task)
    data |= {
        "pk": task_pk(task.id),
        "sk": TASK_SORT,
        CREATED_KEY: created,
        LEVEL_KEY: f"{rank}#{created}",
    }
    return to_item(data)


def item_task(item: dict[str, Any]) -> Task:
    data = from_item(item)
    for name in ("pk", "sk", "record_type", "label", "support_level", CREATED_KEY, LEVEL_KEY):
        data.pop(name, None)
    data["reviewed"] = data.get("reviewed") == "true"
    return Task.model_validate(data)


def decision_item(record: StoredDecision) -> dict[str, Any]:
    data = record.model_dump(mode="json") | {
        "pk": f"DECISION#{record.id}",
        "sk": DECISION_SORT,
        "record_type": "decision",
        CREATED_KEY: f"{time_key(record.created_at)}#{record.id}",
    }
    return to_item(data)


@dataclass(frozen=True)
class QueryPlan:
    """Which index answers a filter, with its key condition and residual filters."""

    index: Index
    key_condition: str
    filter_expression: str | None
    names: dict[str, str]
    values: dict[str, Any]


def plan_query(task_filter: TaskFilter) -> QueryPlan:
    """Chooses the index for `task_filter`.

    The most selective filter given names the partition, the order picks the sort key, a
    time range (newest order) or a support level (level order) narrows the sort key, and
    what remains filters that one partition.
    """
    given = {
        name: value
        for name, value in task_filter.model_dump(exclude_none=True).items()
        if name in PARTITIONS
    }
    by_level = task_filter.order == "support_level"
    choices = [name for name in PREFERENCE if name is None or name in given]
    if by_level and len(choices) > 2:
        # A level-ordered index selects one level by sort-key prefix, so prefer another.
        choices = [name for name in choices if name != "support_level"]
    field = choices[0]
    level_sorted = by_level and field != "support_level"
    index = INDEXES[(field, "support_level" if level_sorted else "newest")]
    names = {"#p": index.partition, "#s": index.sort}
    values: dict[str, Any] = {
        ":p": {"S": "task" if field is None else _attribute_value(given[field])}
    }
    low = time_key(task_filter.created_from) if task_filter.created_from else None
    high = time_key(task_filter.created_to) + "~" if task_filter.created_to else None
    filters: list[str] = []
    residual = {name: value for name, value in given.items() if name != field}
    if not level_sorted:
        sort_condition = _between(names, values, "", low, high)
    elif "support_level" in residual:
        prefix = f"{SUPPORT_LEVEL_RANK[residual.pop('support_level')]}#"
        sort_condition = _between(names, values, prefix, low or "", high or "~")
    else:
        sort_condition = ""
        if low or high:
            # Level order cannot bound time by its sort key; the range filters the partition.
            names["#t"] = CREATED_KEY
            values[":tlow"], values[":thigh"] = {"S": low or " "}, {"S": high or "~"}
            filters.append("#t BETWEEN :tlow AND :thigh")
    for number, (name, value) in enumerate(sorted(residual.items())):
        names[f"#f{number}"] = PARTITIONS[name]
        values[f":f{number}"] = {"S": _attribute_value(value)}
        filters.append(f"#f{number} = :f{number}")
    if not sort_condition:
        del names["#s"]
    key_condition = "#p = :p" + (f" AND {sort_condition}" if sort_condition else "")
    return QueryPlan(index, key_condition, " AND ".join(filters) or None, names, values)


def _between(
    names: dict[str, str],
    values: dict[str, Any],
    prefix: str,
    low: str | None,
    high: str | None,
) -> str:
    if low is None and high is None:
        return ""
    if prefix and not low and high == "~":
        values[":prefix"] = {"S": prefix}
        return "begins_with(#s, :prefix)"
    # Key values may not be empty strings; " " sorts before any timestamp.
    values[":low"] = {"S": prefix + (low or " ")}
    values[":high"] = {"S": prefix + (high or "~")}
    return "#s BETWEEN :low AND :high"


def _attribute_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class TaskStore:
    """Tasks and stored decisions in the tasks table (implements TaskRepository)."""

    def __init__(self, table_name: str, client: Any) -> None:
        self._table = table_name
        self._client = client

    def put_task(self, task: Task) -> None:
        """Writes a new task; a second write with the same id fails (ClientError)."""
        self._client.put_item(
            TableName=self._table,
            Item=task_item(task),
            ConditionExpression="attribute_not_exists(pk)",
        )

    def get_task(self, task_id: str) -> Task | None:
        response = self._client.get_item(
            TableName=self._table,
            Key=item_key(task_pk(task_id), TASK_SORT),
        )
        item = response.get("Item")
        return item_task(item) if item else None

    def replace_task(self, task: Task, expected_revision: int) -> None:
        """Writes `task` over the stored one if that is still at `expected_revision`.

        Raises TaskNotFound when the task is gone and ConcurrentUpdate when another
        change got there first.
        """
        try:
            self._client.put_item(
                TableName=self._table,
                Item=task_item(task),
                ConditionExpression="attribute_exists(pk) AND revision = :expected",
                ExpressionAttributeValues={":expected": {"N": str(expected_revision)}},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            if self.get_task(task.id) is None:
                raise TaskNotFound(f"there is no task {task.id}") from None
            raise ConcurrentUpdate(
                "the task changed while this update was being made; read it and try again"
            ) from None

    def put_decisions(self, decisions: Sequence[StoredDecision]) -> None:
        """Writes decision records in batches of 25, retrying unprocessed ones a few times."""
        requests = [{"PutRequest": {"Item": decision_item(record)}} for record in decisions]
        for start in range(0, len(requests), 25):
            pending = {self._table: requests[start : start + 25]}
            for _ in range(5):
                response = self._client.batch_write_item(RequestItems=pending)
                pending = response.get("UnprocessedItems") or {}
                if not pending:
                    break
            else:
                raise RuntimeError("DynamoDB left decision records unprocessed")

    def ping(self) -> None:
        """Raises when the table cannot be read."""
        self._client.get_item(TableName=self._table, Key=item_key("HEALTH", "HEALTH"))

    def query_tasks(self, task_filter: TaskFilter, limit: int, cursor: str | None) -> TaskPage:
        """One page of tasks from the index `plan_query` picks, newest or most urgent first.

        Reads at most MAX_QUERY_CALLS pages of the partition, so a sparse filter may return
        fewer than `limit` tasks with a cursor to continue. Raises InvalidCursor when the
        cursor is malformed or was issued for a different filter.
        """
        plan = plan_query(task_filter)
        fingerprint = _fingerprint(task_filter)
        start = decode_cursor(cursor, plan.index, fingerprint) if cursor else None
        items: list[dict[str, Any]] = []
        last_key: dict[str, Any] | None = None
        for _ in range(MAX_QUERY_CALLS):
            wanted = limit - len(items)
            request: dict[str, Any] = {
                "TableName": self._table,
                "IndexName": plan.index.name,
                "KeyConditionExpression": plan.key_condition,
                "ExpressionAttributeNames": plan.names,
                "ExpressionAttributeValues": plan.values,
                "ScanIndexForward": False,
                "Limit": max(wanted, FILTERED_PAGE_READ) if plan.filter_expression else wanted,
            }
            if plan.filter_expression:
                request["FilterExpression"] = plan.filter_expression
            if start:
                request["ExclusiveStartKey"] = start
            response = self._client.query(**request)
            page = response.get("Items", [])
            last_key = response.get("LastEvaluatedKey")
            if len(items) + len(page) >= limit:
                items.extend(page[:wanted])
                # Continue after the last task returned, not after the last one read.
                overflow = len(page) > wanted
                last_key = _key_of(items[-1], plan.index) if overflow or last_key else None
                break
            items.extend(page)
            if not last_key:
                break
            start = last_key
        tasks = [item_task(item) for item in items]
        next_cursor = encode_cursor(last_key, plan.index, fingerprint) if last_key else None
        return TaskPage(items=tasks, next_cursor=next_cursor)


def _key_of(item: dict[str, Any], index: Index) -> dict[str, Any]:
    return {name: item[name] for name in ("pk", "sk", index.partition, index.sort)}


def _fingerprint(task_filter: TaskFilter) -> str:
    canonical = json.dumps(task_filter.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def encode_cursor(key: dict[str, Any], index: Index, fingerprint: str) -> str:
    """An opaque continuation token bound to the index and filter that produced it."""
    plain = {name: value["S"] for name, value in key.items()}
    payload = json.dumps({"i": index.name, "f": fingerprint, "k": plain}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, index: Index, fingerprint: str) -> dict[str, Any]:
    """The ExclusiveStartKey inside `cursor`; raises InvalidCursor unless it is well formed
    and was issued for the same index and filter."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        raise InvalidCursor("the cursor is not one this API issued") from None
    expected = {"pk", "sk", index.partition, index.sort}
    key = payload.get("k") if isinstance(payload, dict) else None
    if (
        not isinstance(key, dict)
        or set(key) != expected
        or not all(isinstance(value, str) and value for value in key.values())
    ):
        raise InvalidCursor("the cursor is not one this API issued")
    if payload.get("i") != index.name or payload.get("f") != fingerprint:
        raise InvalidCursor("the cursor belongs to a different filter or order")
    return {name: {"S": value} for name, value in key.items()}
