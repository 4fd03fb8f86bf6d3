"""The platform test template (tests/fixtures/platform) running in the embedded AWS: its
resources provisioned, a worker pool per function and every event source played."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

from infra.lambdas import RunningFunctions, start_functions, trigger_values
from infra.stack import Emulator, Stack, create_stack, emulator_client, supported_types
from infra.template import plan

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = ROOT / "tests" / "fixtures" / "platform" / "template.yaml"
# Generous: two cores shared with other work can make a cold start take seconds.
DEADLINE_SECONDS = 60.0
T = TypeVar("T")


@dataclass
class Platform:
    endpoint: str
    stack: Stack
    functions: RunningFunctions
    log: list[tuple[str, str]]

    def client(self, service: str) -> Any:
        return emulator_client(service, self.endpoint)

    def queue_url(self, arn: str) -> str:
        url: str = self.client("sqs").get_queue_url(QueueName=arn.rsplit(":", 1)[-1])["QueueUrl"]
        return url

    def journal(self, function: str) -> list[dict[str, Any]]:
        """What `function` wrote to the journal, one entry per invocation, oldest first."""
        response = self.client("dynamodb").query(
            TableName=self.stack.physical_ids["Journal"],
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": function}},
        )
        return [json.loads(item["entry"]["S"]) for item in response["Items"]]


def eventually(probe: Callable[[], T | None], seconds: float = DEADLINE_SECONDS) -> T:
    """Polls `probe` until it returns something truthy; fails the test at the deadline."""
    deadline = time.monotonic() + seconds
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"nothing after {seconds:.0f} s")
        time.sleep(0.1)


@pytest.fixture(scope="session")
def platform() -> Iterator[Platform]:
    emulator = Emulator()
    endpoint = emulator.start()
    log: list[tuple[str, str]] = []
    try:
        local_plan = plan(TEMPLATE, supported_types())
        stack = create_stack(endpoint, local_plan, values=trigger_values(local_plan))
        functions = start_functions(
            local_plan, stack, endpoint, ROOT, lambda name, line: log.append((name, line))
        )
        try:
            yield Platform(endpoint, stack, functions, log)
        finally:
            functions.close()
    finally:
        emulator.stop()
