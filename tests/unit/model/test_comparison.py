"""The gate's comparison with the active model: measured as it serves when it has not seen
the candidate's test texts, as its recipe refitted without them when it has, and said
which in a note; and both models on supervisors' reviews."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from functions.scoring.model import CARD_FILE, SentimentModel
from functions.shared.models import ReviewedExample
from functions.shared.training_data import TrainingRow
from model_build.comparison import active_on_split, params_from_card, score_reviews, seen_rows
from model_build.dataset import ColumnMapping, Labelled, PreparedData, prepare
from model_build.lineage import training_rows
from tests.unit.model.conftest import FAST, labelled_rows, write_csv

OTHER_TEXTS = Labelled(
    texts=[
        "the lounge coffee was cold and stale",
        "which gate does the shuttle leave from",
        "the pilot made the landing so smooth",
    ]
    * 3,
    labels=["negative", "neutral", "positive"] * 3,
)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> PreparedData:
    """The data the tiny model was trained on, prepared the same way."""
    folder = tmp_path_factory.mktemp("data")
    return prepare(write_csv(folder / "data.csv", labelled_rows()), mapping=ColumnMapping())


@pytest.fixture(scope="module")
def active(tiny_model: Path) -> SentimentModel:
    return SentimentModel.load(tiny_model)


def quiet(_message: str) -> None:
    pass


def test_without_stored_training_data_the_active_model_is_measured_as_it_serves(
    active: SentimentModel, prepared: PreparedData
) -> None:
    found = active_on_split(prepared.test, active, None, quiet)
    assert found.basis == "as served"
    assert found.overlap is None
    assert found.metrics == found.as_served
    assert "has no stored training data" in found.note
    assert "favours it" in found.note


def test_a_test_split_the_active_model_never_saw_is_measured_as_it_serves(
    active: SentimentModel, prepared: PreparedData
) -> None:
    found = active_on_split(OTHER_TEXTS, active, training_rows(prepared), quiet)
    assert found.basis == "as served"
    assert found.overlap == 0
    assert found.metrics == found.as_served
    assert "trained on none of the 9 test texts" in found.note


def test_on_texts_it_was_trained_on_the_active_model_is_its_recipe_refitted_without_them(
    active: SentimentModel, prepared: PreparedData
) -> None:
    # GIVEN a candidate whose test split is the active model's own test split, which the
    # shipped active model was refitted on
    assert active.card["shipped"]["fit_on"] == "training and test splits"
    # WHEN the gate measures the active model on it
    found = active_on_split(prepared.test, active, training_rows(prepared), quiet)
    # THEN it is the active recipe fitted without those texts: exactly the active model's
    # own held-out figures, which its card recorded
    assert found.basis == "refitted without the test texts"
    assert found.overlap == len(prepared.test.texts)
    assert found.metrics == active.card["metrics"]
    assert found.as_served["accuracy"] >= found.metrics["accuracy"]
    assert f"trained on {len(prepared.test.texts)} of the {len(prepared.test.texts)}" in (
        found.note
    )
    assert f"({len(prepared.train.texts)} rows)" in found.note
    assert len(found.probabilities) == len(prepared.test.texts)


def test_an_active_model_without_a_recipe_is_measured_as_it_serves_and_said_to_be_favoured(
    tiny_model: Path, tmp_path: Path, prepared: PreparedData
) -> None:
    legacy = tmp_path / "legacy"
    shutil.copytree(tiny_model, legacy)
    card = json.loads((legacy / CARD_FILE).read_text())
    del card["recipe"]
    (legacy / CARD_FILE).write_text(json.dumps(card))
    found = active_on_split(
        prepared.test, SentimentModel.load(legacy), training_rows(prepared), quiet
    )
    assert found.basis == "as served"
    assert found.overlap == len(prepared.test.texts)
    assert "no recipe this code can refit" in found.note


def test_a_model_shipped_on_its_training_split_saw_only_that_split() -> None:
    rows = [TrainingRow("a", "negative", "train"), TrainingRow("b", "neutral", "test")]
    assert seen_rows({"shipped": {"fit_on": "training split"}}, rows) == rows[:1]
    assert seen_rows({"shipped": {"fit_on": "training and test splits"}}, rows) == rows
    assert seen_rows({}, rows) == rows


def test_a_cards_parameters_give_back_the_parameters_it_was_trained_with(
    active: SentimentModel,
) -> None:
    assert params_from_card(active.card) == FAST


def test_both_models_are_scored_on_every_review_with_what_each_was_trained_on(
    active: SentimentModel, prepared: PreparedData
) -> None:
    seen = prepared.train.texts[:30]
    examples = [
        ReviewedExample(
            task_id=f"task-{i}",
            text=text,
            label="negative",
            model_label="neutral",
            model_version=active.version,
            reviewed_at=datetime(2026, 11, 26, tzinfo=UTC),
        )
        for i, text in enumerate([*seen, *OTHER_TEXTS.texts[:3]])
    ]
    rows = training_rows(prepared)
    found = score_reviews(examples, active, rows, active, None)
    assert found.reviews == 33
    assert found.candidate == found.active
    assert 0.0 <= found.candidate <= 1.0
    assert found.candidate_trained_on == 30
    assert found.active_trained_on is None
    assert score_reviews(examples, active, rows, active, rows).active_trained_on == 30
