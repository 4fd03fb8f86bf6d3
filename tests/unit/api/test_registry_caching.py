"""The active-model pointer and the thresholds are re-read at most once per refresh period."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest.mock import MagicMock

import pytest

from functions.api.data.serving import ModelRegistry, ThresholdConfig
from functions.api.data.task_store import TaskStore
from functions.shared.errors import ModelUnavailable


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def a_registry(tmp_path: Path, dynamodb: MagicMock, clock: Clock) -> ModelRegistry:
    return ModelRegistry(
        "registry", "models", tmp_path, 60, dynamodb=dynamodb, s3=MagicMock(), clock=clock
    )


def pointer_client(version: str | None) -> MagicMock:
    client = MagicMock()
    item: dict[str, Any] = {"version": {"S": version}} if version else {}
    client.get_item.return_value = {"Item": item} if item else {}
    return client


def test_pointer_is_read_once_per_minute(tmp_path: Path) -> None:
    clock = Clock()
    client = pointer_client("v1")
    registry = a_registry(tmp_path, client, clock)
    for _ in range(5):
        registry.active_pointer()
    clock.now += 59
    registry.active_pointer()
    assert client.get_item.call_count == 1
    clock.now += 1
    registry.active_pointer()
    assert client.get_item.call_count == 2


def test_no_pointer_means_no_model(tmp_path: Path) -> None:
    registry = a_registry(tmp_path, pointer_client(None), Clock())
    with pytest.raises(ModelUnavailable):
        registry.active_model()


def test_thresholds_are_read_once_per_minute(tmp_path: Path) -> None:
    clock = Clock()
    client = MagicMock()
    client.get_item.return_value = {
        "Item": {
            "version": {"N": "3"},
            "escalate_negative_min": {"N": "0.9"},
            "priority_negative_min": {"N": "0.6"},
        }
    }
    config = ThresholdConfig("registry", 60, dynamodb=client, clock=clock)
    assert config.current_thresholds().version == 3
    config.current_thresholds()
    assert client.get_item.call_count == 1
    clock.now += 60
    config.current_thresholds()
    assert client.get_item.call_count == 2


def test_decisions_are_written_in_transactions_of_at_most_100() -> None:
    from tests.unit.api.test_store_items import a_stored_decision

    client = MagicMock()
    TaskStore("tasks", client, lambda: b"k").put_decisions(
        [a_stored_decision() for _ in range(101)]
    )
    sizes = [
        len(call.kwargs["TransactItems"]) for call in client.transact_write_items.call_args_list
    ]
    assert sizes == [100, 1]
    client.batch_write_item.assert_not_called()
