"""Data access for tasks and decision records (the tasks table). The only module that
reads or writes that table. Every list is a Query on a key or index (docs/access-patterns.md);
nothing here scans.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from functions.shared.aws import refused_by_condition, transact_write
from functions.shared.dynamo import from_item, item_key, to_item
from functions.shared.errors import ConcurrentUpdate, InvalidCursor, TaskExists, TaskNotFound
from functions.shared.models import (
    SUPPORT_LEVEL_RANK,
    LevelSnapshot,
    Review,
    ReviewCounts,
    ReviewedExample,
    ReviewQueueFilter,
    StoredDecision,
    Task,
    TaskFilter,
    TaskPage,
)
from functions.shared.reviewed import read_reviewed_examples
from functions.shared.support import review_risk

TASK_SORT = "TASK"
DECISION_SORT = "DECISION"
REVIEW_SORT_PREFIX = "REVIEW#"
STATS_PARTITION = "REVIEWSTATS"
CREATED_KEY = "created_key"
LEVEL_KEY = "level_key"
# The sparse review queue: only unreviewed tasks carry these two attributes.
QUEUE_PARTITION = "review_queue"
RISK_KEY = "risk_key"
UNREVIEWED = "unreviewed"
# Review items: partitioned by the model version that made the reviewed decision.
REVIEW_MODEL = "review_model"
REVIEWED_KEY = "reviewed_key"
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
# Filter field -> attribute for filters that never pick the partition.
RESIDUAL_ONLY = {"model_label": "model_label"}
FILTER_ATTRIBUTES = {name: attr for name, attr in PARTITIONS.items() if name} | RESIDUAL_ONLY
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
# DynamoDB's limit on the actions of one TransactWriteItems call.
MAX_TRANSACTION_ITEMS = 100
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
REVIEW_QUEUE_INDEX = Index("review-queue", QUEUE_PARTITION, RISK_KEY)
REVIEWS_BY_MODEL_INDEX = Index("reviews-by-model", REVIEW_MODEL, REVIEWED_KEY)
# Every index this module queries; the template declares exactly these.
ALL_INDEXES = (*INDEXES.values(), REVIEW_QUEUE_INDEX, REVIEWS_BY_MODEL_INDEX)
# A threshold preview reads at most this many tasks of its period.
MAX_PREVIEW_TASKS = 5000


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
        "label": task.effective_label,
        "model_label": task.decision.label,
        "category": task.category,
        "account_id": task.account_id,
        "reviewed": "true" if task.reviewed else "false",
    }


def risk_key(task: Task, created: str) -> str:
    """The review queue's sort key: the task's review risk, fixed width, then creation."""
    decision = task.decision
    risk = review_risk(decision.probabilities, decision.support_level, task.account_at_risk)
    return f"{round(risk * 1_000_000):07d}#{created}"


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
    if not task.reviewed:
        data |= {QUEUE_PARTITION: UNREVIEWED, RISK_KEY: risk_key(task, created)}
    return to_item(data)


_INDEX_ONLY = (
    "pk",
    "sk",
    "record_type",
    "label",
    "model_label",
    "support_level",
    "reviewed",
    "effective_label",
    CREATED_KEY,
    LEVEL_KEY,
    QUEUE_PARTITION,
    RISK_KEY,
)


def item_task(item: dict[str, Any]) -> Task:
    data = from_item(item)
    for name in _INDEX_ONLY:
        data.pop(name, None)
    return Task.model_validate(data)


def review_item(review: Review, model_version: str) -> dict[str, Any]:
    """A review as its item, beside its task: sorted by the revision it produced, and in
    the reviews-by-model index under the version that made the reviewed decision."""
    data = review.model_dump(mode="json") | {
        "pk": task_pk(review.task_id),
        "sk": f"{REVIEW_SORT_PREFIX}{review.revision:010d}",
        "record_type": "review",
        REVIEW_MODEL: model_version,
        REVIEWED_KEY: f"{time_key(review.reviewed_at)}#{review.task_id}#{review.revision:010d}",
    }
    return to_item(data)


def item_review(item: dict[str, Any]) -> Review:
    data = from_item(item)
    for name in ("pk", "sk", "record_type", REVIEW_MODEL, REVIEWED_KEY):
        data.pop(name, None)
    return Review.model_validate(data)


def week_of(moment: datetime) -> str:
    """The ISO week of a moment in UTC, e.g. ``2026-W09``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%G-W%V")


def _cell(model_label: str, reviewed_label: str) -> str:
    return f"n_{model_label}_{reviewed_label}"


