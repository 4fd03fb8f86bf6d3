"""The documented redrive: batches on the aggregator's on-failure queue are read back from
the stream and applied, each record counted once; and a poison record on its way there,
played by the local stack's stream event source with the template's settings."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from functions.aggregator.app import apply_record
from functions.aggregator.redrive import redrive
from functions.api.data.task_store import TaskStore
from functions.shared.aggregates import counts_partition
from functions.shared.dynamo import item_key
from infra.triggers import streams as stream_player
from infra.triggers.streams import ShardReader, StreamMapping, shard_ids
from infra.workers import Outcome
from tests.fixtures.streams import StreamReader
from tests.fixtures.tasks import labelled_task
from tests.integration.trends.conftest import REGION, at
from tests.integration.trends.test_aggregator import counts

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics")


def on_failure_message(records: list[dict[str, Any]], arn: str, shard_id: str) -> str:
    """What Lambda sends the on-failure destination of a stream: metadata, no records."""
    return json.dumps(
        {
            "requestContext": {"condition": "RetryAttemptsExhausted", "approximateInvokeCount": 6},
            "DDBStreamBatchInfo": {
                "shardId": shard_id,
                "startSequenceNumber": records[0]["dynamodb"]["SequenceNumber"],
                "endSequenceNumber": records[-1]["dynamodb"]["SequenceNumber"],
                "batchSize": len(records),
                "streamArn": arn,
            },
        }
    )


def test_redrive_counts_each_record_of_a_failed_batch_once(
    aws: dict[str, str], messaging: dict[str, str], stream: StreamReader
) -> None:
    # GIVEN a batch of three whose first record was applied before the batch gave up
    store = TaskStore(aws["TasksTable"], boto3.client("dynamodb", region_name=REGION), lambda: b"k")
    for name in ("a", "b", "c"):
        store.put_task(labelled_task(name, label="negative", created_at=at(17)))
    records = stream.new_records()
    apply_record(records[0])
    streams = stream.client
    shard = streams.describe_stream(StreamArn=stream.arn)["StreamDescription"]["Shards"][0]
    sqs = boto3.client("sqs", region_name=REGION)
    queue = messaging["AggregatorFailuresQueue"]
    sqs.send_message(
        QueueUrl=queue,
        MessageBody=on_failure_message(records, stream.arn, shard["ShardId"]),
    )

    # WHEN it is redriven
    report = redrive(sqs, streams, queue, apply_record, on_error=pytest.fail)

    # THEN the three count once each and the batch has left the queue
    assert (report.batches, report.records, report.failed) == (1, 3, 0)
    assert counts(aws, counts_partition("category")) == {"2015-02-17#baggage": {"negative": 3}}
    assert "Messages" not in sqs.receive_message(QueueUrl=queue)


@pytest.fixture
def aggregator_mapping(
    messaging: dict[str, str], stream: StreamReader, template: dict[str, Any]
) -> StreamMapping:
    """The aggregator's stream event source as the template declares it."""
    events = template["Resources"]["AggregatorFunction"]["Properties"]["Events"]
    properties = events["TasksStream"]["Properties"]
    destination = properties["DestinationConfig"]["OnFailure"]["Destination"]
    queue = messaging[destination["Fn::GetAtt"][0]]
    sqs = boto3.client("sqs", region_name=REGION)
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    return StreamMapping(
        function="AggregatorFunction",
        event="TasksStream",
        stream_arn=stream.arn,
        starting_position=properties["StartingPosition"],
        batch_size=properties["BatchSize"],
        max_retries=properties["MaximumRetryAttempts"],
        bisect=properties["BisectBatchOnFunctionError"],
        report_failures="ReportBatchItemFailures" in properties["FunctionResponseTypes"],
        on_failure=queue_arn["Attributes"]["QueueArn"],
    )


def test_a_poison_record_fails_alone_reaches_the_failure_queue_and_a_redrive_counts_it_once(
    aws: dict[str, str],
    messaging: dict[str, str],
    stream: StreamReader,
    aggregator_mapping: StreamMapping,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from functions.aggregator.app import lambda_handler
    from tests.fixtures.api_events import FakeContext

    # GIVEN the stream played to the aggregator as Lambda plays the template's mapping
    # (retries without waiting between them), and one day's counter that an earlier
    # manual edit left unreadable: any record that must add to it fails
    monkeypatch.setattr(stream_player, "RETRY_BACKOFF_SECONDS", (0.0,))
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    broken = item_key(counts_partition("category"), "2015-02-18#baggage")
    dynamodb.put_item(TableName=aws["AggregatesTable"], Item=broken | {"negative": {"S": "3?"}})
    invocations: list[int] = []

    def invoke(event: dict[str, Any]) -> Outcome:
        invocations.append(len(event["Records"]))
        return Outcome(result=lambda_handler(event, FakeContext()))

    (shard,) = shard_ids(stream.client, stream.arn)
    reader = ShardReader(
        aggregator_mapping, shard, streams=stream.client, sqs=sqs, invoke=invoke, log=print
    )
    store = TaskStore(aws["TasksTable"], dynamodb, lambda: b"k")
    for name, day in (("a", 17), ("poison", 18), ("b", 17), ("c", 19)):
        store.put_task(labelled_task(name, label="negative", created_at=at(day)))

    # WHEN the batch is delivered
    assert reader.poll_once() == 4

    # THEN the poison record failed alone: the rest are counted, each once, and the
    # broken counter is as it was
    category = counts_partition("category")
    assert counts(aws, category) == {
        "2015-02-17#baggage": {"negative": 2},
        "2015-02-18#baggage": {"negative": "3?"},
        "2015-02-19#baggage": {"negative": 1},
    }
    # AND after its retries its batch's metadata reached the on-failure queue
    assert len(invocations) == 1 + aggregator_mapping.max_retries
    queue = messaging["AggregatorFailuresQueue"]
    (failure,) = sqs.receive_message(QueueUrl=queue, VisibilityTimeout=0)["Messages"]
    info = json.loads(failure["Body"])["DDBStreamBatchInfo"]
    assert info["batchSize"] == 3  # from the poison record on: Lambda's checkpoint rule

    # WHEN the counter is repaired and the failures are redriven, twice
    dynamodb.delete_item(TableName=aws["AggregatesTable"], Key=broken)
    first = redrive(sqs, stream.client, queue, apply_record, on_error=pytest.fail)
    again = redrive(sqs, stream.client, queue, apply_record, on_error=pytest.fail)

    # THEN the poison record is counted once, nothing else twice, and the queue is empty
    assert (first.batches, first.records, first.failed) == (1, 3, 0)
    assert (again.batches, again.records) == (0, 0)
    assert counts(aws, category) == {
        "2015-02-17#baggage": {"negative": 2},
        "2015-02-18#baggage": {"negative": 1},
        "2015-02-19#baggage": {"negative": 1},
    }
