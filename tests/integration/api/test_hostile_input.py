"""Bodies, texts and cursors a careless or hostile client sends get the status the spec
declares for them, in the error shape: never a 500."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from functions.api.request_body import MAX_JSON_DEPTH
from tests.fixtures.api_events import FakeContext, http_event, person
from tests.integration.api.conftest import Call, Reply
from tests.integration.api.test_tasks import new_task

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics")

LONE_SURROGATE = "\ud83d"
BELL = "\x07"


def send_bytes(path: str, data: bytes, content_type: str | None = "application/json") -> Reply:
    """POSTs `data` as API Gateway hands over a body it does not treat as text: base64."""
    from functions.api.app import lambda_handler

    event = http_event("POST", path)
    event["body"] = base64.b64encode(data).decode()
    event["isBase64Encoded"] = True
    event["headers"].pop("content-type", None)
    if content_type is not None:
        event["headers"]["content-type"] = content_type
    result = lambda_handler(event, FakeContext())
    return Reply(result["statusCode"], result.get("headers") or {}, json.loads(result["body"]))


def error_of(reply: Reply) -> tuple[int, str]:
    assert set(reply.body) == {"error"}, reply.body
    return reply.status, reply.error_code


@pytest.mark.parametrize(
    "data",
    [
        b'{"texts": ["caf\xe9"]}',
        b'{"texts": ["\xed\xa0\xbd"]}',
        b"\xff\xfe{\x00}\x00",
    ],
    ids=["latin-1", "utf8-encoded-surrogate", "utf-16"],
)
def test_a_body_that_is_not_utf8_is_a_400(api: Call, data: bytes) -> None:
    assert error_of(send_bytes("/v1/sentiment", data)) == (400, "malformed_body")


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 1100])
def test_a_body_nested_too_deep_is_a_400(api: Call, depth: int) -> None:
    raw = '{"texts": ' + "[" * depth + "]" * depth + "}"
    assert error_of(api("POST", "/v1/sentiment", raw_body=raw)) == (400, "malformed_body")


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x", None],
)
def test_a_body_that_is_not_json_is_a_415(api: Call, content_type: str | None) -> None:
    reply = send_bytes("/v1/tasks", b"text=hello&account_id=a", content_type)
    assert error_of(reply) == (415, "unsupported_media_type")


def test_a_lone_surrogate_or_control_character_is_a_per_item_error_in_a_batch(api: Call) -> None:
    texts = ["fine, thanks", f"broken {LONE_SURROGATE} text", f"ring {BELL}", "tab\tand\nlines"]
    reply = api("POST", "/v1/sentiment", body={"texts": texts})
    assert reply.status == 200, reply.body
    assert [(e["index"], e["code"]) for e in reply.body["errors"]] == [
        (1, "invalid_characters"),
        (2, "invalid_characters"),
    ]
    assert [r["index"] for r in reply.body["results"]] == [0, 3]


@pytest.mark.parametrize(
    "fields",
    [
        {"text": f"lost bag {LONE_SURROGATE}"},
        {"text": f"lost bag {BELL}"},
        {"category": f"bag{LONE_SURROGATE}"},
        {"channel": f"web{BELL}"},
        {"product": LONE_SURROGATE},
    ],
    ids=["text-surrogate", "text-control", "category", "channel", "product"],
)
def test_a_lone_surrogate_or_control_character_in_a_task_is_a_422(
    api: Call, fields: dict[str, str]
) -> None:
    status, _ = error_of(api("POST", "/v1/tasks", body=new_task(**fields)))
    assert status == 422


def test_a_control_character_in_a_list_filter_is_a_422(api: Call) -> None:
    reply = api("GET", "/v1/tasks", query={"category": f"bag{BELL}"})
    assert error_of(reply) == (422, "validation_error")


def _first_page_cursor(api: Call) -> str:
    for _ in range(3):
        assert api("POST", "/v1/tasks", body=new_task()).status == 201
    reply = api("GET", "/v1/tasks", query={"limit": "1"})
    assert reply.status == 200, reply.body
    cursor: str = reply.body["next_cursor"]
    assert cursor
    return cursor


def test_a_cursor_continues_the_list_it_came_from(api: Call) -> None:
    cursor = _first_page_cursor(api)
    reply = api("GET", "/v1/tasks", query={"limit": "1", "cursor": cursor})
    assert reply.status == 200
    assert len(reply.body["items"]) == 1


@pytest.mark.parametrize(
    ("query", "caller"),
    [
        ({"status": "open"}, {}),
        ({"order": "support_level"}, {}),
        ({}, {"caller": person("agent", sub="another-agent")}),
    ],
    ids=["other-filter", "other-order", "other-caller"],
)
def test_a_cursor_is_refused_for_another_filter_or_caller(
    api: Call, query: dict[str, str], caller: dict[str, Any]
) -> None:
    cursor = _first_page_cursor(api)
    reply = api("GET", "/v1/tasks", query={"limit": "1", "cursor": cursor} | query, **caller)
    assert error_of(reply) == (400, "invalid_cursor")


@pytest.mark.parametrize(
    "cursor",
    [
        "W1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tb" * 40,
        base64.urlsafe_b64encode(b'{"pk":"TASK#1","sk":"TASK"}').decode() + ".AAAA",
        "not a cursor at all",
    ],
    ids=["long-nested-brackets", "forged", "garbage"],
)
def test_a_cursor_the_api_did_not_issue_is_a_400(api: Call, cursor: str) -> None:
    reply = api("GET", "/v1/tasks", query={"cursor": cursor})
    assert error_of(reply) == (400, "invalid_cursor")


def test_a_null_status_in_a_patch_is_a_422(api: Call) -> None:
    created = api("POST", "/v1/tasks", body=new_task())
    assert created.status == 201
    reply = api("PATCH", f"/v1/tasks/{created.body['id']}", body={"status": None})
    assert error_of(reply) == (422, "validation_error")
