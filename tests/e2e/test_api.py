"""The product's API through `carescore local`, over real HTTP, signed in as its demo users
and its machine client."""

from __future__ import annotations

import signal
import stat
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
        token=stack.token("agent"),
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
    reply = local_stack.call(
        "GET", f"/v1/tasks?account_id={account}", token=local_stack.token("agent")
    )
    # THEN exactly that task is there
    assert reply.status == 200
    assert [item["id"] for item in reply.json()["items"]] == [task["id"]]


def test_task_status_update_is_stored_and_bad_transition_rejected(
    local_stack: LocalStack,
) -> None:
    task = _new_task(local_stack, f"e2e-{uuid.uuid4().hex[:8]}")
    agent = local_stack.token("agent")
    reply = local_stack.call(
        "PATCH",
        f"/v1/tasks/{task['id']}",
        body={"status": "in_progress", "assignee": "agent-7"},
        headers={"If-Match": '"1"'},
        token=agent,
    )
    assert reply.status == 200, reply.body
    assert reply.json()["status"] == "in_progress"
    stored = local_stack.call("GET", f"/v1/tasks/{task['id']}", token=agent).json()
    assert stored["assignee"] == "agent-7"
    # A resolved task may only be reopened, never put back in progress.
    path = f"/v1/tasks/{task['id']}"
    resolved = local_stack.call(
        "PATCH", path, body={"status": "resolved"}, headers={"If-Match": '"2"'}, token=agent
    )
    assert resolved.status == 200, resolved.body
    refused = local_stack.call(
        "PATCH", path, body={"status": "in_progress"}, headers={"If-Match": '"3"'}, token=agent
    )
    assert refused.status == 409
    assert refused.json()["error"]["code"] == "invalid_transition"
    assert local_stack.call("GET", path, token=agent).json()["status"] == "resolved"


def test_unknown_task_is_404_in_the_error_shape(local_stack: LocalStack) -> None:
    reply = local_stack.call(
        "GET", f"/v1/tasks/{uuid.uuid4().hex}", token=local_stack.token("supervisor")
    )
    assert reply.status == 404
    assert set(reply.json()["error"]) >= {"code", "message"}


def test_batch_with_one_blank_text_scores_the_others(local_stack: LocalStack) -> None:
    reply = local_stack.call(
        "POST",
        "/v1/sentiment",
        body={"texts": ["thank you so much!", "   ", UNHAPPY]},
        token=local_stack.machine_token("carescore/score"),
    )
    assert reply.status == 200, reply.body
    body = reply.json()
    assert [result["index"] for result in body["results"]] == [0, 2]
    assert [(error["index"], error["code"]) for error in body["errors"]] == [(1, "empty_text")]
    assert body["results"][0]["label"] == "positive"


def test_malformed_json_is_a_400_in_the_error_shape(local_stack: LocalStack) -> None:
    reply = local_stack.call(
        "POST", "/v1/sentiment", raw=b'{"texts": [', token=local_stack.token("agent")
    )
    assert reply.status == 400
    assert reply.json()["error"]["code"] == "malformed_json"


def test_unknown_route_is_api_gateways_own_404(local_stack: LocalStack) -> None:
    reply = local_stack.call("GET", "/v1/no-such-thing", token=local_stack.token("agent"))
    assert reply.status == 404
    assert reply.json() == {"message": "Not Found"}


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


def test_customer_creates_and_reads_a_task_for_their_own_account(
    local_stack: LocalStack,
) -> None:
    # GIVEN the demo customer, whose account is their user id (`sub`)
    customer = local_stack.token("customer")
    account = local_stack.state.user("customer").sub
    # WHEN they submit a request for their account
    reply = local_stack.call(
        "POST",
        "/v1/tasks",
        body={"text": UNHAPPY, "account_id": account, "category": "general", "channel": "web"},
        token=customer,
    )
    # THEN it is created, and they can read it and find it in their list
    assert reply.status == 201, reply.body
    task_id = reply.json()["id"]
    assert local_stack.call("GET", f"/v1/tasks/{task_id}", token=customer).status == 200
    listed = local_stack.call("GET", f"/v1/tasks?account_id={account}", token=customer)
    assert task_id in [item["id"] for item in listed.json()["items"]]


