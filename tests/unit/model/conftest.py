"""Small, written-for-the-project labelled data, and a tiny model trained from it."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import pytest

from model_build.dataset import ColumnMapping, prepare
from model_build.train import TrainParams, build_model

OPENERS = ["my", "the", "our", "this"]
SUBJECTS = ["flight", "booking", "bag", "seat", "refund", "crew", "upgrade", "app"]
PHRASES = {
    "negative": [
        "was cancelled again",
        "is lost and nobody helps",
        "delayed for hours, awful",
        "broken, terrible service",
        "never arrived, so angry",
    ],
    "neutral": [
        "leaves at noon?",
        "what time is check in",
        "is it on the schedule",
        "do you fly to denver",
        "can I change it online",
    ],
    "positive": [
        "was great, thank you",
        "crew were lovely, thanks",
        "smooth and on time, love it",
        "amazing service today",
        "awesome help, much appreciated",
    ],
}
FAST = TrainParams(c_grid=(1.0,), class_weights=("balanced",), folds=2, min_df=1)


def labelled_rows() -> list[dict[str, str]]:
    """240 distinct short requests, 80 per label."""
    rows = []
    for label, phrases in PHRASES.items():
        combos = itertools.product(OPENERS, SUBJECTS, phrases)
        for opener, subject, phrase in itertools.islice(combos, 80):
            rows.append({"text": f"{opener} {subject} {phrase}", "label": label})
    return rows


def write_csv(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def labelled_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "labelled.csv", labelled_rows())


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tiny")
    data = prepare(write_csv(folder / "data.csv", labelled_rows()), mapping=ColumnMapping())
    build_model(data, folder / "model", FAST, lambda _message: None)
    return folder / "model"
