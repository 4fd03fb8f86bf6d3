"""The product's API through `carescore local`, over real HTTP."""

from __future__ import annotations

import signal
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.e2e.conftest import LocalStack

pytestmark = pytest.mark.e2e

UNHAPPY = "My flight was cancelled twice and nobody at the desk would help. Worst service ever."


def _new_task(stack: LocalStack, account: str, text: str = UNHAPPY) -> dict[str, object]:
    reply = stack.call(
        "POST",
        "/v1/tasks",
        body={
            "text": text,
            "account_id": account,
            "category": "Cancelled Flight",
            "channel": "twitter",
            "product": "United",
        },
    )
    assert reply.status == 201, reply.body
    task: dict[str, object] = reply.json()
    return task


def test_health_reports_the_default_model_loaded(local_stack: LocalStack) -> None:
    reply = local_stack.call("GET", "/v1/health")
    assert reply.status == 200
    health = reply.json()
    assert health["status"] == "ok"
    assert health["model_loaded"] is True
    assert health["model_version"]
    assert health["store_reachable"] is True


def test_created_task_is_scored_and_listed_for_its_account(local_stack: LocalStack) -> None:
    # GIVEN a task created for a fresh account
    account = f"e2e-{uuid.uuid4().hex[:8]}"
    task = _new_task(local_stack, account)
    # THEN it carries its decision
    decision = task["decision"]
    assert isinstance(decision, dict)
    assert decision["label"] == "negative"
    assert decision["support_level"] in ("escalate", "priority", "standard")
    # WHEN the account's tasks are listed
    reply = local_stack.call("GET", f"/v1/tasks?account_id={account}")
    # THEN exactly that task is there
    assert reply.status == 200
    assert [item["id"] for item in reply.json()["items"]] == [task["id"]]


def test_task_status_update_is_stored_and_bad_transition_rejected(
    local_stack: LocalStack,
) -> None:
    task = _new_task(local_stack, f"e2e-{uuid.uuid4().hex[:8]}")
    reply = local_stack.call(
        "PATCH", f"/v1/tasks/{task['id']}", body={"status": "in_progress", "assignee": "agent-7"}
    )
    assert reply.status == 200, reply.body
    assert reply.json()["status"] == "in_progress"
    assert local_stack.call("GET", f"/v1/tasks/{task['id']}").json()["assignee"] == "agent-7"


def test_unknown_task_is_404_in_the_error_shape(local_stack: LocalStack) -> None:
    reply = local_stack.call("GET", f"/v1/tasks/{uuid.uuid4().hex}")
    assert reply.status == 404
    assert set(reply.json()["error"]) >= {"code", "message"}


def test_batch_with_one_blank_text_scores_the_others(local_stack: LocalStack) -> None:
    reply = local_stack.call(
        "POST", "/v1/sentiment", body={"texts": ["thank you so much!", "   ", UNHAPPY]}
    )
    assert reply.status == 200, reply.body
    body = reply.json()
    assert [result["index"] for result in body["results"]] == [0, 2]
    assert [(error["index"], error["code"]) for error in body["errors"]] == [(1, "empty_text")]
    assert body["results"][0]["label"] == "positive"


def test_malformed_json_is_a_4xx_in_the_error_shape(local_stack: LocalStack) -> None:
    reply = local_stack.call("POST", "/v1/sentiment", raw=b'{"texts": [')
    assert 400 <= reply.status < 500
    assert "code" in reply.json()["error"]


def test_unknown_route_is_404_in_the_error_shape(local_stack: LocalStack) -> None:
    reply = local_stack.call("GET", "/v1/no-such-thing")
    assert reply.status == 404
    assert "code" in reply.json()["error"]


def test_openapi_spec_is_served_with_the_v1_paths(local_stack: LocalStack) -> None:
    reply = local_stack.call("GET", "/v1/docs?format=json")
    assert reply.status == 200
    spec = reply.json()
    assert spec["openapi"].startswith("3.1")
    assert {"/v1/tasks", "/v1/sentiment", "/v1/health"} <= set(spec["paths"])


def test_swagger_ui_and_portal_are_served(local_stack: LocalStack) -> None:
    assert local_stack.call("GET", "/v1/docs").status == 200
    portal = local_stack.call("GET", "/")
    assert portal.status == 200
    assert b"carescore" in portal.body


def test_ctrl_c_stops_the_stack_with_exit_code_0(
    start_stack: Callable[[dict[str, str]], LocalStack], local_env: dict[str, str]
) -> None:
    stack = start_stack(local_env)
    assert stack.call("GET", "/v1/health").status == 200
    assert stack.stop(signal.SIGINT) == 0, stack.log()
