"""The local stack waits for its event source players to deliver everything there is."""

from __future__ import annotations

import threading

from infra.triggers.loop import PlayerThread
from infra.triggers.players import Players


class Backlog(PlayerThread):
    """A player with `work` rounds of work queued (more may be added while it runs)."""

    def __init__(self, work: int) -> None:
        super().__init__("backlog", lambda line: None)
        self.work = work
        self.lock = threading.Lock()

    def run_once(self) -> bool:
        with self.lock:
            if self.work == 0:
                return False
            self.work -= 1
            return True


def test_waits_until_every_player_has_delivered_its_backlog() -> None:
    players = Players(players=[Backlog(200), Backlog(0)])
    players.start()
    try:
        assert players.wait_until_drained(timeout=10)
        assert [player.work for player in players.players] == [0, 0]  # type: ignore[attr-defined]
    finally:
        players.stop()


def test_gives_up_on_a_player_that_never_runs_dry() -> None:
    endless = Backlog(10**9)
    players = Players(players=[endless])
    players.start()
    try:
        assert not players.wait_until_drained(timeout=0.5)
    finally:
        players.stop()
