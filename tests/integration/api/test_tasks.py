"""/v1/tasks through the handler, against moto."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.api.conftest import Call

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics")

ANGRY = "my bag was lost and the agent was rude, terrible service"
CALM = "what time does the gate open for the morning flight"
HAPPY = "thank you, the crew was wonderful and so friendly"


FIRST = {"If-Match": '"1"'}


def new_task(**overrides: Any) -> dict[str, Any]:
    return {"text": ANGRY, "account_id": "acct-1", "category": "baggage", "channel": "web"} | (
        overrides
    )


def create(api: Call, **overrides: Any) -> dict[str, Any]:
    reply = api("POST", "/v1/tasks", body=new_task(**overrides))
    assert reply.status == 201, reply.body
    return dict(reply.body)


def test_created_task_is_open_and_carries_its_decision_record(api: Call, active_model: str) -> None:
    reply = api("POST", "/v1/tasks", body=new_task(product="lounge"))
    task = reply.body
    assert reply.headers["Location"] == f"/v1/tasks/{task['id']}"
    decision = task["decision"]
    assert task["status"] == "open"
    assert task["product"] == "lounge"
    assert task["revision"] == 1
    assert set(decision) == {
        "label",
        "probabilities",
        "confidence",
        "top_terms",
        "support_level",
        "model_version",
        "thresholds_version",
        "input_sha256",
        "decided_at",
    }
    assert decision["model_version"] == active_model
    assert decision["thresholds_version"] == 1
    assert api("GET", f"/v1/tasks/{task['id']}").body == task


def test_retry_with_the_same_idempotency_key_returns_the_same_task(api: Call) -> None:
    headers = {"Idempotency-Key": "retry-1"}
    first = api("POST", "/v1/tasks", body=new_task(), headers=headers)
    second = api("POST", "/v1/tasks", body=new_task(), headers=headers)
    assert first.status == second.status == 201
    assert second.body["id"] == first.body["id"]
    listed = api("GET", "/v1/tasks", query={"account_id": "acct-1"}).body["items"]
    assert len(listed) == 1


def test_different_idempotency_keys_create_different_tasks(api: Call) -> None:
    first = api("POST", "/v1/tasks", body=new_task(), headers={"Idempotency-Key": "k-1"})
    second = api("POST", "/v1/tasks", body=new_task(), headers={"Idempotency-Key": "k-2"})
    assert first.body["id"] != second.body["id"]


def test_reusing_an_idempotency_key_with_another_body_is_422(api: Call) -> None:
    first = api("POST", "/v1/tasks", body=new_task(), headers={"Idempotency-Key": "k-3"})
    assert first.status == 201
    reply = api("POST", "/v1/tasks", body=new_task(text=CALM), headers={"Idempotency-Key": "k-3"})
    assert reply.status == 422
    assert reply.error_code == "idempotency_key_reused"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (new_task(text=""), "text"),
        (new_task(text="x" * 5001), "text"),
        (new_task(account_id=42), "account_id"),
        (new_task(category=""), "category"),
        (new_task(priority="high"), "priority"),
        ({"text": ANGRY}, "category"),
    ],
    ids=["empty-text", "long-text", "wrong-type", "empty-category", "unknown-field", "missing"],
)
def test_create_with_a_bad_body_is_422(api: Call, body: dict[str, Any], field: str) -> None:
    reply = api("POST", "/v1/tasks", body=body)
    assert reply.status == 422
    assert any(field in d["location"] for d in reply.body["error"]["details"])


def test_create_with_blank_text_is_422_naming_the_field(api: Call) -> None:
    reply = api("POST", "/v1/tasks", body=new_task(text="   \n  "))
    assert reply.status == 422
    assert reply.error_code == "validation_error"
    assert [d["location"] for d in reply.body["error"]["details"]] == [["body", "text"]]


def test_create_with_malformed_json_is_400(api: Call) -> None:
    reply = api("POST", "/v1/tasks", raw_body='{"text": ')
    assert reply.status == 400
    assert reply.error_code == "malformed_json"


def test_bad_idempotency_key_is_422(api: Call) -> None:
    reply = api("POST", "/v1/tasks", body=new_task(), headers={"Idempotency-Key": "x" * 300})
    assert reply.status == 422


def test_unknown_task_is_404(api: Call) -> None:
    reply = api("GET", f"/v1/tasks/{'0' * 32}")
    assert reply.status == 404
    assert reply.error_code == "task_not_found"


def test_malformed_task_id_is_422(api: Call) -> None:
    assert api("GET", "/v1/tasks/not-an-id").status == 422


def test_status_moves_open_to_in_progress_to_resolved_and_back_to_open(api: Call) -> None:
    task = create(api)
    path = f"/v1/tasks/{task['id']}"
    for revision, status in enumerate(("in_progress", "resolved", "open"), start=1):
        reply = api("PATCH", path, body={"status": status}, headers={"If-Match": f'"{revision}"'})
        assert reply.status == 200
        assert reply.body["status"] == status
        assert reply.headers["ETag"] == f'"{revision + 1}"'
    assert api("GET", path).body["revision"] == 4


def test_resolved_task_cannot_go_to_in_progress(api: Call) -> None:
    task = create(api)
    path = f"/v1/tasks/{task['id']}"
    assert api("PATCH", path, body={"status": "resolved"}, headers=FIRST).status == 200
    reply = api("PATCH", path, body={"status": "in_progress"}, headers={"If-Match": '"2"'})
    assert reply.status == 409
    assert reply.error_code == "invalid_transition"
    assert api("GET", path).body["status"] == "resolved"


def test_assignee_and_reply_note_are_set_and_cleared(api: Call) -> None:
    task = create(api)
    path = f"/v1/tasks/{task['id']}"
    set_reply = api(
        "PATCH", path, body={"assignee": "agent-7", "reply_note": "Called back"}, headers=FIRST
    )
    assert (set_reply.body["assignee"], set_reply.body["reply_note"]) == ("agent-7", "Called back")
    cleared = api("PATCH", path, body={"assignee": None}, headers={"If-Match": '"2"'})
    assert cleared.body["assignee"] is None
    assert cleared.body["reply_note"] == "Called back"
    assert cleared.body["decision"] == task["decision"]


@pytest.mark.parametrize(
    "body",
    [{}, {"status": "closed"}, {"status": None}, {"owner": "x"}, {"assignee": 5}],
    ids=["empty", "unknown-status", "null-status", "unknown-field", "wrong-type"],
)
def test_patch_with_a_bad_body_is_422(api: Call, body: dict[str, Any]) -> None:
    task = create(api)
    reply = api("PATCH", f"/v1/tasks/{task['id']}", body=body, headers=FIRST)
    assert reply.status == 422
    assert reply.error_code == "validation_error"


def test_patch_of_an_unknown_task_is_404(api: Call) -> None:
    reply = api("PATCH", f"/v1/tasks/{'a' * 32}", body={"status": "resolved"}, headers=FIRST)
    assert reply.status == 404


def test_a_read_carries_the_revision_as_its_etag(api: Call) -> None:
    task = create(api)
    reply = api("GET", f"/v1/tasks/{task['id']}")
    assert reply.headers["ETag"] == '"1"'


def test_patch_without_if_match_is_428_and_changes_nothing(api: Call) -> None:
    task = create(api)
    path = f"/v1/tasks/{task['id']}"
    reply = api("PATCH", path, body={"assignee": "agent-7"})
    assert reply.status == 428
    assert reply.error_code == "precondition_required"
    assert api("GET", path).body["assignee"] is None


def test_patch_against_a_stale_etag_is_412_and_keeps_the_newer_update(api: Call) -> None:
    # GIVEN two agents who read the task at revision 1; the first assigns it
    task = create(api)
    path = f"/v1/tasks/{task['id']}"
    api("PATCH", path, body={"assignee": "agent-1"}, headers=FIRST)
    # WHEN the second updates it with the ETag they read
    reply = api("PATCH", path, body={"assignee": "agent-2"}, headers=FIRST)
    # THEN it is refused and the first update stands
    assert reply.status == 412
    assert reply.error_code == "concurrent_update"
    assert api("GET", path).body["assignee"] == "agent-1"


@pytest.mark.parametrize("if_match", ["*", "1", 'W/"1"', '"0"', '"1", "2"'])
def test_an_if_match_that_is_not_one_etag_is_422(api: Call, if_match: str) -> None:
    task = create(api)
    reply = api(
        "PATCH", f"/v1/tasks/{task['id']}", body={"assignee": "a"}, headers={"If-Match": if_match}
    )
    assert reply.status == 422
