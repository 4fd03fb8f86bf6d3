"""The local gateway and provisioning, over real HTTP, against a stand-in template."""

from __future__ import annotations

import base64
import json
import signal
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

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


def test_a_function_error_is_the_http_apis_own_500(echo_stack: LocalStack) -> None:
    reply = echo_stack.call("GET", "/v1/crash")
    assert reply.status == 500
    assert reply.json() == {"message": "Internal Server Error"}


def test_a_function_past_its_timeout_is_a_500_and_its_instance_is_replaced(
    echo_stack: LocalStack,
) -> None:
    for _ in range(2):
        reply = echo_stack.call("GET", "/v1/slow")
        assert reply.status == 500
        assert reply.json() == {"message": "Internal Server Error"}


def test_a_schedule_fires_now_for_a_caller_on_this_machine(echo_stack: LocalStack) -> None:
    reply = echo_stack.call("POST", "/_local/schedules/Aggregator.Tick")
    assert reply.status == 200
    assert reply.json() == {"schedule": "Aggregator.Tick", "result": None}
    assert echo_stack.call("POST", "/_local/schedules/Aggregator.Nope").status == 404


def test_start_up_names_each_function_with_its_triggers(echo_stack: LocalStack) -> None:
    lines = echo_stack.log().splitlines()
    aggregator = next(line for line in lines if line.strip().startswith("Aggregator "))
    assert "DynamoDB stream" in aggregator
    assert "Schedule rate(1 day)" in aggregator


def test_handler_writes_reach_the_emulated_table(echo_stack: LocalStack) -> None:
    reply = echo_stack.call("POST", "/v1/items", body={"pk": "k1", "value": "v"})
    assert reply.status == 201
    assert reply.json() == {"pk": "k1", "value": "v"}


def test_unknown_route_is_api_gateways_own_404(echo_stack: LocalStack) -> None:
    reply = echo_stack.call("GET", "/v1/nothing-here")
    assert reply.status == 404
    assert reply.json() == {"message": "Not Found"}


@pytest.mark.parametrize("method", ["DELETE", "TRACE", "PROPFIND", "FOO"])
def test_a_method_not_routed_is_api_gateways_own_404(echo_stack: LocalStack, method: str) -> None:
    reply = echo_stack.call(method, "/v1/items")
    assert reply.status == 404
    assert reply.json() == {"message": "Not Found"}


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


def test_cognito_references_resolve_to_the_created_pool_and_client(echo_stack: LocalStack) -> None:
    env = echo_stack.call("GET", "/v1/echo/x").json()["env"]
    state = echo_stack.state
    assert env["USER_POOL_ID"] == state.user_pool_id
    assert env["PORTAL_CLIENT_ID"] == state.portal_client_id
    assert env["ISSUER"] == state.issuer


def test_authorized_route_needs_a_token_and_passes_its_claims(echo_stack: LocalStack) -> None:
    refused = echo_stack.call("GET", "/v1/secure/x")
    assert (refused.status, refused.json()) == (401, {"message": "Unauthorized"})
    reply = echo_stack.call("GET", "/v1/secure/x", token=echo_stack.token("reader"))
    assert reply.status == 200
    claims = reply.json()["event"]["requestContext"]["authorizer"]["jwt"]["claims"]
    assert claims["cognito:groups"] == "[reader]"
    assert claims["sub"] == echo_stack.state.user("reader").sub


def test_machine_token_from_the_token_endpoint_carries_its_scopes(echo_stack: LocalStack) -> None:
    reply = echo_stack.call("GET", "/v1/secure/x", token=echo_stack.machine_token("echo/read"))
    assert reply.status == 200
    assert reply.json()["event"]["requestContext"]["authorizer"]["jwt"]["scopes"] == ["echo/read"]
    # The route's authorization scopes are checked at the gateway, as API Gateway does.
    refused = echo_stack.call("GET", "/v1/scoped", token=echo_stack.machine_token("echo/read"))
    assert (refused.status, refused.json()) == (403, {"message": "Forbidden"})
    assert echo_stack.call("GET", "/v1/scoped", token=echo_stack.machine_token()).status == 200


def test_cors_preflight_is_answered_for_the_allowed_origin_only(echo_stack: LocalStack) -> None:
    asked = {
        "access-control-request-method": "PATCH",
        "access-control-request-headers": "authorization",
    }
    allowed = echo_stack.call(
        "OPTIONS", "/v1/secure/x", headers={"origin": "http://portal.example"} | asked
    )
    other = echo_stack.call(
        "OPTIONS", "/v1/secure/x", headers={"origin": "http://other.example"} | asked
    )
    assert allowed.status == other.status == 204
    assert allowed.headers["access-control-allow-origin"] == "http://portal.example"
    assert allowed.headers["access-control-max-age"] == "300"
    assert not any(name.lower().startswith("access-control-") for name in other.headers)


def _raw_exchange(stack: LocalStack, request: bytes) -> tuple[int, bytes]:
    """Sends `request` as bytes on a fresh connection; the status and body of the answer."""
    url = urlsplit(stack.base_url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as connection:
        connection.sendall(request)
        connection.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


@pytest.mark.parametrize(
    ("framing", "status", "message"),
    [
        (b"Content-Length: -1\r\n", 400, "Bad Request"),
        (b"Content-Length: abc\r\n", 400, "Bad Request"),
        (b"Content-Length: 2\r\nContent-Length: 3\r\n", 400, "Bad Request"),
        (b"Transfer-Encoding: chunked\r\n", 411, "Length Required"),
        (b"", 411, "Length Required"),
        (b"Content-Length: 999999999999\r\n", 413, "Request Entity Too Large"),
    ],
    ids=["negative", "not-a-number", "two-lengths", "chunked", "no-length", "over-the-cap"],
)
def test_a_body_the_gateway_cannot_delimit_is_refused_before_it_is_read(
    echo_stack: LocalStack, framing: bytes, status: int, message: str
) -> None:
    request = (
        b"POST /v1/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + framing
        + b"\r\n2\r\n{}\r\n0\r\n\r\n"
    )
    assert _raw_exchange(echo_stack, request) == (status, json.dumps({"message": message}).encode())
