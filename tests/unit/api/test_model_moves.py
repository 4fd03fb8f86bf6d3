"""Promotion, rollback and comparison rules over an in-memory registry."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from functions.api.logic.models import compare, promote, roll_back
from functions.shared.errors import (
    ActiveModelChanged,
    ModelVersionNotFound,
    NotComparable,
    PointerUnchanged,
)
from functions.shared.lifecycle import ModelVersion, Pointer, PointerMove, VersionStatus

AT = datetime(2026, 11, 26, 5, 0, tzinfo=UTC)


class MemoryRegistry:
    """Keeps the one rule that matters: a move names the pointer it expects."""

    def __init__(self, statuses: dict[str, VersionStatus], active: str | None = None) -> None:
        self.entries = {
            v: ModelVersion(
                version=v,
                status=s,
                s3_prefix=f"models/{v}/",
                registered_at=AT,
                metrics={},
                card={},
            )
            for v, s in statuses.items()
        }
        self.current = Pointer(version=active, activated_at=AT) if active else None
        self.moves: list[dict[str, Any]] = []

    def pointer(self) -> Pointer | None:
        return self.current

    def get(self, version: str) -> ModelVersion | None:
        return self.entries.get(version)

    def versions(self) -> list[ModelVersion]:
        return list(self.entries.values())

    def move_pointer(
        self,
        to_version: str,
        expected: Pointer | None,
        *,
        kind: PointerMove,
        by: str,
        reason: str,
        override: bool = False,
    ) -> Pointer:
        if expected != self.current:
            raise ActiveModelChanged("moved")
        self.current = Pointer(
            version=to_version,
            previous_version=expected.version if expected else None,
            sequence=(expected.sequence if expected else 0) + 1,
            activated_at=AT,
        )
        self.moves.append({"to": to_version, "kind": kind, "by": by, "override": override})
        return self.current


def test_promoting_a_rejected_version_is_recorded_as_an_override() -> None:
    registry = MemoryRegistry({"a" * 16: "active", "b" * 16: "rejected"}, active="a" * 16)
    pointer = promote("b" * 16, "agents say it reads sarcasm better", "user:sup", registry)
    assert (pointer.version, pointer.previous_version) == ("b" * 16, "a" * 16)
    assert registry.moves == [
        {"to": "b" * 16, "kind": "promote", "by": "user:sup", "override": True}
    ]


def test_promoting_the_active_version_or_an_unknown_one_is_refused() -> None:
    registry = MemoryRegistry({"a" * 16: "active"}, active="a" * 16)
    with pytest.raises(PointerUnchanged):
        promote("a" * 16, "again", "user:sup", registry)
    with pytest.raises(ModelVersionNotFound):
        promote("c" * 16, "who?", "user:sup", registry)
    assert registry.moves == []


def test_rollback_returns_to_the_version_active_before() -> None:
    registry = MemoryRegistry({"a" * 16: "active", "b" * 16: "candidate"}, active="a" * 16)
    promote("b" * 16, "try it", "user:sup", registry)
    pointer = roll_back("worse on refunds", "user:sup", registry)
    assert (pointer.version, pointer.previous_version) == ("a" * 16, "b" * 16)
    assert registry.moves[-1]["kind"] == "rollback"


def test_rollback_with_nothing_before_is_refused() -> None:
    with pytest.raises(PointerUnchanged):
        roll_back("why not", "user:sup", MemoryRegistry({"a" * 16: "active"}, active="a" * 16))


def _figures(f1: float) -> dict[str, Any]:
    per_class = {
        label: {"precision": f1, "recall": f1, "f1": f1}
        for label in ("negative", "neutral", "positive")
    }
    return {"accuracy": f1, "macro_f1": f1, "per_class": per_class}


class Evaluations:
    def __init__(self, stored: dict[tuple[str, str], dict[str, Any]]) -> None:
        self.stored = stored

    def evaluation(self, version: str, against: str) -> dict[str, Any] | None:
        return self.stored.get((version, against))


def test_compare_uses_the_split_where_one_was_trained_against_the_other() -> None:
    old, new = "a" * 16, "b" * 16
    registry = MemoryRegistry({old: "retired", new: "active"}, active=new)
    evaluation = {
        "dataset_id": "d" * 32,
        "rows": 40,
        "metrics": {new: _figures(0.8), old: _figures(0.7)},
        "disagreements": {
            "count": 1,
            "sample": [
                {"text": "meh", "label": "neutral", "candidate": "neutral", "active": "negative"}
            ],
        },
    }
    evaluations = Evaluations({(new, old): evaluation})
    # Either order finds it; b minus a is the sign of the differences
    forward = compare(old, new, registry, evaluations)
    assert forward.test_split_of == new
    assert forward.differences["macro_f1"] == pytest.approx(0.1)
    assert forward.differences["per_class"]["negative"]["recall"] == pytest.approx(0.1)
    assert forward.sample == [{"text": "meh", "label": "neutral", "a": "negative", "b": "neutral"}]
    backward = compare(new, old, registry, evaluations)
    assert backward.differences["macro_f1"] == pytest.approx(-0.1)
    assert backward.sample[0]["a"] == "neutral"


def test_versions_never_evaluated_together_are_not_comparable() -> None:
    registry = MemoryRegistry({"a" * 16: "retired", "b" * 16: "active"})
    with pytest.raises(NotComparable):
        compare("a" * 16, "b" * 16, registry, Evaluations({}))
