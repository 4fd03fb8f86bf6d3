"""What the gate compares a candidate with: the active model on the candidate's test split,
measured fairly, and both models on supervisors' reviews.

The candidate's figures are held out (its recipe fitted on its training split, measured on
its test split). The active model as it serves was usually fitted on every row of its own
data, test split included, so when the candidate's test split shares texts with the active
model's training data the active model is measured on texts it has learnt, and the
comparison favours it (a dataset built from reviews keeps the active model's test split, so
there it has seen nearly all of them). The fair counterpart is the same thing the
candidate's figures are: the active model's recipe fitted on its own training data without
the candidate's test texts, measured on that split. Neither model has then seen the test
texts.

- The active model's training data (``models/<version>/training_data.csv``) is what tells
  which texts it was trained on, by normalised text, as dataset intake finds duplicates.
- No overlap: the active model is measured as it serves.
- Overlap: its recipe (card `recipe`, `parameters`, `features`) is refitted without the
  overlapping texts and that is measured; the figures as it serves are kept beside.
- Its training data not stored, or its card without a recipe this code can fit: measured
  as it serves, and the gate result says the comparison may favour it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from functions.scoring.features import FeatureSpec, normalise
from functions.scoring.model import SentimentModel
from functions.shared.models import ReviewedExample
from functions.shared.training_data import TrainingRow
from model_build.dataset import LABELS, Labelled
from model_build.gate import ReviewAccuracy
from model_build.train import Recipe, TrainParams, evaluate_probabilities

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ActiveOnSplit:
    """The active model on the candidate's test split: `metrics` are what the gate compares
    with, `as_served` the model as it serves (the same when nothing was refitted), and
    `note` says which they are and why."""

    metrics: dict[str, Any]
    as_served: dict[str, Any]
    probabilities: np.ndarray  # as served, per test text
    basis: str  # "as served", "refitted without the test texts"
    overlap: int | None  # test texts the active model was trained on; None: unknown
    note: str


def text_keys(texts: Iterable[str]) -> set[str]:
    """Texts as dataset intake tells duplicates apart (normalised)."""
    return {normalise(text) for text in texts}


def seen_rows(active_card: dict[str, Any], rows: Sequence[TrainingRow]) -> list[TrainingRow]:
    """The rows the active model as shipped was fitted on: every row when its card says it
    was refitted on both splits (or does not say), else its training split."""
    fit_on = str(active_card.get("shipped", {}).get("fit_on", "training and test splits"))
    if fit_on == "training split":
        return [row for row in rows if row.split == "train"]
    return list(rows)


def params_from_card(card: dict[str, Any]) -> TrainParams:
    """The training parameters a card records, as far as this code knows them (a recipe
    fit uses the vectorizer's settings, the features and the seed)."""
    known = {field.name for field in dataclasses.fields(TrainParams)} - {"features"}
    recorded = card.get("parameters", {})
    values: dict[str, Any] = {
        name: tuple(map(_tuples, value)) if isinstance(value, list) else value
        for name, value in recorded.items()
        if name in known
    }
    return TrainParams(**values, features=FeatureSpec.from_dict(card["features"]))


def _tuples(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def active_on_split(
    test: Labelled,
    active: SentimentModel,
    active_rows: Sequence[TrainingRow] | None,
    progress: Progress,
) -> ActiveOnSplit:
    """Measures the active model on `test` as fairly as its stored lineage allows (see the
    module docstring)."""
    probabilities = active.probabilities(test.texts)
    served = evaluate_probabilities(probabilities, test.labels)
    rows = len(test.texts)

    def as_served(overlap: int | None, note: str) -> ActiveOnSplit:
        return ActiveOnSplit(served, served, probabilities, "as served", overlap, note)

    if active_rows is None:
        return as_served(
            None,
            f"the active model {active.version} has no stored training data, so whether it "
            f"was trained on some of the {rows} test texts is unknown: it is measured as it "
            "serves, which favours it if it was",
        )
    seen = seen_rows(active.card, active_rows)
    test_keys = text_keys(test.texts)
    seen_keys = text_keys(row.text for row in seen)
    overlap = len(test_keys & seen_keys)
    if not overlap:
        return as_served(
            0,
            f"the active model {active.version} was trained on none of the {rows} test "
            "texts: it is measured as it serves",
        )
    kept = [row for row in seen if normalise(row.text) not in test_keys]
    trained_on = (
        f"the active model {active.version} was trained on {overlap} of the {rows} test texts"
    )
    try:
        recipe = Recipe.from_dict(active.card["recipe"])
        params = params_from_card(active.card)
    except (KeyError, TypeError, ValueError) as error:
        return as_served(
            overlap,
            f"{trained_on}, and its card has no recipe this code can refit ({error!r}): it "
            "is measured as it serves, which favours it",
        )
    progress(f"refitting the active model's recipe on {len(kept)} rows without the test texts")
    fitted = recipe.fit([row.text for row in kept], [row.label for row in kept], params)
    refitted = evaluate_probabilities(fitted.probabilities(test.texts), test.labels)
    return ActiveOnSplit(
        refitted,
        served,
        probabilities,
        "refitted without the test texts",
        overlap,
        f"{trained_on}: it is compared as its recipe refitted on its own training data "
        f"without them ({len(kept)} rows), so neither model has seen the test split "
        f"(as it serves: macro-F1 {served['macro_f1']:.4f}, negative recall "
        f"{served['per_class']['negative']['recall']:.4f})",
    )


def accuracy(model: SentimentModel, examples: Sequence[ReviewedExample]) -> float:
    predicted = model.probabilities([e.text for e in examples]).argmax(axis=1)
    expected = np.array([LABELS.index(e.label) for e in examples])
    return float((predicted == expected).mean())


def score_reviews(
    examples: Sequence[ReviewedExample],
    candidate: SentimentModel,
    candidate_rows: Sequence[TrainingRow],
    active: SentimentModel,
    active_rows: Sequence[TrainingRow] | None,
) -> ReviewAccuracy:
    """Scores both models, as they serve, on every reviewed text against its effective
    label, and counts the reviewed texts each was trained on."""
    keys = text_keys(e.text for e in examples)
    candidate_seen = text_keys(r.text for r in seen_rows(candidate.card, candidate_rows))
    return ReviewAccuracy(
        reviews=len(examples),
        candidate=accuracy(candidate, examples),
        active=accuracy(active, examples),
        candidate_trained_on=len(keys & candidate_seen),
        active_trained_on=None
        if active_rows is None
        else len(keys & text_keys(r.text for r in seen_rows(active.card, active_rows))),
    )