def stats_updates(
    table: str, task: Task, review: Review, previous: Review | None
) -> list[dict[str, Any]]:
    """Transaction items that count `task`'s new `review` in the agreement counters
    (overall, its category, its model version, the week of its decision), moving it out
    of the cell its `previous` review counted it in. Empty when the cell does not change."""
    model_label = task.decision.label
    new = _cell(model_label, review.label)
    old = _cell(model_label, previous.label) if previous else None
    if new == old:
        return []
    names = {"#new": new, "#scope": "scope", "#key": "key"}
    values: dict[str, Any] = {":one": {"N": "1"}}
    expression = "ADD #new :one"
    if old:
        names["#old"] = old
        values[":minus"] = {"N": "-1"}
        expression += ", #old :minus"
    scopes = {
        "all": "all",
        "category": task.category,
        "model_version": task.decision.model_version,
        "week": week_of(task.decision.decided_at),
    }
    updates = []
    for scope, key in scopes.items():
        updates.append(
            {
                "Update": {
                    "TableName": table,
                    "Key": item_key(STATS_PARTITION, f"{scope}#{key}"),
                    "UpdateExpression": f"{expression} SET #scope = :{scope}_s, #key = :{scope}_k",
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": values
                    | {f":{scope}_s": {"S": scope}, f":{scope}_k": {"S": key}},
                }
            }
        )
    return updates


def item_counts(item: dict[str, Any]) -> ReviewCounts:
    data = from_item(item)
    cells: dict[str, dict[str, int]] = {}
    for name, value in data.items():
        if name.startswith("n_") and value:
            model_label, reviewed_label = name[2:].split("_")
            cells.setdefault(model_label, {})[reviewed_label] = int(value)
    return ReviewCounts.model_validate({"scope": data["scope"], "key": data["key"], "cells": cells})


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
        if name in FILTER_ATTRIBUTES
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
    low, high = _time_bounds(task_filter.created_from, task_filter.created_to)
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
            filters.append(_time_filter(names, values, low, high))
    for number, (name, value) in enumerate(sorted(residual.items())):
        names[f"#f{number}"] = FILTER_ATTRIBUTES[name]
        values[f":f{number}"] = {"S": _attribute_value(value)}
        filters.append(f"#f{number} = :f{number}")
    if not sort_condition:
        del names["#s"]
    key_condition = "#p = :p" + (f" AND {sort_condition}" if sort_condition else "")
    return QueryPlan(index, key_condition, " AND ".join(filters) or None, names, values)


def _time_filter(
    names: dict[str, str], values: dict[str, Any], low: str | None, high: str | None
) -> str:
    names["#t"] = CREATED_KEY
    values[":tlow"], values[":thigh"] = {"S": low or " "}, {"S": high or "~"}
    return "#t BETWEEN :tlow AND :thigh"


def _time_bounds(
    created_from: datetime | None, created_to: datetime | None
) -> tuple[str | None, str | None]:
    """Bounds on `created_key` for an inclusive time range (either end open)."""
    low = time_key(created_from) if created_from else None
    high = time_key(created_to) + "~" if created_to else None
    return low, high


