"""Redrive of stream batches that kept failing: the on-failure queue holds only their
metadata (shard, first and last sequence numbers, stream ARN), so the records are read
back from the stream, within its 24-hour retention, and applied one by one. Records
counted before are skipped by their event markers, so each counts once."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

RECEIVE_BATCH = 10


@dataclass
class RedriveReport:
    batches: int = 0
    records: int = 0
    failed: int = 0


def batch_records(streams: Any, info: dict[str, Any]) -> list[dict[str, Any]]:
    """The records of one failed batch (`DDBStreamBatchInfo`), read back from its shard."""
    first, last = int(info["startSequenceNumber"]), int(info["endSequenceNumber"])
    iterator = streams.get_shard_iterator(
        StreamArn=info["streamArn"],
        ShardId=info["shardId"],
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        SequenceNumber=info["startSequenceNumber"],
    )["ShardIterator"]
    found: list[dict[str, Any]] = []
    while iterator:
        response = streams.get_records(ShardIterator=iterator)
        for record in response["Records"]:
            sequence = int(record["dynamodb"]["SequenceNumber"])
            if sequence > last:
                return found
            if sequence >= first:
                found.append(record)
        if not response["Records"]:
            break
        iterator = response.get("NextShardIterator")
    return found


def redrive(
    sqs: Any,
    streams: Any,
    queue_url: str,
    apply: Callable[[dict[str, Any]], None],
    on_error: Callable[[dict[str, Any], Exception], None],
) -> RedriveReport:
    """Applies every record of every batch on the on-failure queue. A batch whose records
    all went through leaves the queue; one with a record that failed again stays for the
    next redrive, and `on_error` hears about that record."""
    report = RedriveReport()
    while True:
        messages = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=RECEIVE_BATCH, WaitTimeSeconds=0
        ).get("Messages", [])
        if not messages:
            return report
        for message in messages:
            info = _batch_info(message["Body"])
            report.batches += 1
            failed = 0
            for record in batch_records(streams, info):
                report.records += 1
                try:
                    apply(record)
                except Exception as error:  # reported, the batch stays queued
                    failed += 1
                    on_error(record, error)
            report.failed += failed
            if not failed:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        if report.failed:
            return report  # what is left fails again; stop rather than loop on it


def _batch_info(body: str) -> dict[str, Any]:
    info: dict[str, Any] = json.loads(body)["DDBStreamBatchInfo"]
    return info
