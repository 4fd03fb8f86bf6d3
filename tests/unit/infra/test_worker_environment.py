"""What an instance's environment holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.workers import FunctionSpec, instance_environment

SPEC = FunctionSpec(
    name="Fn",
    handler="app.handler",
    code_dir=Path("/code"),
    environment={"TABLE": "t", "LOG_LEVEL": "INFO"},
    timeout=3,
)


def test_the_callers_other_variables_do_not_reach_a_function(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OTHER_FUNCTION_TABLE", "x")
    environment = instance_environment(SPEC, {"AWS_ENDPOINT_URL": "http://127.0.0.1:1"})
    assert "OTHER_FUNCTION_TABLE" not in environment
    assert environment["TABLE"] == "t"
    assert environment["AWS_ENDPOINT_URL"] == "http://127.0.0.1:1"
    assert environment["_HANDLER"] == "app.handler"


def test_the_callers_log_level_wins_over_the_templates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    assert instance_environment(SPEC, {})["LOG_LEVEL"] == "WARNING"
