"""The local stack stores the default model's training data beside it when the airline CSV
is at hand, prepared once and remembered."""

from __future__ import annotations

from pathlib import Path

import pytest

from functions.shared.training_data import decode_rows
from infra import local


def test_without_the_airline_csv_there_is_no_training_data(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CARESCORE_DATA", str(tmp_path / "missing.csv"))
    monkeypatch.setattr(local, "TRAINING_DATA_CACHE", tmp_path / "cache")
    assert local.default_training_data() is None


def test_the_stack_can_be_told_to_leave_the_training_data_out(
    shared_data_csv: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CARESCORE_DATA", str(shared_data_csv))
    monkeypatch.setenv("CARESCORE_DEFAULT_TRAINING_DATA", "0")
    monkeypatch.setattr(local, "TRAINING_DATA_CACHE", tmp_path / "cache")
    assert local.default_training_data() is None


def test_the_default_models_data_is_prepared_once_then_remembered(
    shared_data_csv: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CARESCORE_DATA", str(shared_data_csv))
    monkeypatch.setattr(local, "TRAINING_DATA_CACHE", tmp_path / "cache")
    first = local.default_training_data()
    assert first is not None
    assert len(decode_rows(first)) > 10_000
    assert len(list((tmp_path / "cache").glob("*.csv"))) == 1

    def no_second_preparation(*_args: object) -> bytes:
        raise AssertionError("prepared again")

    monkeypatch.setattr("model_build.lineage.rebuild_training_data", no_second_preparation)
    assert local.default_training_data() == first
