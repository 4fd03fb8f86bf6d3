"""The aggregator in process against moto, beside the API: the queues, event bus and rule
of the template, the tasks table's stream read back and handed to the aggregator."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from tests.fixtures.streams import StreamReader, stream_event
from tests.integration.api.conftest import (  # noqa: F401  # fixtures shared with the API tests
    REGION,
    _environment,
    active_model,
    api,
    aws,
    call,
    model_cache,
    template,
    tiny_model_dir,
)

Drain = Callable[[], dict[str, Any]]


@pytest.fixture
def messaging(
    aws: dict[str, str],  # noqa: F811
    template: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[dict[str, str]]:
    """The template's queues, event bus and AccountAtRisk rule, and the aggregator's
    environment. Yields logical id -> name (queue URLs for queues)."""
    from functions.aggregator import app

    sqs = boto3.client("sqs", region_name=REGION)
    events = boto3.client("events", region_name=REGION)
    names = dict(aws)
    resources = template["Resources"]
    for logical_id, resource in resources.items():
        if resource["Type"] == "AWS::SQS::Queue":
            names[logical_id] = sqs.create_queue(QueueName=f"test-{logical_id}")["QueueUrl"]
        elif resource["Type"] == "AWS::Events::EventBus":
            names[logical_id] = f"test-{logical_id}"
            events.create_event_bus(Name=names[logical_id])
    rule = resources["AccountAtRiskRule"]["Properties"]
    bus = names[rule["EventBusName"]["Fn::GetAtt"][0]]
    events.put_rule(
        Name="test-at-risk", EventBusName=bus, EventPattern=json.dumps(rule["EventPattern"])
    )
    queue_url = names["AccountAtRiskQueue"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    events.put_targets(
        Rule="test-at-risk", EventBusName=bus, Targets=[{"Id": "queue", "Arn": queue_arn}]
    )
    for key, value in _environment(template, "AggregatorFunction", names).items():
        monkeypatch.setenv(key, value)
    # The template names the bus by !GetAtt EventBus.Name, which _environment leaves alone.
    monkeypatch.setenv("EVENT_BUS_NAME", names["EventBus"])
    app.reset()
    yield names
    app.reset()


@pytest.fixture
def stream(aws: dict[str, str]) -> StreamReader:  # noqa: F811
    return StreamReader(
        boto3.client("dynamodb", region_name=REGION),
        # moto's in-process mock answers the streams API only at its classic endpoint.
        boto3.client(
            "dynamodbstreams",
            region_name=REGION,
            endpoint_url=f"https://streams.dynamodb.{REGION}.amazonaws.com",
        ),
        aws["TasksTable"],
    )


@pytest.fixture
def drain(messaging: dict[str, str], stream: StreamReader) -> Drain:
    """Hands every new stream record to the aggregator in one batch; returns its answer."""
    from functions.aggregator.app import lambda_handler
    from tests.fixtures.api_events import FakeContext

    def send() -> dict[str, Any]:
        records = stream.new_records()
        if not records:
            return {"batchItemFailures": []}
        return dict(lambda_handler(stream_event(records), FakeContext()))

    return send


def at_risk_messages(queue_url: str) -> list[dict[str, Any]]:
    """The AccountAtRisk events that reached the subscriber queue (received and deleted)."""
    sqs = boto3.client("sqs", region_name=REGION)
    found: list[dict[str, Any]] = []
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get(
            "Messages", []
        )
        if not messages:
            return found
        for message in messages:
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def at(day: int, hour: int = 12) -> datetime:
    """A moment in February 2015, when the airline data was written."""
    return datetime(2015, 2, day, hour, tzinfo=UTC)
