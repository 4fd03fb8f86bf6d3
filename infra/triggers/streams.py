"""The DynamoDB stream event source mapping, played locally.

One reader per `DynamoDB` event and shard, reading with GetShardIterator/GetRecords (the
emulator serves them because it has no Lambda event-source mapping of its own). It starts
at `StartingPosition` (TRIM_HORIZON: the oldest record kept; LATEST: what is written after
the local stack starts), gathers up to `BatchSize` records (waiting up to
`MaximumBatchingWindowInSeconds` for more), invokes the function with the event Lambda
sends and moves its checkpoint as Lambda does:

- success: past the whole batch;
- `ReportBatchItemFailures`: up to the lowest sequence number the function reports; the
  records from there on, including ones that succeeded, are delivered again (an unknown or
  empty identifier fails the whole batch);
- a function error or timeout: with `BisectBatchOnFunctionError` the batch is split in two
  and each half retried (splitting uses no retry); otherwise the batch is retried, up to
  `MaximumRetryAttempts` (-1, the default: until it succeeds, which locally means for as
  long as the stack runs);
- retries exhausted: the records are skipped, and the `DestinationConfig.OnFailure` queue
  gets the metadata Lambda sends (shard, first and last sequence numbers, arrival times,
  batch size, stream ARN), not the records: they stay readable in the stream.

Batches of one shard are delivered one at a time, in order, so order per item holds.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from infra.template import ACCOUNT_ID, REGION
from infra.triggers.loop import PlayerThread
from infra.triggers.sources import EventSource, required, resolved
from infra.workers import Outcome

DEFAULT_BATCH_SIZE = 100
POLL_SECONDS = 0.25  # Lambda polls each shard four times a second
RETRY_BACKOFF_SECONDS = (0.1, 0.2, 0.5, 1.0)
GET_RECORDS_LIMIT = 1000  # DynamoDB Streams returns at most this many per call


@dataclass(frozen=True)
class StreamMapping:
    """One `DynamoDB` event of a function."""

    function: str
    event: str
    stream_arn: str
    starting_position: str = "LATEST"
    batch_size: int = DEFAULT_BATCH_SIZE
    window: float = 0.0
    max_retries: int = -1  # -1: until it succeeds
    bisect: bool = False
    report_failures: bool = False
    on_failure: str | None = None  # an SQS queue ARN

    @classmethod
    def from_source(cls, source: EventSource, values: dict[str, str]) -> StreamMapping:
        properties = source.properties
        return cls(
            stream_arn=required(source, ("Stream",), values),
            starting_position=str(properties.get("StartingPosition", "LATEST")).upper(),
            max_retries=int(properties.get("MaximumRetryAttempts", -1)),
            bisect=bool(properties.get("BisectBatchOnFunctionError", False)),
            on_failure=resolved(source, ("DestinationConfig", "OnFailure", "Destination"), values),
            **source.batching(DEFAULT_BATCH_SIZE),
        )

    def describe(self) -> str:
        table = self.stream_arn.split(":table/", 1)[-1].split("/", 1)[0]
        options = [self.starting_position, f"batch {self.batch_size}"]
        if self.window:
            options.append(f"window {self.window:g} s")
        if self.max_retries >= 0:
            options.append(f"{self.max_retries} retries")
        if self.bisect:
            options.append("bisect")
        if self.report_failures:
            options.append("partial failures")
        if self.on_failure:
            options.append(f"on failure -> {self.on_failure.rsplit(':', 1)[-1]}")
        return f"DynamoDB stream {table} ({', '.join(options)})"


def _wire(value: Any) -> Any:
    """A record as Lambda serialises it: binary as base64, times as epoch seconds."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, datetime):
        return int(value.timestamp())
    if isinstance(value, Mapping):
        return {key: _wire(item) for key, item in value.items()}
    if isinstance(value, list | set | tuple):
        return [_wire(item) for item in value]
    return value


def stream_event(records: list[dict[str, Any]], stream_arn: str) -> dict[str, Any]:
    """The event Lambda sends for a batch of stream records."""
    return {
        "Records": [
            {
                "eventID": record["eventID"],
                "eventName": record["eventName"],
                "eventVersion": record.get("eventVersion", "1.1"),
                "eventSource": "aws:dynamodb",
                "awsRegion": record.get("awsRegion", REGION),
                "dynamodb": _wire(record["dynamodb"]),
                "eventSourceARN": stream_arn,
            }
            for record in records
        ]
    }


def checkpoint_after(outcome: Outcome, sequence_numbers: list[str], report: bool) -> int | None:
    """How many records of the batch the outcome checkpoints past: all of them on success,
    those before the lowest reported failure, or None when the batch failed as a whole."""
    if outcome.failed:
        return None
    result = outcome.result
    failures = result.get("batchItemFailures") if report and isinstance(result, dict) else None
    if not failures:
        return len(sequence_numbers)
    positions = []
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not identifier or identifier not in sequence_numbers:
            return None
        positions.append(sequence_numbers.index(identifier))
    return min(positions)


