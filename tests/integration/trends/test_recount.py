"""Property: whatever tasks are created and reviewed, and however the stream delivers their
records (reordered, redelivered), the aggregates equal a recount from the tasks' latest
revisions."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from unittest import mock

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from functions.api.data.task_store import task_item
from tests.fixtures.api_events import FakeContext
from tests.fixtures.recount import LABELS, recount, stored
from tests.fixtures.tasks import labelled_task
from tests.integration.api.conftest import REGION, _table_request
from tests.integration.trends.conftest import at

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics")

ACCOUNTS = ("ana", "ben")
PARTITIONS = ("TREND#category", "TREND#product", "TREND#category#PRODUCT#United")


@dataclass(frozen=True)
class History:
    """Each task's revisions, oldest first: the model's label, then each review's."""

    revisions: list[list[dict[str, Any]]]


@st.composite
def histories(draw: st.DrawFn) -> History:
    revisions = []
    for number in range(draw(st.integers(1, 5))):
        task = labelled_task(
            f"t{number}",
            label=draw(st.sampled_from(LABELS)),
            created_at=at(draw(st.integers(16, 24)), draw(st.integers(0, 23))),
            account_id=draw(st.sampled_from(ACCOUNTS)),
            category=draw(st.sampled_from(("bags", "late"))),
            product=draw(st.sampled_from((None, "United"))),
        )
        images = [task_item(task)]
        for revision, label in enumerate(draw(st.lists(st.sampled_from(LABELS), max_size=2)), 2):
            reviewed = task.model_copy(update={"revision": revision})
            images.append(task_item(reviewed) | {"effective_label": {"S": label}})
        revisions.append(images)
    return History(revisions)


def records_of(history: History) -> list[dict[str, Any]]:
    """The stream records the writes of `history` make, in write order per task."""
    records = []
    for task_number, images in enumerate(history.revisions):
        for revision, image in enumerate(images):
            change: dict[str, Any] = {"NewImage": image, "SequenceNumber": f"{len(records):021d}"}
            if revision:
                change["OldImage"] = images[revision - 1]
            records.append(
                {
                    "eventID": f"t{task_number}-r{revision}",
                    "eventName": "MODIFY" if revision else "INSERT",
                    "eventSource": "aws:dynamodb",
                    "eventSourceARN": "arn:aws:dynamodb:eu-west-1:123456789012:table/t/stream/x",
                    "dynamodb": change,
                }
            )
    return records


@pytest.fixture(scope="module")
def emulated() -> Iterator[None]:
    """One moto for every example (each gets tables of its own) and the event bus."""
    environment = {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "EVENT_BUS_NAME": "bus",
    }
    with mock.patch.dict(os.environ, environment), mock_aws():
        boto3.client("events", region_name=REGION).create_event_bus(Name="bus")
        yield


@contextmanager
def aggregator_tables(template: dict[str, Any]) -> Iterator[str]:
    """Fresh aggregates and registry tables, named in the aggregator's environment; yields
    the aggregates table's name."""
    from functions.aggregator import app

    suffix = uuid.uuid4().hex[:8]
    names = {"AggregatesTable": f"aggregates-{suffix}", "RegistryTable": f"registry-{suffix}"}
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    for logical_id, name in names.items():
        properties = template["Resources"][logical_id]["Properties"]
        dynamodb.create_table(**_table_request(name, properties))
    environment = {
        "AGGREGATES_TABLE": names["AggregatesTable"],
        "REGISTRY_TABLE": names["RegistryTable"],
    }
    with mock.patch.dict(os.environ, environment):
        app.reset()
        try:
            yield names["AggregatesTable"]
        finally:
            app.reset()


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=histories(), data=st.data())
def test_aggregates_equal_a_recount_whatever_the_delivery(
    emulated: None, template: dict[str, Any], history: History, data: st.DataObject
) -> None:
    from functions.aggregator.app import lambda_handler

    # GIVEN the stream records of some creations and reviews, delivered in any order,
    # some of them more than once, in batches of any size
    records = records_of(history)
    deliveries = data.draw(st.permutations(records))
    for again in data.draw(st.lists(st.sampled_from(records), max_size=4)):
        deliveries.insert(data.draw(st.integers(0, len(deliveries))), again)
    batch = data.draw(st.integers(1, 5))
    with aggregator_tables(template) as table:
        # WHEN the aggregator takes them
        for start in range(0, len(deliveries), batch):
            event = {"Records": deliveries[start : start + batch]}
            assert lambda_handler(event, FakeContext()) == {"batchItemFailures": []}
        # THEN counts, assessments and the at-risk list are those of a recount
        counts, assessments, listed = stored(
            boto3.client("dynamodb", region_name=REGION), table, PARTITIONS, ACCOUNTS
        )
    expected_counts, expected_assessments = recount(images[-1] for images in history.revisions)
    assert counts == expected_counts
    assert assessments == expected_assessments
    assert listed == {account for account, found in expected_assessments.items() if found.at_risk}
