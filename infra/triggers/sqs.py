"""The SQS event source mapping, played locally: a queue's messages in batches to a function.

One poller per `SQS` event. It long-polls the queue, gathers up to `BatchSize` messages
(waiting up to `MaximumBatchingWindowInSeconds` for more once the first has arrived),
invokes the function with the event Lambda sends, and deletes what succeeded:

- the whole batch when the invocation succeeds;
- with `FunctionResponseTypes: [ReportBatchItemFailures]`, all but the messages the
  function names in `batchItemFailures` (a name that is not a message of the batch, or an
  empty one, fails the whole batch, as in Lambda);
- nothing when the invocation fails or times out.

What is not deleted becomes visible again after the queue's `VisibilityTimeout` and is
received again; past the queue's `maxReceiveCount` the emulator moves it to the
dead-letter queue named by its `RedrivePolicy` on the next receive, as SQS does.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from infra.template import REGION
from infra.triggers.loop import PlayerThread
from infra.triggers.sources import EventSource, required
from infra.workers import Outcome

DEFAULT_BATCH_SIZE = 10
RECEIVE_LIMIT = 10  # SQS hands out at most ten messages per receive
LONG_POLL_SECONDS = 1  # short enough for a prompt stop
WINDOW_POLL_SECONDS = 0.1


@dataclass(frozen=True)
class SqsMapping:
    """One `SQS` event of a function."""

    function: str
    event: str
    queue_arn: str
    batch_size: int = DEFAULT_BATCH_SIZE
    window: float = 0.0
    report_failures: bool = False

    @classmethod
    def from_source(cls, source: EventSource, values: dict[str, str]) -> SqsMapping:
        return cls(
            queue_arn=required(source, ("Queue",), values),
            **source.batching(DEFAULT_BATCH_SIZE),
        )

    def describe(self) -> str:
        options = [f"batch {self.batch_size}"]
        if self.window:
            options.append(f"window {self.window:g} s")
        if self.report_failures:
            options.append("partial failures")
        return f"SQS {self.queue_arn.rsplit(':', 1)[-1]} ({', '.join(options)})"


def _message_attributes(attributes: dict[str, Any]) -> dict[str, Any]:
    """SQS's MessageAttributes in the camel-case shape Lambda's event uses."""
    shaped = {}
    for name, value in attributes.items():
        shaped[name] = {
            "stringValue": value.get("StringValue"),
            "binaryValue": base64.b64encode(value["BinaryValue"]).decode()
            if "BinaryValue" in value
            else None,
            "stringListValues": value.get("StringListValues", []),
            "binaryListValues": [],
            "dataType": value["DataType"],
        }
        shaped[name] = {key: item for key, item in shaped[name].items() if item is not None}
    return shaped


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """The event Lambda sends for a batch of received messages."""
    records = []
    for message in messages:
        record = {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": _message_attributes(message.get("MessageAttributes", {})),
            "md5OfBody": message["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": queue_arn,
            "awsRegion": REGION,
        }
        if "MD5OfMessageAttributes" in message:
            record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
        records.append(record)
    return {"Records": records}


def succeeded(outcome: Outcome, message_ids: list[str], report_failures: bool) -> set[str]:
    """The ids of the messages an invocation's outcome lets go (to delete)."""
    if outcome.failed:
        return set()
    if not report_failures:
        return set(message_ids)
    result = outcome.result
    failures = result.get("batchItemFailures") if isinstance(result, dict) else None
    if not failures:  # null, empty, or no response: all succeeded
        return set(message_ids)
    failed = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not identifier or identifier not in message_ids:
            return set()  # a malformed report fails the whole batch
        failed.add(identifier)
    return set(message_ids) - failed


class SqsPoller(PlayerThread):
    """Plays one SQS event source mapping in a thread of its own."""

    def __init__(
        self,
        mapping: SqsMapping,
        client: Any,
        invoke: Callable[[Any], Outcome],
        log: Callable[[str], None],
        function_timeout: float = 0.0,
    ) -> None:
        super().__init__(f"{mapping.function}.{mapping.event}", log)
        self.mapping = mapping
        self._client = client
        self._invoke = invoke
        self._queue_url: str = client.get_queue_url(QueueName=mapping.queue_arn.rsplit(":", 1)[-1])[
            "QueueUrl"
        ]
        visibility = float(
            client.get_queue_attributes(
                QueueUrl=self._queue_url, AttributeNames=["VisibilityTimeout"]
            )["Attributes"]["VisibilityTimeout"]
        )
        if visibility < function_timeout:
            # Lambda refuses such a mapping: a batch would reappear while still being handled.
            raise ValueError(
                f"{mapping.function}.{mapping.event}: the queue's visibility timeout "
                f"({visibility:g} s) is shorter than the function's timeout "
                f"({function_timeout:g} s)"
            )

    def run_once(self) -> bool:
        return self.poll_once() > 0  # an empty round has already waited in its long poll

    def _receive(self, count: int, wait: int) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = self._client.receive_message(
            QueueUrl=self._queue_url,
            MaxNumberOfMessages=min(RECEIVE_LIMIT, count),
            WaitTimeSeconds=wait,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        return messages

    def gather(self) -> list[dict[str, Any]]:
        """One batch: the first messages to arrive, topped up within the batching window."""
        batch = self._receive(self.mapping.batch_size, LONG_POLL_SECONDS)
        if not batch or not self.mapping.window:
            return batch
        deadline = time.monotonic() + self.mapping.window
        while len(batch) < self.mapping.batch_size and not self._stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            more = self._receive(self.mapping.batch_size - len(batch), 0)
            batch += more
            if not more:
                self._stop.wait(min(WINDOW_POLL_SECONDS, remaining))
        return batch

    def poll_once(self) -> int:
        """Receives one batch (waiting briefly for it), delivers it and deletes what
        succeeded; returns how many messages were delivered."""
        batch = self.gather()
        if not batch:
            return 0
        ids = [message["MessageId"] for message in batch]
        outcome = self._invoke(sqs_event(batch, self.mapping.queue_arn))
        done = succeeded(outcome, ids, self.mapping.report_failures)
        if outcome.failed:
            self._log(
                f"{self.mapping.event}: batch of {len(batch)} failed "
                f"({outcome.error and outcome.error.get('errorType')}); "
                "it returns after the queue's visibility timeout"
            )
        handles = [
            {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
            for index, message in enumerate(batch)
            if message["MessageId"] in done
        ]
        for start in range(0, len(handles), RECEIVE_LIMIT):
            self._client.delete_message_batch(
                QueueUrl=self._queue_url, Entries=handles[start : start + RECEIVE_LIMIT]
            )
        return len(batch)