def plan_review_queue(queue_filter: ReviewQueueFilter) -> QueryPlan:
    """The sparse review-queue index, riskiest first; every filter narrows that partition."""
    names = {"#p": QUEUE_PARTITION}
    values: dict[str, Any] = {":p": {"S": UNREVIEWED}}
    filters: list[str] = []
    for name in ("category", "product", "label"):
        value = getattr(queue_filter, name)
        if value is not None:
            names[f"#{name}"] = name
            values[f":{name}"] = {"S": value}
            filters.append(f"#{name} = :{name}")
    if queue_filter.model_version is not None:
        names["#d"], names["#mv"] = "decision", "model_version"
        values[":mv"] = {"S": queue_filter.model_version}
        filters.append("#d.#mv = :mv")
    low, high = _time_bounds(queue_filter.created_from, queue_filter.created_to)
    if low or high:
        filters.append(_time_filter(names, values, low, high))
    return QueryPlan(REVIEW_QUEUE_INDEX, "#p = :p", " AND ".join(filters) or None, names, values)


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

    def __init__(self, table_name: str, client: Any, cursor_key: Callable[[], bytes]) -> None:
        """`cursor_key` yields the stage's secret that signs list cursors (read on the first
        list that needs it)."""
        self._table = table_name
        self._client = client
        self._cursor_key = cursor_key

    def put_task(self, task: Task) -> None:
        """Writes a new task; raises TaskExists when one with the same id is stored."""
        try:
            self._client.put_item(
                TableName=self._table,
                Item=task_item(task),
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            raise TaskExists(f"there is a task {task.id} already") from None

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
            self._refuse_stale(task.id)

    def put_decisions(self, decisions: Sequence[StoredDecision]) -> None:
        """Writes decision records, each group of up to 100 in one transaction (a batch of
        texts is at most 100, so one call is one transaction). A transaction, not
        BatchWriteItem: the API's role needs no delete right, and a batch is stored whole
        or not at all. Raises ClientError when DynamoDB refuses the write."""
        puts = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": decision_item(record),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
            for record in decisions
        ]
        for start in range(0, len(puts), MAX_TRANSACTION_ITEMS):
            transact_write(self._client, puts[start : start + MAX_TRANSACTION_ITEMS])

    def ping(self) -> None:
        """Raises when the table cannot be read."""
        self._client.get_item(TableName=self._table, Key=item_key("HEALTH", "HEALTH"))

    def query_tasks(
        self, task_filter: TaskFilter, limit: int, cursor: str | None, reader: str
    ) -> TaskPage:
        """One page of tasks from the index `plan_query` picks, newest or most urgent first.

        Reads at most MAX_QUERY_CALLS pages of the partition, so a sparse filter may return
        fewer than `limit` tasks with a cursor to continue. Cursors are signed for `reader`
        and the filter: raises InvalidCursor for one that was not issued to this reader for
        this filter, or that was altered.
        """
        plan = plan_query(task_filter)
        return self._page(plan, cursor_binding(task_filter, reader, plan.index), limit, cursor)

    def query_review_queue(
        self, queue_filter: ReviewQueueFilter, limit: int, cursor: str | None
    ) -> TaskPage:
        """One page of unreviewed tasks, riskiest first, from the sparse review-queue index;
        bounded and continued like `query_tasks` (its cursors are signed for the filter;
        the queue is the same for every supervisor). Raises InvalidCursor."""
        plan = plan_review_queue(queue_filter)
        return self._page(plan, cursor_binding(queue_filter, "", plan.index), limit, cursor)

    def _page(self, plan: QueryPlan, binding: str, limit: int, cursor: str | None) -> TaskPage:
        start = decode_cursor(cursor, binding, self._cursor_key()) if cursor else None
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
        next_cursor = (
            encode_cursor(plain_key(last_key), binding, self._cursor_key()) if last_key else None
        )
        return TaskPage(items=tasks, next_cursor=next_cursor)

    def record_review(self, before: Task, after: Task) -> None:
        """Stores `after`'s latest review beside the decision, and `after` over `before`, in
        one transaction with the agreement counters, if the stored task is still at
        `before`'s revision. The task item's stream record carries both images, so a
        stream reader can move counts from the old effective label to the new one.

        Raises TaskNotFound when the task is gone, ConcurrentUpdate when another change got
        there first, and ValueError when `after` carries no review.
        """
        review = after.review
        if review is None:
            raise ValueError("a task without a review has no review to record")
        task, expected_revision = after, before.revision
        transaction = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": task_item(task),
                    "ConditionExpression": "attribute_exists(pk) AND revision = :expected",
                    "ExpressionAttributeValues": {":expected": {"N": str(expected_revision)}},
                }
            },
            {
                "Put": {
                    "TableName": self._table,
                    "Item": review_item(review, task.decision.model_version),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            *stats_updates(self._table, task, review, before.review),
        ]
        try:
            transact_write(self._client, transaction)
        except ClientError as error:
            if not refused_by_condition(error):
                raise
            self._refuse_stale(task.id)

    def _refuse_stale(self, task_id: str) -> None:
        if self.get_task(task_id) is None:
            raise TaskNotFound(f"there is no task {task_id}") from None
        raise ConcurrentUpdate(
            "the task changed since it was read; read it again and retry with its ETag"
        ) from None

    def list_reviews(self, task_id: str) -> list[Review]:
        """Every review of a task, oldest first (a query on the task's own partition)."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :reviews)",
            "ExpressionAttributeValues": {
                ":pk": {"S": task_pk(task_id)},
                ":reviews": {"S": REVIEW_SORT_PREFIX},
            },
            "ConsistentRead": True,
        }
        return [item_review(item) for item in self._query_all(request)]

    def recent_reviews(self, model_version: str, count: int) -> list[Review]:
        """The latest `count` reviews of decisions made by `model_version`, newest first
        (one page of the reviews-by-model index)."""
        response = self._client.query(
            TableName=self._table,
            IndexName=REVIEWS_BY_MODEL_INDEX.name,
            KeyConditionExpression="#p = :p",
            ExpressionAttributeNames={"#p": REVIEW_MODEL},
            ExpressionAttributeValues={":p": {"S": model_version}},
            ScanIndexForward=False,
            Limit=count,
        )
        return [item_review(item) for item in response.get("Items", [])]

    def reviewed_examples(self) -> list[ReviewedExample]:
        """Every reviewed task as a labelled text (its latest review's label): the whole
        reviewed partition of the reviewed-newest index, page after page."""
        return read_reviewed_examples(self._client, self._table)

    def review_counts(self) -> list[ReviewCounts]:
        """Every agreement counter (one partition: overall, per category, per model version,
        per week)."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": STATS_PARTITION}},
        }
        return [item_counts(item) for item in self._query_all(request)]

    def _query_all(self, request: dict[str, Any]) -> list[dict[str, Any]]:
        """Every item of a query over one small partition, page after page."""
        items: list[dict[str, Any]] = []
        while True:
            response = self._client.query(**request)
            items.extend(response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return items
            request = request | {"ExclusiveStartKey": response["LastEvaluatedKey"]}

    def level_snapshots(
        self, created_from: datetime, created_to: datetime, limit: int
    ) -> tuple[list[LevelSnapshot], bool]:
        """The probabilities and stored support level of tasks created in a period, newest
        first, at most `limit` of them (a range query on all-newest that reads only those
        attributes). The flag says whether the whole period was read."""
        index = INDEXES[(None, "newest")]
        low, high = _time_bounds(created_from, created_to)
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": index.name,
            "KeyConditionExpression": "#p = :p AND #s BETWEEN :low AND :high",
            "ProjectionExpression": "id, category, created_at, #d.probabilities, #d.support_level",
            "ExpressionAttributeNames": {"#p": index.partition, "#s": index.sort, "#d": "decision"},
            "ExpressionAttributeValues": {
                ":p": {"S": "task"},
                ":low": {"S": low},
                ":high": {"S": high},
            },
            "ScanIndexForward": False,
        }
        snapshots: list[LevelSnapshot] = []
        while len(snapshots) < limit:
            request["Limit"] = limit - len(snapshots)
            response = self._client.query(**request)
            for item in response.get("Items", []):
                data = from_item(item)
                snapshots.append(
                    LevelSnapshot(
                        task_id=data["id"],
                        category=data["category"],
                        created_at=data["created_at"],
                        probabilities=data["decision"]["probabilities"],
                        support_level=data["decision"]["support_level"],
                    )
                )
            if "LastEvaluatedKey" not in response:
                return snapshots, True
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return snapshots, False


