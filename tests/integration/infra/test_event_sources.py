"""Each event source of the platform template, played against the embedded AWS."""

from __future__ import annotations

import json
import time
from typing import Any

from tests.integration.infra.conftest import Platform, eventually


def _bodies(platform: Platform) -> list[list[str]]:
    return [entry["bodies"] for entry in platform.journal("QueueConsumer")]


def test_reported_sqs_failures_are_retried_then_dead_lettered_and_the_rest_deleted(
    platform: Platform,
) -> None:
    # GIVEN a queue with maxReceiveCount 2 and a consumer reporting partial failures
    queue = platform.queue_url(platform.stack.resolved["QueueConsumer.Work.Queue"])
    sqs = platform.client("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["RedrivePolicy"])
    dead_letters = platform.queue_url(
        json.loads(attributes["Attributes"]["RedrivePolicy"])["deadLetterTargetArn"]
    )
    # WHEN one message of a batch fails every time
    sqs.send_message_batch(
        QueueUrl=queue,
        Entries=[
            {"Id": str(i), "MessageBody": body}
            for i, body in enumerate(["pf-ok-1", "fail-pf", "pf-ok-2"])
        ],
    )
    # THEN it lands in the dead-letter queue after two deliveries
    moved = eventually(
        lambda: sqs.receive_message(QueueUrl=dead_letters, WaitTimeSeconds=1).get("Messages")
    )
    assert [message["Body"] for message in moved] == ["fail-pf"]
    delivered = [body for batch in _bodies(platform) for body in batch if "pf" in body]
    assert delivered.count("fail-pf") == 2
    # AND the messages that succeeded were deleted after their one delivery
    assert delivered.count("pf-ok-1") == 1
    assert delivered.count("pf-ok-2") == 1


def test_sqs_messages_sent_within_the_batching_window_arrive_in_one_batch(
    platform: Platform,
) -> None:
    queue = platform.queue_url(platform.stack.resolved["QueueConsumer.Work.Queue"])
    sqs = platform.client("sqs")
    for body in ("window-1", "window-2", "window-3"):
        sqs.send_message(QueueUrl=queue, MessageBody=body)
        time.sleep(0.15)  # spread within the 1 s window
    batch = eventually(lambda: next((b for b in _bodies(platform) if "window-1" in b), None))
    assert sorted(batch) == ["window-1", "window-2", "window-3"]


def _stream_items(platform: Platform, prefix: str) -> list[list[dict[str, Any]]]:
    batches = []
    for entry in platform.journal("StreamConsumer"):
        items = [item for item in entry["items"] if item["pk"].startswith(prefix)]
        if items:
            batches.append(items)
    return batches


def test_a_failing_stream_record_is_bisected_out_retried_and_reported_to_the_destination(
    platform: Platform,
) -> None:
    # GIVEN a consumer with bisecting, one retry and an on-failure queue
    table = platform.stack.physical_ids["Items"]
    failures = platform.queue_url(
        platform.stack.resolved["StreamConsumer.Changes.DestinationConfig.OnFailure.Destination"]
    )
    # WHEN a batch holds one record the function always fails on
    keys = ["bis-a", "bis-b", "bis-poison", "bis-c"]
    platform.client("dynamodb").batch_write_item(
        RequestItems={
            table: [
                {
                    "PutRequest": {
                        "Item": {"pk": {"S": key}}
                        | ({"poison": {"BOOL": True}} if "poison" in key else {})
                    }
                }
                for key in keys
            ]
        }
    )
    # THEN the destination gets the metadata of that record alone, after two invocations
    sqs = platform.client("sqs")
    messages = eventually(
        lambda: sqs.receive_message(QueueUrl=failures, WaitTimeSeconds=1).get("Messages")
    )
    record = json.loads(messages[0]["Body"])
    info = record["DDBStreamBatchInfo"]
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert info["batchSize"] == 1
    assert info["startSequenceNumber"] == info["endSequenceNumber"]
    assert info["streamArn"] == platform.stack.resolved["StreamConsumer.Changes.Stream"]
    assert info["shardId"].startswith("shardId-")
    assert {"approximateArrivalOfFirstRecord", "approximateArrivalOfLastRecord"} <= set(info)
    # AND the stream still holds the record the metadata points at
    streams = platform.client("dynamodbstreams")
    iterator = streams.get_shard_iterator(
        StreamArn=info["streamArn"],
        ShardId=info["shardId"],
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        SequenceNumber=info["startSequenceNumber"],
    )["ShardIterator"]
    first = streams.get_records(ShardIterator=iterator, Limit=1)["Records"][0]
    assert first["dynamodb"]["Keys"]["pk"]["S"] == "bis-poison"
    # AND every other record was delivered once, in order
    eventually(lambda: any(i["pk"] == "bis-c" for b in _stream_items(platform, "bis-") for i in b))
    delivered = [item["pk"] for batch in _stream_items(platform, "bis-") for item in batch]
    assert delivered == ["bis-a", "bis-b", "bis-c"]


def test_stream_records_of_one_item_arrive_in_order_across_a_failed_batch(
    platform: Platform,
) -> None:
    # GIVEN six versions of one item, the third failing its first delivery
    table = platform.stack.physical_ids["Items"]
    dynamodb = platform.client("dynamodb")
    for version in range(1, 7):
        item = {"pk": {"S": "order-k"}, "version": {"N": str(version)}}
        if version == 3:
            item["fail_once"] = {"BOOL": True}
        dynamodb.put_item(TableName=table, Item=item)

    # WHEN the stream is played
    def versions() -> list[int]:
        batches = _stream_items(platform, "order-k")
        return [int(item["version"]) for batch in batches for item in batch]

    eventually(lambda: 6 in versions())
    # THEN every version was handled once, oldest first
    assert versions() == [1, 2, 3, 4, 5, 6]


def test_reported_stream_failure_redelivers_from_the_lowest_failed_record(
    platform: Platform,
) -> None:
    # GIVEN a consumer reporting partial failures, and three records, the middle one
    # failing its first delivery
    table = platform.stack.physical_ids["Ledger"]
    platform.client("dynamodb").batch_write_item(
        RequestItems={
            table: [
                {"PutRequest": {"Item": {"pk": {"S": "cp-a"}}}},
                {"PutRequest": {"Item": {"pk": {"S": "cp-b"}, "fail_once": {"BOOL": True}}}},
                {"PutRequest": {"Item": {"pk": {"S": "cp-c"}}}},
            ]
        }
    )

    def deliveries() -> list[list[str]]:
        entries = platform.journal("PartialStreamConsumer")
        return [[pk for pk in e["pks"] if pk.startswith("cp-")] for e in entries if e["pks"]]

    eventually(lambda: len(deliveries()) >= 2)
    # THEN the second delivery starts at the failed record and repeats the later one
    assert deliveries() == [["cp-a", "cp-b", "cp-c"], ["cp-b", "cp-c"]]


def test_an_upload_under_the_notified_prefix_reaches_the_function_through_its_queue(
    platform: Platform,
) -> None:
    bucket = platform.stack.physical_ids["Uploads"]
    s3 = platform.client("s3")
    s3.put_object(Bucket=bucket, Key="elsewhere/ignored.csv", Body=b"x")
    s3.put_object(Bucket=bucket, Key="incoming/report 1.csv", Body=b"x")
    keys = eventually(
        lambda: [key for e in platform.journal("UploadConsumer") for key in e["keys"]]
    )
    assert keys == ["incoming/report 1.csv"]


def test_firing_a_rule_schedule_sends_the_scheduled_event(platform: Platform) -> None:
    outcome = platform.functions.players.fire("Clock.EveryMinute")
    assert not outcome.failed
    events = [e["event"] for e in platform.journal("Clock")]
    scheduled = [e for e in events if e.get("detail-type") == "Scheduled Event"]
    assert scheduled
    assert scheduled[0]["source"] == "aws.events"


def test_firing_a_scheduler_schedule_sends_its_input(platform: Platform) -> None:
    platform.functions.players.fire("Clock.Nightly")
    assert {"job": "nightly"} in [e["event"] for e in platform.journal("Clock")]
