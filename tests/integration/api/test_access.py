"""Every route in the committed OpenAPI spec, called by every kind of caller, answers with
exactly the status its access rule gives. The matrix is generated from openapi.json's
paths: a route without a row here fails."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.api_events import (
    AGENT,
    ALL_SCOPES,
    ANONYMOUS,
    CUSTOMER,
    OTHER_CUSTOMER,
    SUPERVISOR,
    Caller,
    machine,
)
from tests.fixtures.registry import evaluation, finished_run, register
from tests.integration.api.conftest import Call

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics")

ROOT = Path(__file__).resolve().parents[3]
SPEC = json.loads((ROOT / "openapi.json").read_text(encoding="utf-8"))
OPERATIONS = sorted(
    (method.upper(), path) for path, methods in SPEC["paths"].items() for method in methods
)

# Callers: an anonymous one (no claims at all: the handler's defence in depth), people in
# each group, and a machine client with each single scope and with none.
CALLERS: dict[str, Caller | None] = {
    "anonymous": ANONYMOUS,
    "customer": CUSTOMER,
    "other_customer": OTHER_CUSTOMER,
    "agent": AGENT,
    "supervisor": SUPERVISOR,
    **{f"machine[{scope.split('/')[1]}]": machine(scope) for scope in ALL_SCOPES},
    "machine[]": machine(),
}
PUBLIC = set(CALLERS)
STAFF = {"agent", "supervisor"}

# (method, path) -> success status, the callers it lets in, and the status each other
# caller except anonymous gets (403, or 404 where not finding is the refusal).
RULES: dict[tuple[str, str], tuple[int, set[str]]] = {
    ("GET", "/v1/health"): (200, PUBLIC),
    ("GET", "/v1/model"): (200, STAFF | {"machine[score]"}),
    ("POST", "/v1/sentiment"): (200, STAFF | {"machine[score]"}),
    ("POST", "/v1/tasks"): (201, STAFF | {"customer", "other_customer", "machine[tasks.write]"}),
    ("GET", "/v1/tasks"): (200, STAFF | {"customer", "other_customer", "machine[tasks.read]"}),
    ("GET", "/v1/tasks/{task_id}"): (200, STAFF | {"customer", "machine[tasks.read]"}),
    ("PATCH", "/v1/tasks/{task_id}"): (200, STAFF | {"machine[tasks.write]"}),
    ("GET", "/v1/reviews/queue"): (200, {"supervisor"}),
    ("GET", "/v1/reviews/stats"): (200, {"supervisor"}),
    ("POST", "/v1/tasks/{task_id}/review"): (201, {"supervisor"}),
    ("GET", "/v1/tasks/{task_id}/reviews"): (200, STAFF | {"machine[tasks.read]"}),
    ("GET", "/v1/config/support-levels"): (200, {"supervisor"}),
    ("PUT", "/v1/config/support-levels"): (200, {"supervisor"}),
    ("POST", "/v1/config/support-levels/preview"): (200, {"supervisor"}),
    ("POST", "/v1/tasks/import"): (200, {"supervisor", "machine[tasks.write]"}),
    ("GET", "/v1/trends/categories"): (200, {"supervisor", "machine[trends.read]"}),
    ("GET", "/v1/trends/summary"): (200, {"supervisor", "machine[trends.read]"}),
    ("GET", "/v1/config/at-risk"): (200, {"supervisor", "machine[trends.read]"}),
    ("PUT", "/v1/config/at-risk"): (200, {"supervisor"}),
    ("GET", "/v1/accounts/at-risk"): (200, {"supervisor", "machine[trends.read]"}),
    ("GET", "/v1/accounts/{account_id}/timeline"): (200, {"supervisor", "machine[tasks.read]"}),
    ("POST", "/v1/accounts/{account_id}/follow-ups"): (201, {"supervisor"}),
    ("PATCH", "/v1/accounts/{account_id}/follow-ups/{follow_up_id}"): (200, {"supervisor"}),
    ("POST", "/v1/datasets"): (201, {"supervisor"}),
    ("GET", "/v1/datasets"): (200, {"supervisor"}),
    ("GET", "/v1/datasets/{dataset_id}"): (200, {"supervisor"}),
    ("POST", "/v1/datasets/from-reviews"): (409, {"supervisor"}),
    ("GET", "/v1/training-runs"): (200, {"supervisor"}),
    ("GET", "/v1/training-runs/{run_id}"): (200, {"supervisor"}),
    ("GET", "/v1/models"): (200, {"supervisor"}),
    ("GET", "/v1/models/compare"): (200, {"supervisor"}),
    ("GET", "/v1/models/{version}"): (200, {"supervisor"}),
    ("POST", "/v1/models/{version}/promote"): (200, {"supervisor"}),
    ("POST", "/v1/models/rollback"): (200, {"supervisor"}),
}
# A customer who may read tasks, but not this one: not found, never "forbidden".
HIDDEN = {("GET", "/v1/tasks/{task_id}"): {"other_customer"}}


def request_for(
    method: str, path: str, caller: Caller | None, task_id: str, ids: dict[str, str] | None = None
) -> dict[str, Any]:
    """A valid request for the route: the caller's own account where one is named, and the
    existing dataset, run and versions of `ids`."""
    ids = {"task_id": task_id} | (ids or {})
    account = caller.claims["sub"] if caller is not None else "acct-1"
    bodies: dict[tuple[str, str], Any] = {
        ("POST", "/v1/sentiment"): {"texts": ["the flight was late again"]},
        ("POST", "/v1/tasks"): {
            "text": "my bag is lost",
            "account_id": account,
            "category": "baggage",
            "channel": "web",
        },
        ("PATCH", "/v1/tasks/{task_id}"): {"assignee": "agent-7"},
        ("POST", "/v1/datasets"): {
            "name": "march",
            "files": [{"role": "train", "filename": "train.csv", "size_bytes": 2048}],
        },
        ("POST", "/v1/tasks/{task_id}/review"): {"label": "neutral"},
        ("PUT", "/v1/config/support-levels"): {
            "escalate_negative_min": 0.9,
            "priority_negative_min": 0.6,
            "reason": "fewer escalations",
        },
        ("POST", "/v1/config/support-levels/preview"): {
            "escalate_negative_min": 0.9,
            "priority_negative_min": 0.6,
            "created_from": "2020-01-01T00:00:00Z",
            "created_to": "2100-01-01T00:00:00Z",
        },
        ("POST", "/v1/tasks/import"): {
            "items": [
                {
                    "external_id": "crm-1",
                    "created_at": "2015-02-17T10:00:00Z",
                    "text": "my bag is lost",
                    "account_id": "acct-1",
                    "category": "baggage",
                    "channel": "twitter",
                }
            ]
        },
        ("PUT", "/v1/config/at-risk"): {
            "streak_length": 4,
            "window_negatives": 5,
            "window_days": 30,
            "reason": "fewer false alarms",
        },
        ("POST", "/v1/accounts/{account_id}/follow-ups"): FOLLOW_UP,
        ("PATCH", "/v1/accounts/{account_id}/follow-ups/{follow_up_id}"): {"state": "contacted"},
        ("POST", "/v1/datasets/from-reviews"): {"name": "corrections"},
        ("POST", "/v1/models/{version}/promote"): {"reason": "better on refunds"},
        ("POST", "/v1/models/rollback"): {"reason": "worse on refunds"},
    }
    # Changes that need the revision read: the fresh task's and the seeded config's are 1.
    if_match = method in ("PATCH", "PUT") or path.endswith("/review")
    queries = {
        ("GET", "/v1/models/compare"): {"a": ids.get("a", ""), "b": ids.get("b", "")},
        ("GET", "/v1/trends/categories"): {"from": "2015-02-16", "to": "2015-02-24"},
        ("GET", "/v1/trends/summary"): {"from": "2015-02-16", "to": "2015-02-24"},
    }
    concrete = path
    for name, value in ids.items():
        concrete = concrete.replace(f"{{{name}}}", value)
    return {
        "path": concrete,
        "body": bodies.get((method, path)),
        "query": queries.get((method, path)),
        "caller": caller,
        "headers": {"If-Match": '"1"'} if if_match else None,
    }


FOLLOW_UP = {"mechanism": "call", "owner": "sam", "due_date": "2015-03-01", "note": "apologise"}


def expected_status(operation: tuple[str, str], caller: str) -> int:
    success, allowed = RULES[operation]
    if caller in allowed:
        return success
    if caller in HIDDEN.get(operation, set()):
        return 404
    return 401 if caller == "anonymous" else 403


def test_every_route_in_the_spec_has_a_rule() -> None:
    assert set(OPERATIONS) == set(RULES)


@pytest.fixture
def customers_task(api: Call) -> str:
    request = request_for("POST", "/v1/tasks", CUSTOMER, "")
    reply = api("POST", request.pop("path"), **request)
    assert reply.status == 201, reply.body
    return str(reply.body["id"])


@pytest.fixture
def follow_up(api: Call) -> str:
    reply = api("POST", "/v1/accounts/acct-1/follow-ups", body=FOLLOW_UP, caller=SUPERVISOR)
    assert reply.status == 201, reply.body
    return str(reply.body["id"])


@pytest.fixture
def existing(api: Call, active_model: str, customers_task: str, follow_up: str) -> dict[str, str]:
    """What the routes name: CUSTOMER's task, a dataset with a finished run, a version
    trained against the active one and made active (so there is something to compare and
    to roll back to), a candidate to promote, and a follow-up of an account."""
    from functions.api import deps
    from functions.api.settings import get_settings
    from functions.shared.aws import s3_client
    from functions.shared.model_files import upload_evaluation

    registry = deps.registry()
    trained, candidate = "b" * 16, "c" * 16
    register(registry, trained, "candidate", parent=active_model)
    register(registry, candidate, "candidate", parent=active_model)
    registry.move_pointer(trained, registry.pointer(), kind="gate", by="test", reason="passed")
    upload_evaluation(
        s3_client(),
        get_settings().models_bucket,
        trained,
        active_model,
        evaluation(trained, active_model),
    )
    dataset_id, run_id = finished_run(deps.training_store())
    return {
        "task_id": customers_task,
        "dataset_id": dataset_id,
        "run_id": run_id,
        "version": candidate,
        "a": active_model,
        "b": trained,
        "account_id": "acct-1",
        "follow_up_id": follow_up,
    }


@pytest.mark.parametrize("caller", sorted(CALLERS))
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_each_caller_gets_exactly_the_status_the_rule_gives(
    api: Call, existing: dict[str, str], method: str, path: str, caller: str
) -> None:
    # GIVEN a task of CUSTOMER's, retraining records, a follow-up, and a valid request for the route
    request = request_for(method, path, CALLERS[caller], existing["task_id"], existing)
    # WHEN the caller sends it
    reply = api(method, request.pop("path"), **request)
    # THEN the status is the rule's, and refusals use the one error body
    expected = expected_status((method, path), caller)
    assert reply.status == expected, reply.body
    if expected == 401:
        assert reply.body == {
            "error": {"code": "unauthenticated", "message": "sign in to use this API"}
        }
    if expected == 403:
        assert reply.body["error"]["code"] == "forbidden"
