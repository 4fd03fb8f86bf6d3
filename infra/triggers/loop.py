"""The thread every event source player runs in."""

from __future__ import annotations

import threading
from collections.abc import Callable

STOP_SECONDS = 6.0  # a long poll (1 s) or a batch in flight may hold a player this long
RETRY_SECONDS = 1.0


class PlayerThread:
    """Runs `run_once` again and again in a thread of its own until stopped. A failing
    round (the emulator going away at shutdown, mostly) is logged and retried."""

    idle_seconds = 0.0  # the pause after a round that found nothing to do

    def __init__(self, name: str, log: Callable[[str], None]) -> None:
        self._log = log
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.idle_rounds = 0  # rounds that found nothing to do, so far

    def idle_since(self, rounds: int) -> bool:
        """Whether a whole round found nothing to do since `idle_rounds` was `rounds`: the
        first idle round after it may have looked before the last work arrived."""
        return self.idle_rounds >= rounds + 2

    def run_once(self) -> bool:
        """One round of the player's work; False when there was nothing to do."""
        raise NotImplementedError

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=STOP_SECONDS)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.run_once()
            except Exception as error:
                if not self._stop.is_set():
                    self._log(f"{self._thread.name} failed: {error}")
                    self._stop.wait(RETRY_SECONDS)
                continue
            if not busy:
                self.idle_rounds += 1
                self._stop.wait(self.idle_seconds)