def _arrival(record: dict[str, Any]) -> str:
    created = record["dynamodb"].get("ApproximateCreationDateTime")
    moment = created if isinstance(created, datetime) else datetime.now(UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def failure_record(
    mapping: StreamMapping,
    shard_id: str,
    records: list[dict[str, Any]],
    invocations: int,
    outcome: Outcome,
) -> dict[str, Any]:
    """The metadata Lambda sends to an on-failure destination for skipped stream records."""
    response: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
    if outcome.failed:
        response["functionError"] = "Unhandled"
    return {
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "functionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{mapping.function}",
            "condition": "RetryAttemptsExhausted",
            "approximateInvokeCount": invocations,
        },
        "responseContext": response,
        "version": "1.0",
        "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "DDBStreamBatchInfo": {
            "shardId": shard_id,
            "startSequenceNumber": records[0]["dynamodb"]["SequenceNumber"],
            "endSequenceNumber": records[-1]["dynamodb"]["SequenceNumber"],
            "approximateArrivalOfFirstRecord": _arrival(records[0]),
            "approximateArrivalOfLastRecord": _arrival(records[-1]),
            "batchSize": len(records),
            "streamArn": mapping.stream_arn,
        },
    }


class ShardReader(PlayerThread):
    """Plays one stream event source mapping on one shard, in a thread of its own."""

    idle_seconds = POLL_SECONDS

    def __init__(
        self,
        mapping: StreamMapping,
        shard_id: str,
        *,
        streams: Any,
        sqs: Any,
        invoke: Callable[[Any], Outcome],
        log: Callable[[str], None],
    ) -> None:
        super().__init__(f"{mapping.function}.{mapping.event}", log)
        self.mapping = mapping
        self.shard_id = shard_id
        self._streams = streams
        self._sqs = sqs
        self._invoke = invoke
        self._pending: list[dict[str, Any]] = []  # read, not yet checkpointed past
        # LATEST is taken now, so what is written from here on is seen.
        self._iterator: str | None = streams.get_shard_iterator(
            StreamArn=mapping.stream_arn,
            ShardId=shard_id,
            ShardIteratorType=mapping.starting_position,
        )["ShardIterator"]

    def run_once(self) -> bool:
        return self.poll_once() > 0

    def _read(self) -> bool:
        """Reads what the shard has beyond the pending records; False when nothing came."""
        if self._iterator is None:  # the shard is closed and read to its end
            return False
        response = self._streams.get_records(
            ShardIterator=self._iterator,
            Limit=min(GET_RECORDS_LIMIT, max(1, self.mapping.batch_size - len(self._pending))),
        )
        self._iterator = response.get("NextShardIterator")
        self._pending += response.get("Records", [])
        return bool(response.get("Records"))

    def poll_once(self) -> int:
        """Reads and delivers one batch; returns how many records it held (0: none yet)."""
        if len(self._pending) < self.mapping.batch_size:
            self._read()
        if not self._pending:
            return 0
        deadline = time.monotonic() + self.mapping.window
        while len(self._pending) < self.mapping.batch_size and time.monotonic() < deadline:
            if not self._read():
                self._stop.wait(min(POLL_SECONDS, max(0.0, deadline - time.monotonic())))
        batch = self._pending[: self.mapping.batch_size]
        self._deliver(batch)
        self._pending = self._pending[len(batch) :]
        return len(batch)

    def _deliver(self, batch: list[dict[str, Any]]) -> None:
        """Invokes the function until every record of `batch` is checkpointed past:
        delivered successfully, or skipped after its retries."""
        work: list[tuple[list[dict[str, Any]], int]] = [(batch, 0)]  # (records, retries)
        while work and not self._stop.is_set():
            records, retries = work.pop(0)
            sequence_numbers = [record["dynamodb"]["SequenceNumber"] for record in records]
            outcome = self._invoke(stream_event(records, self.mapping.stream_arn))
            done = checkpoint_after(outcome, sequence_numbers, self.mapping.report_failures)
            if done == len(records):
                continue
            if done is None and self.mapping.bisect and len(records) > 1:
                half = len(records) // 2
                work[:0] = [(records[:half], retries), (records[half:], retries)]
                continue
            remaining = records[done or 0 :]
            if 0 <= self.mapping.max_retries <= retries:
                self._skip(remaining, retries + 1, outcome)
                continue
            self._stop.wait(RETRY_BACKOFF_SECONDS[min(retries, len(RETRY_BACKOFF_SECONDS) - 1)])
            work.insert(0, (remaining, retries + 1))

    def _skip(self, records: list[dict[str, Any]], invocations: int, outcome: Outcome) -> None:
        destination = self.mapping.on_failure
        self._log(
            f"{self.mapping.event}: skipping {len(records)} record(s) after {invocations} "
            "invocation(s)" + (f"; metadata to {destination}" if destination else "")
        )
        if destination is None:
            return
        record = failure_record(self.mapping, self.shard_id, records, invocations, outcome)
        queue_url = self._sqs.get_queue_url(QueueName=destination.rsplit(":", 1)[-1])
        self._sqs.send_message(QueueUrl=queue_url["QueueUrl"], MessageBody=json.dumps(record))


def shard_ids(streams: Any, stream_arn: str) -> list[str]:
    """The stream's shards (the emulator keeps one per table)."""
    description = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]
    return [shard["ShardId"] for shard in description.get("Shards", [])]
