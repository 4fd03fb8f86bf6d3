"""What the aggregator reads out of a tasks-table item (a stream image) and what each one
adds to the daily counts. Pure: no AWS, no I/O."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from functions.shared.aggregates import Dimension, counts_partition, counts_sort
from functions.shared.models import Label
from functions.shared.risk import AccountRequest, FollowUpSummary

TASK_PREFIX = "TASK#"
TASK_SORT = "TASK"
FOLLOW_UP_PREFIX = "FOLLOWUP#"


def effective_label(item: dict[str, Any]) -> Label:
    """The label a task counts under: its stored effective label (the latest review's),
    else the model's."""
    label: Label = item.get("effective_label") or item["decision"]["label"]
    return label


@dataclass(frozen=True)
class TaskFacts:
    """What the aggregates need of one task revision."""

    account_id: str
    product: str | None
    day: str
    request: AccountRequest


@dataclass(frozen=True)
class FollowUpFacts:
    """What the risk state needs of one follow-up revision."""

    account_id: str
    created_at: datetime
    summary: FollowUpSummary
    resolved_through: str | None


def task_facts(item: dict[str, Any] | None) -> TaskFacts | None:
    """The facts of a task item (plain values); None for anything else the table holds,
    reviews kept beside a task included."""
    if not item or item.get("sk") != TASK_SORT or not str(item.get("pk")).startswith(TASK_PREFIX):
        return None
    created_at = datetime.fromisoformat(item["created_at"]).astimezone(UTC)
    return TaskFacts(
        account_id=item["account_id"],
        product=item.get("product"),
        day=created_at.date().isoformat(),
        request=AccountRequest(
            task_id=item["id"],
            created_at=created_at,
            created_key=item["created_key"],
            label=effective_label(item),
            support_level=item["decision"]["support_level"],
            category=item["category"],
            revision=item["revision"],
        ),
    )


def follow_up_facts(item: dict[str, Any] | None) -> FollowUpFacts | None:
    """The facts of a follow-up item; None for anything else."""
    if not item or not str(item.get("sk", "")).startswith(FOLLOW_UP_PREFIX):
        return None
    return FollowUpFacts(
        account_id=item["account_id"],
        created_at=datetime.fromisoformat(item["created_at"]),
        summary=FollowUpSummary.model_validate(
            {name: item[name] for name in FollowUpSummary.model_fields}
        ),
        resolved_through=item.get("resolved_through"),
    )


@dataclass(frozen=True)
class Counter:
    """One daily count item: its key and what it counts."""

    partition: str
    sort: str
    dimension: Dimension
    day: str
    name: str
    product: str | None


def counters(facts: TaskFacts) -> list[Counter]:
    """The daily counts one task adds to: its category, its product, and its category
    within its product."""
    category = facts.request.category
    found = [
        Counter(
            counts_partition("category"),
            counts_sort(facts.day, category),
            "category",
            facts.day,
            category,
            None,
        )
    ]
    if facts.product is not None:
        found += [
            Counter(
                counts_partition("product"),
                counts_sort(facts.day, facts.product),
                "product",
                facts.day,
                facts.product,
                None,
            ),
            Counter(
                counts_partition("category", facts.product),
                counts_sort(facts.day, category),
                "category",
                facts.day,
                category,
                facts.product,
            ),
        ]
    return found


def counter_deltas(old: TaskFacts | None, new: TaskFacts | None) -> dict[Counter, dict[Label, int]]:
    """How a change from `old` to `new` moves the counts: the new revision's counts in, the
    old one's out. Only non-zero changes are returned, so a change that keeps label,
    category, product and day moves nothing. Summed over every revision of a task, in any
    order, this gives exactly the counts of its latest revision."""
    deltas: dict[Counter, dict[Label, int]] = defaultdict(lambda: defaultdict(int))
    for facts, sign in ((old, -1), (new, 1)):
        if facts is None:
            continue
        for counter in counters(facts):
            deltas[counter][facts.request.label] += sign
    return {
        counter: {label: change for label, change in changes.items() if change}
        for counter, changes in deltas.items()
        if any(changes.values())
    }
