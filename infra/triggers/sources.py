"""The event sources a template declares, read from each function's `Events`.

SAM's `Events` are the single place a trigger is declared; the local stack plays every one
of the types below from here, not from a list of its own. References in their properties
(`!GetAtt Queue.Arn`, `!GetAtt Table.StreamArn`) are resolved by the emulator's own
CloudFormation when the stack is created (infra/stack.py); `reference_values` says which.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PLAYED_TYPES = ("SQS", "DynamoDB", "Schedule", "ScheduleV2")
# Properties whose values name a resource, by event type (paths into Properties).
REFERENCES: dict[str, tuple[tuple[str, ...], ...]] = {
    "SQS": (("Queue",),),
    "DynamoDB": (("Stream",), ("DestinationConfig", "OnFailure", "Destination")),
    "Schedule": (),
    "ScheduleV2": (),
}


@dataclass(frozen=True)
class EventSource:
    """One entry of a function's `Events`, its properties as written in the template."""

    function: str
    name: str
    type: str
    properties: Mapping[str, Any]

    @property
    def key(self) -> str:
        return f"{self.function}.{self.name}"

    def reference(self, path: tuple[str, ...]) -> Any:
        value: Any = self.properties
        for part in path:
            if not isinstance(value, Mapping) or part not in value:
                return None
            value = value[part]
        return value

    def batching(self, default_batch_size: int) -> dict[str, Any]:
        """What the polled sources (SQS, streams) share: the function and event names,
        `BatchSize`, `MaximumBatchingWindowInSeconds` and `ReportBatchItemFailures`."""
        return {
            "function": self.function,
            "event": self.name,
            "batch_size": int(self.properties.get("BatchSize", default_batch_size)),
            "window": float(self.properties.get("MaximumBatchingWindowInSeconds", 0)),
            "report_failures": "ReportBatchItemFailures"
            in (self.properties.get("FunctionResponseTypes") or []),
        }

    def enabled(self) -> bool:
        """`Enabled: false` (SQS, DynamoDB, Schedule) or `State: DISABLED` switch it off."""
        if self.properties.get("Enabled") is False:
            return False
        return str(self.properties.get("State", "ENABLED")).upper() != "DISABLED"


def event_sources(sam: Mapping[str, Any]) -> tuple[list[EventSource], list[EventSource]]:
    """The played event sources of every function, and the ones of types not played here
    (other than HttpApi, which the gateway serves)."""
    played: list[EventSource] = []
    other: list[EventSource] = []
    for logical, resource in sam.get("Resources", {}).items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        for name, event in (resource.get("Properties", {}).get("Events") or {}).items():
            kind = str(event.get("Type"))
            if kind == "HttpApi":
                continue
            source = EventSource(logical, name, kind, event.get("Properties") or {})
            (played if kind in PLAYED_TYPES else other).append(source)
    return played, other


def reference_key(source: EventSource, path: tuple[str, ...]) -> str:
    return ".".join((source.key, *path))


def reference_values(sources: list[EventSource]) -> dict[str, Any]:
    """The properties that refer to resources, by `Function.Event.Property` key, for the
    stack to resolve."""
    values: dict[str, Any] = {}
    for source in sources:
        for path in REFERENCES[source.type]:
            value = source.reference(path)
            if value is not None:
                values[reference_key(source, path)] = value
    return values


def required(source: EventSource, path: tuple[str, ...], values: Mapping[str, str]) -> str:
    """The resolved value of a property the source cannot do without; ValueError if absent."""
    value = resolved(source, path, values)
    if value is None:
        raise ValueError(f"{source.key}: a {source.type} event needs {'.'.join(path)}")
    return value


def resolved(source: EventSource, path: tuple[str, ...], values: Mapping[str, str]) -> str | None:
    """The resolved value of a reference property; literals are taken as written."""
    value = source.reference(path)
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return values[reference_key(source, path)]