def _key_of(item: dict[str, Any], index: Index) -> dict[str, Any]:
    return {name: item[name] for name in ("pk", "sk", index.partition, index.sort)}


def cursor_binding(query_filter: TaskFilter | ReviewQueueFilter, reader: str, index: Index) -> str:
    """What a cursor is valid for: this reader, this filter and order, this index."""
    canonical = json.dumps(
        {"reader": reader, "filter": query_filter.model_dump(mode="json"), "index": index.name},
        sort_keys=True,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def plain_key(key: dict[str, Any]) -> dict[str, str]:
    return {name: value["S"] for name, value in key.items()}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode("ascii"))


def _signature(secret: bytes, binding: str, payload: bytes) -> bytes:
    return hmac.new(secret, binding.encode() + b"\n" + payload, hashlib.sha256).digest()


def encode_cursor(key: dict[str, str], binding: str, secret: bytes) -> str:
    """An opaque continuation token: the position (`key`) signed with `secret` for
    `binding` (see `cursor_binding`), so it cannot be forged, altered or replayed by
    another reader or for another filter."""
    payload = json.dumps(key, separators=(",", ":"), sort_keys=True).encode()
    return f"{_b64(payload)}.{_b64(_signature(secret, binding, payload))}"


INVALID_CURSOR_MESSAGE = "the cursor was not issued to this caller for this filter and order"


def decode_cursor(cursor: str, binding: str, secret: bytes) -> dict[str, Any]:
    """The ExclusiveStartKey inside `cursor`. Raises InvalidCursor unless its signature
    matches `binding` under `secret`; the payload is parsed only after that."""
    encoded, _, signature = cursor.partition(".")
    try:
        payload, presented = _unb64(encoded), _unb64(signature)
    except (ValueError, binascii.Error, UnicodeError):
        raise InvalidCursor(INVALID_CURSOR_MESSAGE) from None
    if not hmac.compare_digest(presented, _signature(secret, binding, payload)):
        raise InvalidCursor(INVALID_CURSOR_MESSAGE)
    key = json.loads(payload)
    return {name: {"S": value} for name, value in key.items()}
