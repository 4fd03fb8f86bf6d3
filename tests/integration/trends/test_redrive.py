"""The documented redrive: batches on the aggregator's on-failure queue are read back from
the stream and applied, each record counted once."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from functions.aggregator.app import apply_record
from functions.aggregator.redrive import redrive
from functions.api.data.task_store import TaskStore
from functions.shared.aggregates import counts_partition
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