def test_request_without_a_token_is_401_and_never_reaches_the_handler(
    local_stack: LocalStack,
) -> None:
    account = f"e2e-{uuid.uuid4().hex[:8]}"
    body = {"text": UNHAPPY, "account_id": account, "category": "general", "channel": "web"}
    reply = local_stack.call("POST", "/v1/tasks", body=body)
    assert reply.status == 401
    assert reply.json() == {"message": "Unauthorized"}
    # The account's list holds the task created with a token, and not the refused one.
    agent = local_stack.token("agent")
    created = local_stack.call("POST", "/v1/tasks", body=body | {"text": "ok"}, token=agent)
    assert created.status == 201, created.body
    listed = local_stack.call("GET", f"/v1/tasks?account_id={account}", token=agent)
    assert listed.status == 200
    assert [item["id"] for item in listed.json()["items"]] == [created.json()["id"]]


def test_people_sign_ins_are_printed_and_the_machine_secret_stays_in_the_state_file(
    local_stack: LocalStack,
) -> None:
    state = local_stack.state
    assert {"customer", "customer-2", "agent", "supervisor"} <= {u.role for u in state.users}
    assert stat.S_IMODE(local_stack.state_file.stat().st_mode) == 0o600
    assert state.machine_client_secret
    for user in state.users:
        assert user.password in local_stack.log()
    assert state.machine_client_id in local_stack.log()
    assert state.machine_client_secret not in local_stack.log()


def test_token_command_prints_a_token_the_api_accepts(local_stack: LocalStack) -> None:
    import os
    import subprocess
    import sys

    env = os.environ | {"CARESCORE_STATE_FILE": str(local_stack.state_file)}
    for args in (["--role", "supervisor"], ["--client", "--scope", "carescore/score"]):
        printed = subprocess.run(
            [sys.executable, "-m", "infra.cli", "token", *args],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert local_stack.call("GET", "/v1/model", token=printed).status == 200


def test_cors_allows_only_the_portal_origin(local_stack: LocalStack) -> None:
    preflight = {
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization",
    }
    allowed = local_stack.call(
        "OPTIONS", "/v1/tasks", headers={"origin": "http://localhost:8080"} | preflight
    )
    foreign = local_stack.call(
        "OPTIONS", "/v1/tasks", headers={"origin": "https://evil.example"} | preflight
    )
    assert allowed.status == 204
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:8080"
    assert "access-control-allow-origin" not in foreign.headers
    health = local_stack.call("GET", "/v1/health", headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in health.headers


def test_ctrl_c_stops_the_stack_with_exit_code_0(
    start_stack: Callable[[dict[str, str]], LocalStack], local_env: dict[str, str]
) -> None:
    stack = start_stack(local_env)
    assert stack.call("GET", "/v1/health").status == 200
    assert stack.state_file.is_file()
    assert stack.stop(signal.SIGINT) == 0, stack.log()
    # The sign-ins die with the stack.
    assert not stack.state_file.exists()


def test_seeded_stack_gives_the_demo_customer_a_history_of_their_own(
    start_stack: Callable[[dict[str, str]], LocalStack], local_env: dict[str, str]
) -> None:
    stack = start_stack(local_env | {"CARESCORE_SEED": "1"})
    customer = stack.state.user("customer")
    reply = stack.call("GET", "/v1/tasks", token=stack.token("customer"))
    assert reply.status == 200, reply.body
    tasks = reply.json()["items"]
    assert tasks
    assert {task["account_id"] for task in tasks} == {customer.sub}
    everyone = stack.call("GET", "/v1/tasks?limit=100", token=stack.token("agent")).json()
    assert len(everyone["items"]) > len(tasks)


def test_a_supervisor_reviews_through_the_gateway_with_the_etag_it_read(
    local_stack: LocalStack,
) -> None:
    # GIVEN a task read by a supervisor, with its ETag
    task = _new_task(local_stack, f"e2e-{uuid.uuid4().hex[:8]}")
    supervisor = local_stack.token("supervisor")
    read = local_stack.call("GET", f"/v1/tasks/{task['id']}", token=supervisor)
    etag = read.headers["ETag"]
    # WHEN the supervisor corrects the label with that ETag
    reply = local_stack.call(
        "POST",
        f"/v1/tasks/{task['id']}/review",
        body={"label": "neutral", "note": "a question, not a complaint"},
        headers={"If-Match": etag},
        token=supervisor,
    )
    # THEN the review is stored beside the decision and listed in the history
    assert reply.status == 201, reply.body
    assert reply.json()["effective_label"] == "neutral"
    assert reply.json()["decision"] == read.json()["decision"]
    assert reply.headers["ETag"] != etag
    history = local_stack.call("GET", f"/v1/tasks/{task['id']}/reviews", token=supervisor)
    assert [r["label"] for r in history.json()["items"]] == ["neutral"]
