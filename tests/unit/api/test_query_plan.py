"""Every filter combination is answered by a Query on an index the template declares."""

from __future__ import annotations

import contextlib
import itertools
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from samtranslator.yaml_helper import yaml_parse

from functions.api.data.task_store import (
    ALL_INDEXES,
    INDEXES,
    REVIEW_QUEUE_INDEX,
    cursor_binding,
    decode_cursor,
    encode_cursor,
    plan_query,
    plan_review_queue,
)
from functions.shared.errors import InvalidCursor
from functions.shared.models import ReviewQueueFilter, TaskFilter

ROOT = Path(__file__).resolve().parents[3]
VALUES: dict[str, Any] = {
    "status": "open",
    "support_level": "priority",
    "label": "negative",
    "model_label": "positive",
    "category": "baggage",
    "account_id": "acct-1",
    "reviewed": False,
}


def template_indexes() -> dict[str, tuple[str, str]]:
    template = yaml_parse((ROOT / "template.yaml").read_text(encoding="utf-8"))
    table = template["Resources"]["TasksTable"]["Properties"]
    return {
        index["IndexName"]: tuple(k["AttributeName"] for k in index["KeySchema"])
        for index in table["GlobalSecondaryIndexes"]
    }


def test_the_template_declares_exactly_the_indexes_the_store_queries() -> None:
    declared = template_indexes()
    planned = {index.name: (index.partition, index.sort) for index in ALL_INDEXES}
    assert declared == planned


FILTER_COMBINATIONS = [
    combo for size in range(len(VALUES) + 1) for combo in itertools.combinations(VALUES, size)
]


@pytest.mark.parametrize("order", ["newest", "support_level"])
@pytest.mark.parametrize("with_range", [False, True])
@pytest.mark.parametrize("combo", FILTER_COMBINATIONS, ids="+".join)
def test_each_filter_combination_has_an_index_query(
    combo: tuple[str, ...], order: str, with_range: bool
) -> None:
    times = (
        {
            "created_from": datetime(2026, 1, 1, tzinfo=UTC),
            "created_to": datetime(2026, 2, 1, tzinfo=UTC),
        }
        if with_range
        else {}
    )
    task_filter = TaskFilter(**{name: VALUES[name] for name in combo}, order=order, **times)
    plan = plan_query(task_filter)
    assert plan.index.name in template_indexes()
    assert plan.key_condition.startswith("#p = :p")
    # Every given filter is either the partition, a sort-key condition or a residual filter.
    mentioned = set(plan.names.values())
    for name in combo:
        assert name in mentioned or name == "support_level"


QUEUE_VALUES: dict[str, Any] = {
    "category": "baggage",
    "product": "United",
    "label": "negative",
    "model_version": "abc123",
    "created_from": datetime(2026, 1, 1, tzinfo=UTC),
    "created_to": datetime(2026, 2, 1, tzinfo=UTC),
}
QUEUE_COMBINATIONS = [
    combo
    for size in range(len(QUEUE_VALUES) + 1)
    for combo in itertools.combinations(QUEUE_VALUES, size)
]


@pytest.mark.parametrize("combo", QUEUE_COMBINATIONS, ids=lambda c: "+".join(c) or "none")
def test_each_review_queue_filter_is_a_query_on_the_sparse_index(combo: tuple[str, ...]) -> None:
    plan = plan_review_queue(ReviewQueueFilter(**{name: QUEUE_VALUES[name] for name in combo}))
    assert plan.index == REVIEW_QUEUE_INDEX
    assert plan.index.name in template_indexes()
    assert plan.key_condition == "#p = :p"
    # Every given filter narrows the partition: by its attribute, or by creation time.
    mentioned = set(plan.names.values())
    for name in combo:
        assert ("created_key" if name.startswith("created_") else name) in mentioned
    assert (plan.filter_expression is None) == (not combo)


def test_the_model_label_filter_never_picks_the_partition() -> None:
    plan = plan_query(TaskFilter(model_label="negative"))
    assert plan.index.name == "all-newest"
    assert plan.filter_expression == "#f0 = :f0"
    assert plan.names["#f0"] == "model_label"


def test_newest_order_bounds_time_by_the_sort_key() -> None:
    plan = plan_query(TaskFilter(status="open", created_from=datetime(2026, 1, 1, tzinfo=UTC)))
    assert "BETWEEN" in plan.key_condition
    assert plan.filter_expression is None


def test_level_order_with_a_level_filter_uses_a_sort_key_prefix() -> None:
    plan = plan_query(TaskFilter(status="open", support_level="escalate", order="support_level"))
    assert plan.index.name == "status-by-level"
    assert "begins_with" in plan.key_condition
    assert plan.filter_expression is None


def test_a_time_without_a_zone_is_read_as_utc() -> None:
    naive = plan_query(TaskFilter(created_from=datetime(2026, 1, 1, 12)))
    aware = plan_query(TaskFilter(created_from=datetime(2026, 1, 1, 12, tzinfo=UTC)))
    assert naive.values == aware.values


SECRET = b"s" * 32
KEY = {"pk": "TASK#1", "sk": "TASK", "record_type": "task", "created_key": "2026#1"}


def _binding(reader: str = "user:a", **filters: Any) -> str:
    return cursor_binding(TaskFilter(**filters), reader, INDEXES[(None, "newest")])


def test_cursor_round_trips() -> None:
    cursor = encode_cursor(KEY, _binding(), SECRET)
    assert decode_cursor(cursor, _binding(), SECRET) == {k: {"S": v} for k, v in KEY.items()}


@given(st.text(max_size=3000))
def test_decoding_any_text_either_works_or_raises_invalid_cursor(text: str) -> None:
    with contextlib.suppress(InvalidCursor):
        decode_cursor(text, _binding(), SECRET)


@pytest.mark.parametrize(
    ("binding", "secret"),
    [
        (_binding(status="open"), SECRET),
        (_binding(order="support_level"), SECRET),
        (_binding(reader="user:b"), SECRET),
        (_binding(), b"another stage's secret"),
    ],
    ids=["other-filter", "other-order", "other-reader", "other-secret"],
)
def test_a_cursor_is_refused_for_another_filter_reader_or_stage(
    binding: str, secret: bytes
) -> None:
    cursor = encode_cursor(KEY, _binding(), SECRET)
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, binding, secret)


def test_an_altered_or_unsigned_cursor_is_refused() -> None:
    payload, _, signature = encode_cursor(KEY, _binding(), SECRET).partition(".")
    forged = encode_cursor(KEY | {"pk": "TASK#2"}, _binding(), b"guess")
    for cursor in (payload, forged, f"{payload}.{signature[::-1]}", "W" * 2048 + "." + signature):
        with pytest.raises(InvalidCursor):
            decode_cursor(cursor, _binding(), SECRET)
