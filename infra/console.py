"""The local stack's console: a few lines on the terminal, everything in a log file.

Every line a function writes goes to the log file (`.carescore/local.log`, or
$CARESCORE_LOG_FILE; JSON lines: time, function, and the function's own structured record
or its plain text). The terminal gets, prefixed with the function's name, what needs a
person: warnings and errors of structured (powertools) logs, and plain text such as prints
and tracebacks. With `verbose` every line goes to the terminal too.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LOG_FILE = ROOT / ".carescore" / "local.log"
QUIET_LEVELS = frozenset({"DEBUG", "INFO"})


def log_file() -> Path:
    """Where the running stack writes its log."""
    return Path(os.environ.get("CARESCORE_LOG_FILE", DEFAULT_LOG_FILE))


def _record(line: str) -> dict[str, Any] | None:
    if not line.startswith("{"):
        return None
    try:
        parsed = json.loads(line)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


class Console:
    """Where the local stack's and its functions' lines go. Thread-safe."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        verbose: bool = False,
        terminal: TextIO | None = None,
    ) -> None:
        self.log_file = path or log_file()
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.log_file.open("w", encoding="utf-8")
        self._terminal = terminal or sys.stderr
        self._verbose = verbose
        self._lock = threading.Lock()

    def _write(self, source: str, line: str, shown: str | None) -> None:
        record = _record(line)
        entry: dict[str, Any] = {"time": datetime.now(UTC).isoformat(), "source": source}
        entry |= {"record": record} if record is not None else {"message": line}
        with self._lock:
            self._file.write(json.dumps(entry) + "\n")
            self._file.flush()
            if shown is not None:
                self._terminal.write(shown + "\n")
                self._terminal.flush()

    def say(self, message: str) -> None:
        """A line for the person at the terminal (and the log file)."""
        self._write("local", message, message)

    def detail(self, message: str) -> None:
        """A line for the log file only."""
        self._write("local", message, message if self._verbose else None)

    def function_line(self, function: str, line: str) -> None:
        """One line of a function's output (a `LogSink`)."""
        record = _record(line)
        shown: str | None = f"{function} | {line}"
        if record is not None and not self._verbose:
            level = str(record.get("level", "INFO")).upper()
            if level in QUIET_LEVELS:
                shown = None
            else:
                shown = f"{function} | {level} {record.get('message', '')}"
                exception = record.get("exception")
                if isinstance(exception, str) and exception.strip():
                    shown += f" ({exception.strip().splitlines()[-1]})"
        self._write(function, line, shown)

    def close(self) -> None:
        with self._lock:
            self._file.close()
