"""Every event source of the template, played against the emulator: one player per SQS
event, per DynamoDB stream event and shard, and per schedule, started and stopped together.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from infra.triggers.loop import PlayerThread
from infra.triggers.schedules import ScheduleMapping, ScheduleRunner
from infra.triggers.sources import EventSource
from infra.triggers.sqs import SqsMapping, SqsPoller
from infra.triggers.streams import ShardReader, StreamMapping, shard_ids
from infra.workers import Outcome, Workers

DRAIN_POLL_SECONDS = 0.2


@dataclass
class Players:
    """The running players, what each function is triggered by, and the schedules to fire."""

    players: list[PlayerThread] = field(default_factory=list)
    schedules: dict[str, ScheduleRunner] = field(default_factory=dict)  # "Function.Event"
    triggers: dict[str, list[str]] = field(default_factory=dict)  # function -> descriptions

    def start(self) -> None:
        for player in self.players:
            player.start()

    def stop(self) -> None:
        for player in self.players:
            player.stop()

    def wait_until_drained(self, timeout: float) -> bool:
        """Waits until every queue and stream player has found nothing left to deliver,
        after this call; False if `timeout` seconds pass first. Schedules are not waited on."""
        scheduled = {id(runner) for runner in self.schedules.values()}
        draining = [player for player in self.players if id(player) not in scheduled]
        start = {id(player): player.idle_rounds for player in draining}
        deadline = time.monotonic() + timeout
        while not all(player.idle_since(start[id(player)]) for player in draining):
            if time.monotonic() > deadline:
                return False
            time.sleep(DRAIN_POLL_SECONDS)
        return True

    def fire(self, key: str) -> Outcome:
        """Fires the schedule `Function.Event` now. Raises KeyError for an unknown one."""
        return self.schedules[key].fire()


def build_players(
    sources: list[EventSource],
    values: Mapping[str, str],
    workers: Workers,
    clients: Callable[[str], Any],
    log: Callable[[str, str], None],
) -> Players:
    """A player for each of `sources` (their references resolved in `values`), invoking
    through `workers`. `clients(service)` gives a boto3 client for the emulator; `log`
    takes (function name, line). Not started yet. Raises ValueError for a source whose
    properties cannot be played."""
    players = Players()
    sqs, streams = clients("sqs"), clients("dynamodbstreams")
    for source in sources:
        invoke = workers[source.function].invoke
        say = _logger(log, source.function)
        description: str
        if not source.enabled():
            description = f"{source.type} {source.name} (disabled)"
        elif source.type == "SQS":
            sqs_mapping = SqsMapping.from_source(source, dict(values))
            timeout = workers[source.function].spec.timeout
            players.players.append(SqsPoller(sqs_mapping, sqs, invoke, say, timeout))
            description = sqs_mapping.describe()
        elif source.type == "DynamoDB":
            stream_mapping = StreamMapping.from_source(source, dict(values))
            for shard in shard_ids(streams, stream_mapping.stream_arn):
                reader = ShardReader(
                    stream_mapping, shard, streams=streams, sqs=sqs, invoke=invoke, log=say
                )
                players.players.append(reader)
            description = stream_mapping.describe()
        else:
            schedule = ScheduleMapping.from_source(source)
            runner = ScheduleRunner(schedule, invoke, say)
            players.players.append(runner)
            players.schedules[source.key] = runner
            description = schedule.describe()
        players.triggers.setdefault(source.function, []).append(description)
    return players


def _logger(log: Callable[[str, str], None], function: str) -> Callable[[str], None]:
    return lambda line: log(function, line)
