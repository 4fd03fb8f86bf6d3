"""Tasks survive the trip to a DynamoDB item and back, with their index attributes."""

from __future__ import annotations

from datetime import UTC, datetime

from functions.api.data.task_store import (
    decision_item,
    item_review,
    item_task,
    review_item,
    stats_updates,
    task_item,
)
from functions.shared.models import (
    Decision,
    DecisionMetadata,
    Probabilities,
    Review,
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


def a_review(label: str = "neutral") -> Review:
    return Review.model_validate(
        {
            "task_id": "f" * 32,
            "label": label,
            "model_label": "negative",
            "note": "sarcasm",
            "reviewer": "sup-1",
            "reviewed_at": WHEN,
            "revision": 2,
        }
    )


def test_an_unreviewed_task_is_in_the_sparse_review_queue() -> None:
    item = task_item(a_task())
    assert item["review_queue"]["S"] == "unreviewed"
    # 0.9 - 0.07 margin, escalate weight 2: (1 - 0.83) * 2 = 0.34
    assert item["risk_key"]["S"] == f"0340000#{item['created_key']['S']}"


def test_a_reviewed_task_leaves_the_queue_and_is_indexed_by_its_effective_label() -> None:
    task = a_task().model_copy(update={"review": a_review(), "revision": 2})
    item = task_item(task)
    assert not {"review_queue", "risk_key"} & set(item)
    assert (item["label"]["S"], item["model_label"]["S"]) == ("neutral", "negative")
    assert item["reviewed"]["S"] == "true"
    assert item_task(item) == task


def test_a_review_round_trips_and_sorts_by_the_revision_it_made() -> None:
    item = review_item(a_review(), "abc")
    assert item["sk"]["S"] == "REVIEW#0000000002"
    assert item["review_model"]["S"] == "abc"
    assert item_review(item) == a_review()


def test_a_change_of_mind_moves_the_task_between_counter_cells() -> None:
    task = a_task()
    updates = stats_updates("t", task, a_review("positive"), a_review("neutral"))
    assert {u["Update"]["Key"]["sk"]["S"] for u in updates} == {
        "all#all",
        "category#baggage",
        "model_version#abc",
        "week#2026-W10",
    }
    names = updates[0]["Update"]["ExpressionAttributeNames"]
    assert (names["#new"], names["#old"]) == ("n_negative_positive", "n_negative_neutral")
    assert stats_updates("t", task, a_review("neutral"), a_review("neutral")) == []
