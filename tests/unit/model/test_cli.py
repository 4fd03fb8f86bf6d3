import csv
import json
from pathlib import Path

import pytest

from functions.scoring.features import MAX_TEXT_CHARS
from infra import cli
from infra.cli import main
from model_build import train

from .conftest import FAST, labelled_rows, write_csv


@pytest.fixture(autouse=True)
def fast_search(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(train, "TrainParams", lambda seed: FAST)


def test_train_writes_model_card_and_report(
    labelled_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["train", "--data", str(labelled_csv), "--out", str(tmp_path / "m")]) == 0
    assert {p.name for p in (tmp_path / "m").iterdir()} == {
        "model.onnx",
        "model_card.json",
        "validation_report.json",
    }
    assert "macro_f1" in json.loads(capsys.readouterr().out)["metrics"]


def test_bad_data_writes_the_report_and_no_model(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", [r for r in labelled_rows() if r["label"] != "neutral"])
    assert main(["train", "--data", str(path), "--out", str(tmp_path / "m")]) == 2
    report = json.loads((tmp_path / "m" / cli.REPORT_FILE).read_text())
    assert report["ok"] is False
    assert "'neutral'" in report["errors"][0]
    assert not (tmp_path / "m" / "model.onnx").exists()


def test_evaluate_prints_metrics(
    tiny_model: Path, labelled_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["evaluate", "--model", str(tiny_model), "--data", str(labelled_csv)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["metrics"]["rows"] == 240
    assert result["metrics"]["accuracy"] > 0.9


def test_predict_adds_columns_and_leaves_unscorable_rows_unlabelled(
    tiny_model: Path, tmp_path: Path
) -> None:
    rows = [
        {"id": "1", "text": "my bag is lost and nobody helps"},
        {"id": "2", "text": " "},
        {"id": "3", "text": "x" * (MAX_TEXT_CHARS + 1)},
    ]
    source, target = write_csv(tmp_path / "in.csv", rows), tmp_path / "out.csv"
    code = main(
        ["predict", "--model", str(tiny_model), "--input", str(source), "--output", str(target)]
    )
    assert code == 0
    with target.open(encoding="utf-8") as handle:
        written = list(csv.DictReader(handle))
    assert list(written[0]) == [
        "id",
        "text",
        "label",
        "p_negative",
        "p_neutral",
        "p_positive",
        "confidence",
    ]
    assert written[0]["label"] == "negative"
    assert written[1]["label"] == written[2]["label"] == ""


def test_predict_names_a_missing_text_column(
    tiny_model: Path, labelled_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "predict",
            "--model",
            str(tiny_model),
            "--input",
            str(labelled_csv),
            "--output",
            str(tmp_path / "o.csv"),
            "--text-column",
            "body",
        ]
    )
    assert code == 2
    assert "no column named 'body'" in capsys.readouterr().err
