"""Tasks survive the trip to a DynamoDB item and back, with their index attributes."""

from __future__ import annotations

from datetime import UTC, datetime

from functions.api.data.task_store import decision_item, item_task, task_item
from functions.shared.models import (
    Decision,
    DecisionMetadata,
    Probabilities,
    StoredDecision,
    Task,
    TermWeight,
)

WHEN = datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)


def a_decision() -> Decision:
    return Decision(
        label="negative",
        probabilities=Probabilities(negative=0.9, neutral=0.07, positive=0.03),
        confidence=0.9,
        top_terms=[TermWeight(term="lost", weight=1.25)],
        support_level="escalate",
        model_version="abc",
        thresholds_version=1,
        input_sha256="0" * 64,
        decided_at=WHEN,
    )


def a_task() -> Task:
    return Task(
        id="f" * 32,
        text="lost bag",
        account_id="acct",
        category="baggage",
        channel="web",
        status="open",
        created_at=WHEN,
        updated_at=WHEN,
        revision=1,
        decision=a_decision(),
    )


def a_stored_decision() -> StoredDecision:
    return StoredDecision(
        id="e" * 32,
        text="lost bag",
        batch_index=0,
        metadata=DecisionMetadata(account_id="acct", category="baggage"),
        decision=a_decision(),
        created_at=WHEN,
    )


def test_task_round_trips_through_its_item() -> None:
    assert item_task(task_item(a_task())) == a_task()


def test_task_item_carries_sortable_index_keys() -> None:
    item = task_item(a_task())
    assert item["created_key"]["S"] == f"2026-03-04T05:06:07.890123Z#{'f' * 32}"
    assert item["level_key"]["S"].startswith("2#2026-03-04T05:06:07")
    assert item["reviewed"]["S"] == "false"
    assert item["label"]["S"] == "negative"


def test_stored_decision_stays_out_of_the_task_indexes() -> None:
    item = decision_item(a_stored_decision())
    assert item["record_type"]["S"] == "decision"
    assert not {"status", "label", "category", "account_id", "support_level"} & set(item)
