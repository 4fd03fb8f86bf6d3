"""The local gateway serves the built portal, its config.json from memory, and says how to
build the portal when there is no build."""

from __future__ import annotations

import json
from pathlib import Path

from infra.gateway import Gateway, Request

CONFIG = {"apiBaseUrl": "/", "region": "us-east-1", "userPoolId": "p", "userPoolClientId": "c"}


def get(gateway: Gateway, path: str) -> tuple[int, str, bytes]:
    response = gateway.handle(Request("GET", path, [], b"", "127.0.0.1"))
    return response.status, dict(response.headers)["content-type"], response.body


def portal_gateway(dist: Path) -> Gateway:
    return Gateway((), {}, {}, dist, portal_config=CONFIG)


def test_the_built_portal_is_served_at_the_root(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><title>carescore</title>")
    status, content_type, body = get(portal_gateway(tmp_path), "/")
    assert (status, content_type) == (200, "text/html")
    assert b"carescore" in body


def test_config_json_comes_from_the_running_stack_not_from_the_build(tmp_path: Path) -> None:
    status, content_type, body = get(portal_gateway(tmp_path), "/config.json")
    assert (status, content_type) == (200, "application/json")
    assert json.loads(body) == CONFIG
    assert not (tmp_path / "config.json").exists()


def test_a_missing_build_is_explained_with_the_command_that_builds_it(tmp_path: Path) -> None:
    status, content_type, body = get(portal_gateway(tmp_path / "dist"), "/")
    assert (status, content_type) == (503, "text/html")
    assert b"make portal" in body


def test_without_a_portal_directory_the_root_is_not_found(tmp_path: Path) -> None:
    status, _, _ = get(Gateway((), {}, {}, None), "/")
    assert status == 404
