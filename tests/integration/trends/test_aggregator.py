"""The aggregator against moto: real table writes, the stream read back, the handler in
process."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from functions.api.data.task_store import TaskStore, task_item
from functions.shared.aggregates import counts_partition
from functions.shared.dynamo import from_item
from functions.shared.models import Label, Task
from tests.fixtures.tasks import labelled_task
from tests.integration.trends.conftest import REGION, Drain, at, at_risk_messages

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics")


@pytest.fixture
def store(aws: dict[str, str]) -> TaskStore:
    return TaskStore(aws["TasksTable"], boto3.client("dynamodb", region_name=REGION), lambda: b"k")


def review(aws: dict[str, str], task: Task, label: Label) -> Task:
    """Writes the next revision of `task` with a review's effective label."""
    revised = task.model_copy(update={"revision": task.revision + 1})
    boto3.client("dynamodb", region_name=REGION).put_item(
        TableName=aws["TasksTable"],
        Item=task_item(revised) | {"effective_label": {"S": label}},
    )
    return revised


def counts(aws: dict[str, str], partition: str) -> dict[str, dict[str, int]]:
    """sk -> non-zero counts by label, of one counts partition."""
    items = boto3.client("dynamodb", region_name=REGION).query(
        TableName=aws["AggregatesTable"],
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": partition}},
    )["Items"]
    found = {}
    for item in items:
        data = from_item(item)
        labels = {k: data[k] for k in ("negative", "neutral", "positive") if data.get(k)}
        if labels:
            found[data["sk"]] = labels
    return found


def test_new_tasks_are_counted_by_category_product_and_day(
    aws: dict[str, str], store: TaskStore, drain: Drain
) -> None:
    store.put_task(labelled_task("a", label="negative", created_at=at(17), product="United"))
    store.put_task(labelled_task("b", label="positive", created_at=at(17, 23), product="United"))
    store.put_task(labelled_task("c", label="negative", created_at=at(18), category="late"))

    assert drain() == {"batchItemFailures": []}

    assert counts(aws, counts_partition("category")) == {
        "2015-02-17#baggage": {"negative": 1, "positive": 1},
        "2015-02-18#late": {"negative": 1},
    }
    assert counts(aws, counts_partition("product")) == {
        "2015-02-17#United": {"negative": 1, "positive": 1}
    }
    assert counts(aws, counts_partition("category", "United")) == {
        "2015-02-17#baggage": {"negative": 1, "positive": 1}
    }


def test_a_review_that_changes_the_label_moves_the_count(
    aws: dict[str, str], store: TaskStore, drain: Drain
) -> None:
    task = labelled_task("a", label="negative", created_at=at(17))
    store.put_task(task)
    drain()

    review(aws, task, "neutral")
    drain()

    assert counts(aws, counts_partition("category")) == {"2015-02-17#baggage": {"neutral": 1}}


def test_a_redelivered_batch_counts_once(
    aws: dict[str, str], store: TaskStore, drain: Drain, stream: Any
) -> None:
    from functions.aggregator.app import lambda_handler
    from tests.fixtures.api_events import FakeContext
    from tests.fixtures.streams import stream_event

    store.put_task(labelled_task("a", label="negative", created_at=at(17)))
    records = stream.new_records()

    for _ in range(3):
        assert lambda_handler(stream_event(records), FakeContext()) == {"batchItemFailures": []}

    assert counts(aws, counts_partition("category")) == {"2015-02-17#baggage": {"negative": 1}}


def test_a_bad_record_fails_alone(
    aws: dict[str, str], store: TaskStore, stream: Any, messaging: dict[str, str]
) -> None:
    from functions.aggregator.app import lambda_handler
    from tests.fixtures.api_events import FakeContext
    from tests.fixtures.streams import stream_event

    store.put_task(labelled_task("a", label="negative", created_at=at(17)))
    store.put_task(labelled_task("b", label="positive", created_at=at(17)))
    good, bad = stream.new_records()
    del bad["dynamodb"]["NewImage"]["category"]

    response = lambda_handler(stream_event([bad, good]), FakeContext())

    assert response == {
        "batchItemFailures": [{"itemIdentifier": bad["dynamodb"]["SequenceNumber"]}]
    }
    assert counts(aws, counts_partition("category")) == {"2015-02-17#baggage": {"negative": 1}}


def test_three_negatives_in_a_row_put_the_account_at_risk_and_announce_it(
    store: TaskStore, drain: Drain, messaging: dict[str, str]
) -> None:
    for day in (16, 18, 20):
        store.put_task(labelled_task(f"n{day}", label="negative", created_at=at(day)))
    store.put_task(labelled_task("other", label="negative", created_at=at(20), account_id="b"))

    drain()

    (event,) = at_risk_messages(messaging["AccountAtRiskQueue"])
    assert event["detail-type"] == "AccountAtRisk"
    assert event["detail"]["account_id"] == "acct-1"
    assert event["detail"]["rule_fired"] == "streak"
    assert len(event["detail"]["task_ids"]) == 3


def test_an_account_already_at_risk_is_announced_once(
    store: TaskStore, drain: Drain, messaging: dict[str, str]
) -> None:
    for day in (16, 17, 18, 19):
        store.put_task(labelled_task(f"n{day}", label="negative", created_at=at(day)))
        drain()

    assert len(at_risk_messages(messaging["AccountAtRiskQueue"])) == 1
