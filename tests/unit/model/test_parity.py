"""scikit-learn and onnxruntime agree on a model fitted and exported here: checked by this
test itself, not read back from the parity report that training wrote."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from functions.scoring.features import split_text
from functions.scoring.model import SentimentModel, new_session
from model_build.dataset import LABELS, Labelled
from model_build.export import build_graph
from model_build.train import FittedModel, fit

from .conftest import FAST, labelled_rows

# Each kind of input the text preparation treats specially, with a label for training.
TRICKY = {
    "@United I can't believe it!!! 😡😡 http://t.co/xyz": "negative",
    "Sooooo gooood :) thanks @JetBlue <3": "positive",
    "not happy, never again :(": "negative",
    "don\u2019t ❤️ this… 👍🏽 &amp; more": "positive",
    "Спасибо за помощь 谢谢": "positive",
    "@random_person @delta what gate?? www.example.com": "neutral",
    "is it on time ;)": "neutral",
}


@pytest.fixture(scope="module")
def fitted() -> FittedModel:
    rows = labelled_rows()
    texts = [row["text"] for row in rows] + list(TRICKY)
    labels = [row["label"] for row in rows] + list(TRICKY.values())
    _, model, _ = fit(Labelled(texts, labels), FAST, lambda _message: None)
    return model


@pytest.fixture(scope="module")
def exported(fitted: FittedModel) -> SentimentModel:
    card = {"version": "fresh", "labels": list(LABELS), "features": FAST.features.to_dict()}
    return SentimentModel(new_session(build_graph(fitted.to_linear())), card)


@pytest.mark.parametrize("text", list(TRICKY))
def test_tricky_texts_have_the_same_terms_in_training_and_serving(
    fitted: FittedModel, exported: SentimentModel, text: str
) -> None:
    analyzer = fitted.vectorizer.build_analyzer()
    vocabulary = fitted.vectorizer.vocabulary_
    trained = Counter(vocabulary[term] for term in analyzer(text) if term in vocabulary)
    # The serving path cuts texts itself (split_text + per-word indices), apart from
    # the analyzer scikit-learn calls.
    served = Counter(exported._occurrences(split_text(text, FAST.features)))
    assert trained
    assert served == trained


def test_probabilities_agree_to_float_precision(
    fitted: FittedModel, exported: SentimentModel
) -> None:
    texts = [*TRICKY, *(row["text"] for row in labelled_rows()[::7]), "ǂǂǂ", "k"]
    reference = fitted.probabilities(texts)
    served = exported.probabilities(texts)
    assert (reference.argmax(axis=1) == served.argmax(axis=1)).all()
    assert np.abs(reference - served).max() < 1e-5
