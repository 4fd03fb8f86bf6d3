"""Support-level thresholds as versioned config, and the preview of a change, with
in-memory fakes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from functions.api.logic import support_levels as logic
from functions.shared.errors import ConcurrentUpdate, InvalidTimeRange, PreconditionRequired
from functions.shared.models import (
    LevelSnapshot,
    Probabilities,
    SupportLevel,
    ThresholdsRecord,
    ThresholdValues,
)
from functions.shared.support import DEFAULT_THRESHOLDS
from tests.unit.api.conftest import MemoryTasks

WHEN = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STRICTER = ThresholdValues(escalate_negative_min=0.95, priority_negative_min=0.7)


class MemoryThresholds:
    """ThresholdsRepository in memory; `others` lets another writer get in first once."""

    def __init__(self) -> None:
        self.versions = [
            ThresholdsRecord(
                thresholds=DEFAULT_THRESHOLDS, updated_at=WHEN, updated_by="system", reason="x"
            )
        ]
        self.others: list[ThresholdsRecord] = []

    def current(self) -> ThresholdsRecord:
        return self.versions[-1]

    def replace(self, record: ThresholdsRecord) -> None:
        self.versions.extend(self.others)
        self.others = []
        if record.thresholds.version != self.current().thresholds.version + 1:
            raise ConcurrentUpdate("moved on")
        self.versions.append(record)


def change(
    config: MemoryThresholds, values: ThresholdValues, expected: int | None
) -> tuple[ThresholdsRecord, bool]:
    return logic.change_support_levels(
        values,
        reason="fewer escalations",
        changed_by="sup-1",
        expected_version=expected,
        repository=config,
    )


def test_a_change_is_a_new_version_with_who_when_and_why() -> None:
    config = MemoryThresholds()
    record, changed = change(config, STRICTER, 1)
    assert changed
    assert record.thresholds.version == 2
    assert (record.updated_by, record.reason) == ("sup-1", "fewer escalations")
    assert [v.thresholds.version for v in config.versions] == [1, 2]


def test_a_change_without_the_expected_version_is_refused() -> None:
    config = MemoryThresholds()
    with pytest.raises(PreconditionRequired):
        change(config, STRICTER, None)
    assert len(config.versions) == 1


def test_a_change_against_an_old_version_is_refused() -> None:
    config = MemoryThresholds()
    change(config, STRICTER, 1)
    with pytest.raises(ConcurrentUpdate):
        change(config, ThresholdValues(escalate_negative_min=0.8, priority_negative_min=0.5), 1)


def test_a_stale_change_to_the_thresholds_already_in_force_is_no_change() -> None:
    config = MemoryThresholds()
    change(config, STRICTER, 1)
    record, changed = change(config, STRICTER, 1)
    assert not changed
    assert record.thresholds.version == 2
    assert len(config.versions) == 2


def test_losing_a_race_to_the_same_thresholds_is_no_change() -> None:
    # GIVEN another supervisor who writes the same thresholds between our read and write
    config = MemoryThresholds()
    config.others = [
        ThresholdsRecord(
            thresholds=DEFAULT_THRESHOLDS.model_copy(
                update={"version": 2, **STRICTER.model_dump()}
            ),
            updated_at=WHEN,
            updated_by="sup-2",
            reason="same idea",
        )
    ]
    record, changed = change(config, STRICTER, 1)
    assert not changed
    assert record.updated_by == "sup-2"


LEVELS: tuple[SupportLevel, ...] = ("standard", "priority", "escalate")


def level_under(negative: float, escalate: float, priority: float) -> SupportLevel:
    """An independent statement of the rule: >= escalate, else >= priority, else standard."""
    return LEVELS[(negative >= priority) + (negative >= escalate)]


snapshots = st.lists(
    st.tuples(
        st.floats(min_value=0, max_value=1, allow_nan=False),
        st.sampled_from(LEVELS),
        st.sampled_from(["baggage", "late", "refund"]),
    ),
    max_size=40,
)


@settings(max_examples=60)
@given(
    snapshots,
    st.floats(min_value=0, max_value=1, allow_nan=False),
    st.floats(min_value=0, max_value=1, allow_nan=False),
)
def test_preview_counts_equal_a_recount(
    rows: list[tuple[float, SupportLevel, str]], a: float, b: float
) -> None:
    escalate, priority = max(a, b), min(a, b)
    items = [
        LevelSnapshot(
            task_id=f"{n:032x}",
            category=category,
            created_at=WHEN - timedelta(minutes=n),
            probabilities=Probabilities(negative=negative, neutral=1 - negative, positive=0),
            support_level=level,
        )
        for n, (negative, level, category) in enumerate(rows)
    ]
    proposed = ThresholdValues(escalate_negative_min=escalate, priority_negative_min=priority)
    preview = logic.count_level_changes(items, proposed, complete=True)
    moved = [
        (category, level)
        for negative, level, category in rows
        if level_under(negative, escalate, priority) != level
    ]
    assert preview.changed == len(moved)
    assert sum(preview.changed_by_category.values()) == len(moved)
    for category in {c for c, _ in moved}:
        assert preview.changed_by_category[category] == sum(1 for c, _ in moved if c == category)
    assert preview.examined == len(rows)
    assert len(preview.examples) == min(len(moved), logic.PREVIEW_EXAMPLES)
    assert all(e.current != e.proposed for e in preview.examples)


def test_a_backwards_preview_period_is_refused(repository: MemoryTasks) -> None:
    with pytest.raises(InvalidTimeRange):
        logic.preview_support_levels(STRICTER, WHEN, WHEN - timedelta(days=1), 10, repository)
