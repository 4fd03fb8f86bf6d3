"""`carescore local` as a subprocess, for the e2e tests and the API benchmark."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections import deque
from collections.abc import Mapping
from pathlib import Path

from infra.demo import CATCH_UP_TIMEOUT_SECONDS, SEED_TIMEOUT_SECONDS
from infra.local import ROOT, ready_url

# The stack announces its URL once the demo history is in and aggregated, so it may take
# the seed's time and the catch-up's.
START_TIMEOUT_SECONDS = 120 + SEED_TIMEOUT_SECONDS + CATCH_UP_TIMEOUT_SECONDS


class StackDidNotStart(RuntimeError):
    """The local stack exited or stayed silent before announcing its URL."""


class StackProcess:
    """A running `carescore local` on a free loopback port: its base URL, its output, its
    state file (its own, so it never reads or removes `make run`'s), and a way to stop it.

    Raises StackDidNotStart (after stopping the process) when it does not get ready.
    """

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self.output: deque[str] = deque(maxlen=400)
        self._ready = threading.Event()
        self.base_url = ""
        self.state_file = Path(tempfile.mkdtemp(prefix="carescore-local-")) / "local.json"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "infra.cli", "local", "--port", "0"],
            cwd=ROOT,
            env=os.environ
            | {
                "PYTHONUNBUFFERED": "1",
                "CARESCORE_STATE_FILE": str(self.state_file),
                "CARESCORE_LOG_FILE": str(self.state_file.with_name("local.log")),
            }
            | dict(env or {}),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        # Keeps reading so the child never blocks on a full pipe.
        threading.Thread(target=self._read, daemon=True).start()
        if not self._ready.wait(START_TIMEOUT_SECONDS) or not self.base_url:
            self.stop()
            raise StackDidNotStart("the local stack did not start:\n" + self.log())

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line.rstrip("\n"))
            url = ready_url(line)
            if url and not self._ready.is_set():
                self.base_url = url
                self._ready.set()
        self._ready.set()

    def log(self) -> str:
        return "\n".join(self.output)

    def stop(self, sig: int = signal.SIGINT, timeout: float = 30) -> int:
        """Sends `sig` (killing it after `timeout` seconds); returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode
