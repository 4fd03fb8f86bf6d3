"""The local gateway and provisioning, over real HTTP, against a stand-in template."""

from __future__ import annotations

import base64
import signal
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.e2e.conftest import LocalStack

pytestmark = pytest.mark.e2e


def test_request_becomes_a_payload_v2_event_for_the_matching_route(echo_stack: LocalStack) -> None:
    # GIVEN a route with a path parameter
    # WHEN it is called with repeated query parameters and cookies
    reply = echo_stack.call(
        "GET", "/v1/echo/hello%20there?a=1&a=2&b=", headers={"Cookie": "c=1; d=2", "X-Trace": "t"}
    )
    # THEN the handler sees the HTTP API's payload-2.0 event
    assert reply.status == 200
    event = reply.json()["event"]
    assert event["version"] == "2.0"
    assert event["routeKey"] == "ANY /v1/echo/{name}"
    assert event["rawPath"] == "/v1/echo/hello%20there"
    assert event["rawQueryString"] == "a=1&a=2&b="
    assert event["queryStringParameters"] == {"a": "1,2", "b": ""}
    assert event["pathParameters"] == {"name": "hello there"}
    assert event["cookies"] == ["c=1", "d=2"]
    assert event["headers"]["x-trace"] == "t"
    assert "cookie" not in event["headers"]
    assert event["requestContext"]["http"]["method"] == "GET"
    assert event["requestContext"]["http"]["sourceIp"] == "127.0.0.1"
    assert event["isBase64Encoded"] is False


def test_literal_route_wins_over_a_parameter_route(echo_stack: LocalStack) -> None:
    reply = echo_stack.call("GET", "/v1/echo/special")
    assert reply.json()["event"]["routeKey"] == "GET /v1/echo/special"
    assert "pathParameters" not in reply.json()["event"]


def test_binary_body_arrives_base64_encoded(echo_stack: LocalStack) -> None:
    payload = bytes(range(256))
    reply = echo_stack.call(
        "PUT", "/v1/echo/blob", raw=payload, headers={"content-type": "application/octet-stream"}
    )
    event = reply.json()["event"]
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == payload


def test_response_headers_and_cookies_are_mapped_back(echo_stack: LocalStack) -> None:
    reply = echo_stack.call("GET", "/v1/echo/x")
    assert reply.headers["x-function"] == "EchoFunction"
    assert reply.headers["set-cookie"] == "seen=1; Path=/"


def test_environment_is_resolved_from_the_provisioned_stack(echo_stack: LocalStack) -> None:
    env = echo_stack.call("GET", "/v1/echo/x").json()["env"]
    assert env["TABLE_NAME"].startswith("carescore-local-Table-")
    assert env["STREAM_ARN"].startswith("arn:aws:dynamodb:us-east-1:")
    assert f"table/{env['TABLE_NAME']}/stream/" in env["STREAM_ARN"]
    assert env["BUCKET_URI"].startswith("s3://carescore-local-bucket-")
    assert env["STAGE"] == "test"
    # A reference to a function the local stack plays itself keeps the logical id.
    assert env["FUNCTION_REF"] == "Aggregator"


def test_handler_writes_reach_the_emulated_table(echo_stack: LocalStack) -> None:
    reply = echo_stack.call("POST", "/v1/items", body={"pk": "k1", "value": "v"})
    assert reply.status == 201
    assert reply.json() == {"pk": "k1", "value": "v"}


def test_unknown_route_is_404_in_the_api_error_shape(echo_stack: LocalStack) -> None:
    reply = echo_stack.call("GET", "/v1/nothing-here")
    assert reply.status == 404
    assert reply.json()["error"]["code"] == "not_found"


def test_method_not_routed_is_404(echo_stack: LocalStack) -> None:
    reply = echo_stack.call("DELETE", "/v1/items")
    assert reply.status == 404


def test_portal_shell_is_served_at_the_root(echo_stack: LocalStack) -> None:
    reply = echo_stack.call("GET", "/")
    assert reply.status == 200
    assert reply.headers["content-type"].startswith("text/html")
    assert b"carescore" in reply.body


def test_static_paths_cannot_escape_the_portal_directory(echo_stack: LocalStack) -> None:
    reply = echo_stack.call("GET", "/..%2Fpyproject.toml")
    assert reply.status == 404


def test_sigterm_stops_the_stack_with_exit_code_0(
    start_stack: Callable[[dict[str, str]], LocalStack], echo_env: dict[str, str]
) -> None:
    stack = start_stack(echo_env)
    assert stack.stop(signal.SIGTERM) == 0, stack.log()
    assert "stopping" in stack.log()
