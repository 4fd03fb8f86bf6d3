"""The model registry as supervisors use it: versions, comparisons, promotion and rollback.

Every change of the active version goes through the registry's one conditional pointer
move: two supervisors acting at once leave exactly one winner, the other gets
ActiveModelChanged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from functions.shared.errors import ModelVersionNotFound, NotComparable, PointerUnchanged
from functions.shared.lifecycle import ModelVersion, Pointer, PointerMove

CLASS_FIGURES = ("precision", "recall", "f1")
HEADLINE_FIGURES = ("accuracy", "macro_f1")


class RegistryPort(Protocol):
    def pointer(self) -> Pointer | None: ...

    def get(self, version: str) -> ModelVersion | None: ...

    def versions(self) -> list[ModelVersion]: ...

    def move_pointer(
        self,
        to_version: str,
        expected: Pointer | None,
        *,
        kind: PointerMove,
        by: str,
        reason: str,
        override: bool = False,
    ) -> Pointer: ...


class EvaluationSource(Protocol):
    def evaluation(self, version: str, against: str) -> dict[str, Any] | None:
        """What training measured of `version` and `against` on `version`'s test split."""
        ...


@dataclass(frozen=True)
class Comparison:
    a: str
    b: str
    test_split_of: str
    dataset_id: str
    rows: int
    metrics_a: dict[str, Any]
    metrics_b: dict[str, Any]
    differences: dict[str, Any]
    disagreements: int
    sample: list[dict[str, str]]
    note: str | None = None


def get_model(version: str, registry: RegistryPort) -> ModelVersion:
    entry = registry.get(version)
    if entry is None:
        raise ModelVersionNotFound(f"no model version {version}")
    return entry


def promote(version: str, reason: str, by: str, registry: RegistryPort) -> Pointer:
    """Makes `version` active. Promoting a rejected version is an override, recorded as
    such. Raises ModelVersionNotFound, PointerUnchanged (it is active already) and
    ActiveModelChanged (another change won)."""
    entry = get_model(version, registry)
    pointer = registry.pointer()
    if pointer is not None and pointer.version == version:
        raise PointerUnchanged(f"model {version} is active already")
    return registry.move_pointer(
        version,
        pointer,
        kind="promote",
        by=by,
        reason=reason,
        override=entry.status == "rejected",
    )


def roll_back(reason: str, by: str, registry: RegistryPort) -> Pointer:
    """Makes the version that was active before the current one active again. Raises
    PointerUnchanged when there is none, ActiveModelChanged when another change won."""
    pointer = registry.pointer()
    if pointer is None or pointer.previous_version is None:
        raise PointerUnchanged("there is no earlier active version to roll back to")
    previous = get_model(pointer.previous_version, registry)
    return registry.move_pointer(
        previous.version,
        pointer,
        kind="rollback",
        by=by,
        reason=reason,
        override=previous.status == "rejected",
    )


def _differences(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """b minus a: headline figures and each class's precision, recall and F1."""
    return {name: round(b[name] - a[name], 4) for name in HEADLINE_FIGURES} | {
        "per_class": {
            label: {
                figure: round(b["per_class"][label][figure] - figures[figure], 4)
                for figure in CLASS_FIGURES
            }
            for label, figures in a["per_class"].items()
        }
    }


def compare(a: str, b: str, registry: RegistryPort, evaluations: EvaluationSource) -> Comparison:
    """Both versions' figures on the same test split: the one where either was trained
    against the other. Raises ModelVersionNotFound, and NotComparable when neither was."""
    for version in (a, b):
        get_model(version, registry)
    split_of, evaluation = b, evaluations.evaluation(b, a)
    if evaluation is None:
        split_of, evaluation = a, evaluations.evaluation(a, b)
    if evaluation is None:
        raise NotComparable(
            f"{a} and {b} were never evaluated on the same test data: compare a trained "
            "version with the version that was active when it was trained"
        )
    # The evaluation names the trained version `candidate` and the other `active`.
    by_a, by_b = ("active", "candidate") if split_of == b else ("candidate", "active")
    disagreements = evaluation["disagreements"]
    return Comparison(
        a=a,
        b=b,
        test_split_of=split_of,
        dataset_id=evaluation["dataset_id"],
        rows=evaluation["rows"],
        metrics_a=evaluation["metrics"][a],
        metrics_b=evaluation["metrics"][b],
        differences=_differences(evaluation["metrics"][a], evaluation["metrics"][b]),
        disagreements=disagreements["count"],
        sample=[
            {"text": row["text"], "label": row["label"], "a": row[by_a], "b": row[by_b]}
            for row in disagreements["sample"]
        ],
        note=evaluation.get("note"),
    )
