"""Trends and accounts at risk through the local stack: the tasks stream drives the
aggregator in its own worker, and AccountAtRisk reaches the subscriber queue."""

from __future__ import annotations

import json
import time
import urllib.parse
import uuid
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.e2e.conftest import LocalStack

pytestmark = pytest.mark.e2e

ANGRY = (
    "Third cancelled flight this week and nobody at the desk will help. Worst airline ever.",
    "My bag is lost AGAIN and customer service hung up on me. Absolutely furious.",
    "Two hours on hold and still no refund for the broken seat. Disgusting service.",
)
# The stack is shared by every e2e test: the aggregator may still be working through what
# the contract fuzz and the role matrix wrote before these records' turn comes.
PATIENCE_SECONDS = 300.0


def _wait_for(probe: Any, what: str) -> Any:
    deadline = time.monotonic() + PATIENCE_SECONDS
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.5)
    pytest.fail(f"{what} did not happen within {PATIENCE_SECONDS:.0f} s")


def _queue_messages(stack: LocalStack, logical_id: str) -> list[dict[str, Any]]:
    from infra.stack import emulator_client
    from infra.template import STACK_NAME

    state = stack.state
    cloudformation = emulator_client("cloudformation", state.moto_endpoint, state.region)
    queue_url = cloudformation.describe_stack_resource(
        StackName=STACK_NAME, LogicalResourceId=logical_id
    )["StackResourceDetail"]["PhysicalResourceId"]
    sqs = emulator_client("sqs", state.moto_endpoint, state.region)
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(message["Body"]) for message in messages]


def test_imported_history_reaches_trends_and_the_at_risk_list(local_stack: LocalStack) -> None:
    # GIVEN three angry requests of one account, imported with their original times
    token = local_stack.machine_token()
    account = f"e2e-{uuid.uuid4().hex[:10]}"
    category = f"e2e-{uuid.uuid4().hex[:6]}"
    items = [
        {
            "external_id": f"{account}-{number}",
            "created_at": f"2015-02-1{7 + number}T09:00:00Z",
            "text": text,
            "account_id": account,
            "category": category,
            "channel": "twitter",
            "product": "United",
        }
        for number, text in enumerate(ANGRY)
    ]
    imported = local_stack.call("POST", "/v1/tasks/import", {"items": items}, token=token)
    assert imported.status == 200, imported.body

    # WHEN the stream has carried them to the aggregator
    def listed() -> dict[str, Any] | None:
        path = "/v1/accounts/at-risk?limit=100"
        while True:  # other tests' accounts may fill the first pages
            page = local_stack.call("GET", path, token=token).json()
            # Listed once all three are counted: two may be aggregated before the third.
            found = next(
                (
                    item
                    for item in page["items"]
                    if item["account_id"] == account and item["streak"] >= len(ANGRY)
                ),
                None,
            )
            if found or not page.get("next_cursor"):
                return found
            cursor = urllib.parse.quote(page["next_cursor"], safe="")
            path = f"/v1/accounts/at-risk?limit=100&cursor={cursor}"

    entry = _wait_for(listed, "the account appearing on the at-risk list")

    # THEN the account is at risk by its streak, its category counts its tasks, and the
    # AccountAtRisk event reached the subscriber queue
    assert (entry["rule_fired"], entry["streak"]) == ("streak", 3)
    trends = local_stack.call(
        "GET", "/v1/trends/categories?from=2015-02-16&to=2015-02-22", token=token
    ).json()
    (mine,) = [item for item in trends["categories"] if item["category"] == category]
    assert sum(period["negative"] for period in mine["periods"]) == 3

    def announced() -> list[dict[str, Any]]:
        return [
            message
            for message in _queue_messages(local_stack, "AccountAtRiskQueue")
            if message["detail"]["account_id"] == account
        ]

    (event,) = _wait_for(announced, "the AccountAtRisk event reaching its queue")
    assert event["detail-type"] == "AccountAtRisk"
