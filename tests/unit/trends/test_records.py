"""What a tasks-table item counts for: pure logic."""

from __future__ import annotations

from datetime import UTC, datetime

from functions.aggregator.records import TaskFacts, counter_deltas, task_facts
from functions.api.data.task_store import task_item
from functions.shared.dynamo import from_item
from tests.fixtures.tasks import labelled_task

MOMENT = datetime(2015, 2, 17, 9, tzinfo=UTC)


def facts(**changes: object) -> TaskFacts | None:
    task = labelled_task("a", label="negative", created_at=MOMENT, product="United")
    return task_facts(from_item(task_item(task)) | changes)


def test_a_task_counts_for_its_category_its_product_and_both() -> None:
    deltas = counter_deltas(None, facts())
    assert sorted((c.partition, c.sort) for c in deltas) == [
        ("TREND#category", "2015-02-17#baggage"),
        ("TREND#category#PRODUCT#United", "2015-02-17#baggage"),
        ("TREND#product", "2015-02-17#United"),
    ]
    assert all(change == {"negative": 1} for change in deltas.values())


def test_a_change_that_keeps_the_label_moves_nothing() -> None:
    assert counter_deltas(facts(), facts(status="resolved", revision=2)) == {}


def test_an_effective_label_moves_the_count_between_labels() -> None:
    deltas = counter_deltas(facts(), facts(effective_label="positive", revision=2))
    assert set(map(frozenset, (d.items() for d in deltas.values()))) == {
        frozenset({("negative", -1), ("positive", 1)})
    }


def test_items_beside_a_task_are_not_tasks() -> None:
    assert task_facts({"pk": "TASK#abc", "sk": "REVIEW#0000000002", "label": "neutral"}) is None
    assert task_facts({"pk": "ACCOUNT#ana", "sk": "FOLLOWUP#1"}) is None
