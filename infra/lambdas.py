"""The template's functions running locally: a worker pool per function and every event
source that triggers them (infra/triggers), wired to the resources of the created stack.

The stack must be created with `trigger_values(plan)` among its values, so the queues,
streams and buckets the triggers name are resolved by the emulator itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.stack import Stack, aws_environment, emulator_client
from infra.template import LocalPlan
from infra.triggers.notifications import apply_notifications, notification_values
from infra.triggers.players import Players, build_players
from infra.triggers.sources import event_sources, reference_values
from infra.workers import LogSink, Workers, print_line, start_workers


def trigger_values(plan: LocalPlan) -> dict[str, Any]:
    """What the stack must resolve for the triggers: the queues and streams the events
    name, and the queues the buckets notify."""
    played, _ = event_sources(plan.sam)
    return reference_values(played) | notification_values(plan.template)


@dataclass
class RunningFunctions:
    """The workers of every function and the players of every event source."""

    workers: Workers
    players: Players
    notifications: list[str]  # one line per bucket that notifies a queue
    summary: list[str]  # one line per function: its handler and its triggers

    def close(self) -> None:
        self.players.stop()
        self.workers.close()


def _summary(plan: LocalPlan, players: Players, not_played: Mapping[str, list[str]]) -> list[str]:
    width = max((len(name) for name in plan.functions), default=0)
    lines = []
    for name, function in sorted(plan.functions.items()):
        triggers = list(players.triggers.get(name, []))
        routes = [route for route in plan.routes if route.function == name]
        if routes:
            triggers.insert(0, f"HTTP API ({len(routes)} routes)")
        triggers += [f"{kind} (not played locally)" for kind in not_played.get(name, [])]
        image = " [image, run from its handler]" if function.image else ""
        lines.append(
            f"{name:<{width}}  {function.handler}{image}: {'; '.join(triggers) or 'no triggers'}"
        )
    return lines


def start_functions(
    plan: LocalPlan, stack: Stack, endpoint: str, root: Path, sink: LogSink | None = None
) -> RunningFunctions:
    """Starts every function's workers (an instance now for those serving HTTP routes), sets
    the buckets' notifications and starts every event source player against the emulator at
    `endpoint`.

    Raises ValueError for an event source that cannot be played (the workers are stopped).
    """
    served = {route.function for route in plan.routes if route.function in plan.functions}
    workers = start_workers(
        plan.functions, stack.environments, aws_environment(endpoint), root, sink=sink, warm=served
    )
    try:
        played, other = event_sources(plan.sam)
        notifications = apply_notifications(
            emulator_client("s3", endpoint), plan.template, stack.physical_ids, stack.resolved
        )
        players = build_players(
            [source for source in played if source.function in plan.functions],
            stack.resolved,
            workers,
            lambda service: emulator_client(service, endpoint),
            sink or print_line,
        )
    except BaseException:
        workers.close()
        raise
    not_played: dict[str, list[str]] = {}
    for source in other:
        not_played.setdefault(source.function, []).append(f"{source.type} {source.name}")
    players.start()
    summary = _summary(plan, players, not_played)
    return RunningFunctions(workers, players, notifications, summary)
