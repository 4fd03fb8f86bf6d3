"""The committed default model: it loads, it is good, and `make model` reproduces it."""

import json
from pathlib import Path

import pytest

from functions.scoring.model import CARD_FILE, SentimentModel
from infra.cli import main
from model_build import DEFAULT_MODEL_DIR


def test_default_model_loads_and_reads_real_text() -> None:
    model = SentimentModel.load(DEFAULT_MODEL_DIR)
    negative, positive = model.score(
        ["@united you lost my bag and nobody calls back", "@SouthwestAir thank you, great crew!"]
    )
    assert (negative.label, positive.label) == ("negative", "positive")


def test_default_model_card_meets_the_quality_floor() -> None:
    card = json.loads((DEFAULT_MODEL_DIR / CARD_FILE).read_text())
    assert card["metrics"]["macro_f1"] >= 0.74
    assert card["parity"]["passed"]


@pytest.mark.slow
def test_retraining_on_the_same_data_reproduces_the_version(
    shared_data_csv: Path, tmp_path: Path
) -> None:
    args = ["train", "--data", str(shared_data_csv), "--label-column", "airline_sentiment"]
    assert main([*args, "--out", str(tmp_path)]) == 0
    rebuilt = json.loads((tmp_path / CARD_FILE).read_text())["version"]
    assert rebuilt == json.loads((DEFAULT_MODEL_DIR / CARD_FILE).read_text())["version"]
