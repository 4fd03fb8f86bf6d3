"""Health, model card, unknown routes, docs and picking up a new active model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from functions.api import deps
from tests.integration.api.conftest import Call, install

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics")


def test_health_reports_the_loaded_model_and_a_reachable_store(
    api: Call, active_model: str
) -> None:
    reply = api("GET", "/v1/health")
    assert reply.status == 200
    assert reply.body == {
        "status": "ok",
        "model_loaded": True,
        "model_version": active_model,
        "active_version": None,
        "store_reachable": True,
        "retraining_suggested": False,
    }


def test_health_without_a_model_is_503_in_the_error_shape(call: Call, aws: dict[str, str]) -> None:
    reply = call("GET", "/v1/health")
    assert reply.status == 503
    assert reply.error_code == "unhealthy"
    assert reply.body["error"]["details"][0]["model_loaded"] is False


def test_model_returns_the_active_card(api: Call, active_model: str, tiny_model_dir: Path) -> None:
    reply = api("GET", "/v1/model")
    card = json.loads((tiny_model_dir / "model_card.json").read_text())
    assert reply.status == 200
    assert reply.body["version"] == active_model
    assert reply.body["card"]["metrics"] == card["metrics"]


def test_unknown_route_is_404_in_the_error_shape(api: Call) -> None:
    reply = api("GET", "/v1/nothing-here")
    assert reply.status == 404
    assert reply.error_code == "not_found"


def test_swagger_ui_is_served(api: Call) -> None:
    reply = api("GET", "/v1/docs")
    assert reply.status == 200
    assert "swagger" in str(reply.body).lower()


def test_a_newly_activated_model_is_served_once_the_pointer_is_reread(
    api: Call,
    active_model: str,
    tiny_model_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN the pointer is re-read on every request and a second version is installed
    monkeypatch.setenv("CONFIG_REFRESH_SECONDS", "0")
    deps.reset()
    assert (
        api("POST", "/v1/sentiment", body={"texts": ["ok"]}).body["model_version"] == active_model
    )
    second = _copy_with_version(tiny_model_dir, tmp_path / "second", "second-version")
    install(second)
    # WHEN the next request arrives, THEN it is scored by the new version
    reply = api("POST", "/v1/sentiment", body={"texts": ["ok"]})
    assert reply.body["model_version"] == "second-version"


def _copy_with_version(source: Path, target: Path, version: str) -> Path:
    target.mkdir(parents=True)
    (target / "model.onnx").write_bytes((source / "model.onnx").read_bytes())
    card = json.loads((source / "model_card.json").read_text())
    card["version"] = version
    (target / "model_card.json").write_text(json.dumps(card))
    return target
