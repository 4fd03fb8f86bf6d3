"""A model's training data, kept beside it: written from the prepared rows, read back the
same, and rebuilt for an installed model only from the very file its card fingerprints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from functions.scoring.model import CARD_FILE
from functions.shared.training_data import TrainingRow, decode_rows, encode_rows
from model_build import DEFAULT_MODEL_DIR
from model_build.dataset import ColumnMapping, prepare
from model_build.lineage import rebuild_training_data, training_data_bytes, training_rows
from tests.unit.model.conftest import labelled_rows, write_csv


def test_training_rows_read_back_as_written() -> None:
    rows = [
        TrainingRow('a "quoted", text', "negative", "train"),
        TrainingRow("two\nlines", "positive", "test"),
        TrainingRow("émoji 😀", "neutral", "train"),
    ]
    assert decode_rows(encode_rows(rows)) == rows


@pytest.mark.parametrize(
    "body",
    [b"text,label\nhello,negative\n", b"text,label,split\nhello,negative,holdout\n"],
    ids=["columns", "split"],
)
def test_anything_else_is_not_training_data(body: bytes) -> None:
    with pytest.raises(ValueError, match="training data file"):
        decode_rows(body)


def test_a_models_data_is_rebuilt_from_the_file_its_card_names(
    tiny_model: Path, tmp_path: Path
) -> None:
    # GIVEN the tiny model, trained from these rows written this way
    source = write_csv(tmp_path / "again.csv", labelled_rows())
    # WHEN its training data is rebuilt from the same bytes
    body = rebuild_training_data(tiny_model, source)
    # THEN it is the prepared rows with their splits, as training would have kept them
    assert body == training_data_bytes(prepare(source, mapping=ColumnMapping()))
    card = json.loads((tiny_model / CARD_FILE).read_text())
    rows = decode_rows(body or b"")
    assert sum(row.split == "train" for row in rows) == card["dataset"]["train_rows"]
    assert sum(row.split == "test" for row in rows) == card["dataset"]["test_rows"]


def test_another_file_gives_no_training_data(tiny_model: Path, tmp_path: Path) -> None:
    other = write_csv(tmp_path / "other.csv", labelled_rows()[:-1])
    assert rebuild_training_data(tiny_model, other) is None


def test_the_default_models_data_is_rebuilt_from_the_airline_csv(shared_data_csv: Path) -> None:
    body = rebuild_training_data(DEFAULT_MODEL_DIR, shared_data_csv)
    assert body is not None
    card = json.loads((DEFAULT_MODEL_DIR / CARD_FILE).read_text())
    rows = decode_rows(body)
    assert len(rows) == card["shipped"]["rows"]
    assert rows == training_rows(
        prepare(shared_data_csv, mapping=ColumnMapping(label="airline_sentiment"))
    )
