from pathlib import Path

import pytest

from model_build import dataset
from model_build.dataset import ColumnMapping, DatasetError, prepare

from .conftest import labelled_rows, write_csv


def test_bom_and_mixed_case_labels_are_accepted(tmp_path: Path) -> None:
    rows = [{"text": r["text"], "label": r["label"].upper()} for r in labelled_rows()]
    path = tmp_path / "bom.csv"
    write_csv(path, rows, encoding="utf-8-sig")
    data = prepare(path)
    assert set(data.train.labels) == {"negative", "neutral", "positive"}


def test_unknown_labels_are_refused_naming_their_rows(tmp_path: Path) -> None:
    rows = labelled_rows()
    rows[3]["label"] = "angry"
    with pytest.raises(DatasetError, match=r"'angry' on rows 5"):
        prepare(write_csv(tmp_path / "d.csv", rows))


def test_missing_columns_are_named_with_the_header(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", labelled_rows())
    with pytest.raises(DatasetError, match=r"no column named 'tweet'.*'text', 'label'") as error:
        prepare(path, mapping=ColumnMapping(text="tweet"))
    assert error.value.report is not None
    assert error.value.report.errors


def test_non_utf8_is_refused(tmp_path: Path) -> None:
    rows = labelled_rows()
    rows[0]["text"] = "café délai"
    with pytest.raises(DatasetError, match="not UTF-8"):
        prepare(write_csv(tmp_path / "d.csv", rows, encoding="latin-1"))


def test_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(DatasetError, match="not a CSV"):
        prepare(path)


def test_file_over_the_size_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dataset, "MAX_FILE_BYTES", 100)
    with pytest.raises(DatasetError, match="over the 100-byte limit"):
        prepare(write_csv(tmp_path / "d.csv", labelled_rows()))


def test_one_class_only_is_refused(tmp_path: Path) -> None:
    rows = [r for r in labelled_rows() if r["label"] == "negative"]
    with pytest.raises(DatasetError, match="0 'neutral' rows"):
        prepare(write_csv(tmp_path / "d.csv", rows))


def test_duplicates_conflicts_and_empty_texts_are_dropped_and_counted(tmp_path: Path) -> None:
    rows = labelled_rows()
    rows += [
        dict(rows[0]),
        {"text": rows[1]["text"].upper(), "label": "positive"},
        {"text": "   ", "label": "neutral"},
    ]
    data = prepare(write_csv(tmp_path / "d.csv", rows))
    report = data.report.files[0]
    assert report.rows_read == len(rows)
    assert report.dropped == {
        "duplicate text": 1,
        "identical text with conflicting labels": 2,
        "empty text": 1,
    }
    assert report.conflicting_texts == 1


def test_separate_test_file_removes_leaked_texts_from_training(tmp_path: Path) -> None:
    rows = labelled_rows()
    test_rows = rows[::4]
    data = prepare(
        write_csv(tmp_path / "train.csv", rows), write_csv(tmp_path / "t.csv", test_rows)
    )
    assert data.report.leakage_removed == len(test_rows)
    assert not set(data.train.texts) & set(data.test.texts)


def test_split_is_stratified_and_repeatable(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", labelled_rows())
    first, second = prepare(path, seed=7), prepare(path, seed=7)
    assert first.test.texts == second.test.texts
    assert first.test.class_counts() == {"negative": 16, "neutral": 16, "positive": 16}
