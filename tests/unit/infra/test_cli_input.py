"""`carescore predict` and `evaluate` on files a person got wrong: a message naming the file
and the line, exit code 2, no traceback and no partial output; `local` stays on loopback
unless told otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.cli import is_loopback, main
from tests.fixtures.models import model_dir_for_tests

GOOD_HEADER = "id,text\r\n"


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return model_dir_for_tests(tmp_path_factory.mktemp("model"))


def _predict(model: Path, source: Path, target: Path) -> int:
    return main(["predict", "--model", str(model), "--input", str(source), "--output", str(target)])


BROKEN = {
    "fields-do-not-match-header": (GOOD_HEADER + "1,fine\r\n2,too,many\r\n", "line 3"),
    "stray-quote": (GOOD_HEADER + '1,fine\r\n2,"unclosed "quote" here\r\n', "line 3"),
    "empty-file": ("", "empty"),
    "missing-column": ("id,body\r\n1,hello\r\n", "no column named 'text'"),
}


@pytest.mark.parametrize(("content", "named"), BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_csv_stops_predict_with_the_file_and_line_and_writes_nothing(
    model: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str,
    named: str,
) -> None:
    source = tmp_path / "in.csv"
    source.write_text(content, encoding="utf-8", newline="")
    target = tmp_path / "out.csv"
    assert _predict(model, source, target) == 2
    error = capsys.readouterr().err
    assert str(source) in error
    assert named in error
    assert "Traceback" not in error
    assert list(tmp_path.iterdir()) == [source]


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        (GOOD_HEADER.encode() + b"1,caf\xe9\r\n", "line 2: not UTF-8"),
        (GOOD_HEADER.encode() + b"1,\x00\x01\x02binary\r\n", "line 2: binary"),
        (b"\xff\xfei\x00d\x00,\x00t\x00", "line 1"),
    ],
    ids=["latin-1", "nul-bytes", "utf-16"],
)
def test_binary_or_non_utf8_content_is_named_by_line(
    model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], raw: bytes, named: str
) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(raw)
    assert _predict(model, source, tmp_path / "out.csv") == 2
    error = capsys.readouterr().err
    assert f"{source}, {named}" in error
    assert not (tmp_path / "out.csv").exists()


def test_a_failed_predict_leaves_an_earlier_output_as_it_was(
    model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    source.write_text(GOOD_HEADER + "1,fine\r\n2,too,many\r\n", encoding="utf-8", newline="")
    target = tmp_path / "out.csv"
    target.write_text("earlier result\n", encoding="utf-8")
    assert _predict(model, source, target) == 2
    assert target.read_text(encoding="utf-8") == "earlier result\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv"]


def test_predict_on_a_good_file_writes_the_output_whole(model: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(GOOD_HEADER + '1,"lost my bag, again"\r\n\r\n2,thanks\r\n', encoding="utf-8")
    target = tmp_path / "out.csv"
    assert _predict(model, source, target) == 0
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "id,text,label,p_negative,p_neutral,p_positive,confidence"
    assert len(lines) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv"]


def test_evaluate_names_the_line_of_a_broken_row(
    model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "labelled.csv"
    source.write_text("text,label\r\nfine,positive\r\nbad,row,extra\r\n", encoding="utf-8")
    assert main(["evaluate", "--model", str(model), "--data", str(source)]) == 2
    assert f"{source}, line 3" in capsys.readouterr().err


def test_a_missing_input_file_is_named(
    model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _predict(model, tmp_path / "nope.csv", tmp_path / "out.csv") == 2
    assert "nope.csv" in capsys.readouterr().err


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "localhost", "::1", "[::1]"])
def test_loopback_hosts_are_recognised(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.5", "example.com", ""])
def test_other_hosts_are_not_loopback(host: str) -> None:
    assert not is_loopback(host)


def test_local_refuses_a_network_host_without_the_flag_and_starts_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["local", "--host", "0.0.0.0", "--port", "0"]) == 2
    error = capsys.readouterr().err
    assert "--expose-on-network" in error
