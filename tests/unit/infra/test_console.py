"""What reaches the terminal and what only the log file."""

from __future__ import annotations

import io
import json
from pathlib import Path

from infra.console import Console


def _console(tmp_path: Path, *, verbose: bool = False) -> tuple[Console, io.StringIO]:
    terminal = io.StringIO()
    return Console(tmp_path / "local.log", verbose=verbose, terminal=terminal), terminal


def test_routine_structured_logs_go_to_the_file_only(tmp_path: Path) -> None:
    console, terminal = _console(tmp_path)
    console.function_line("ApiFunction", json.dumps({"level": "INFO", "message": "task created"}))
    console.close()
    assert terminal.getvalue() == ""
    entry = json.loads((tmp_path / "local.log").read_text())
    assert entry["source"] == "ApiFunction"
    assert entry["record"]["message"] == "task created"


def test_warnings_and_plain_output_reach_the_terminal_after_the_functions_name(
    tmp_path: Path,
) -> None:
    console, terminal = _console(tmp_path)
    console.function_line("Trainer", json.dumps({"level": "ERROR", "message": "gate failed"}))
    console.function_line("Trainer", "Traceback (most recent call last):")
    console.close()
    assert terminal.getvalue().splitlines() == [
        "Trainer | ERROR gate failed",
        "Trainer | Traceback (most recent call last):",
    ]


def test_verbose_shows_every_line(tmp_path: Path) -> None:
    console, terminal = _console(tmp_path, verbose=True)
    console.function_line("ApiFunction", json.dumps({"level": "INFO", "message": "hello"}))
    console.detail("provisioned Journal")
    console.close()
    assert len(terminal.getvalue().splitlines()) == 2
