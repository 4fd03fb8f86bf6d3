"""The registry routes against moto: every pointer move is one conditional transaction with
its history, and two promotions racing leave exactly one active version and one 409."""

from __future__ import annotations

import pytest

from tests.fixtures.api_events import SUPERVISOR
from tests.fixtures.registry import register
from tests.integration.api.conftest import Call

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics")

CANDIDATE, REJECTED = "c" * 16, "e" * 16


@pytest.fixture
def registered(active_model: str) -> str:
    """Two more versions beside the active one: a candidate and a rejected one."""
    from functions.api import deps

    for version, status in ((CANDIDATE, "candidate"), (REJECTED, "rejected")):
        register(deps.registry(), version, status, parent=active_model)
    return active_model


def statuses(api: Call) -> dict[str, str]:
    return {entry["version"]: entry["status"] for entry in api("GET", "/v1/models").body["items"]}


def test_the_registry_lists_every_version_with_one_active(api: Call, registered: str) -> None:
    listed = api("GET", "/v1/models").body
    assert listed["active_version"] == registered
    assert statuses(api) == {registered: "active", CANDIDATE: "candidate", REJECTED: "rejected"}
    assert {e["metrics"]["negative_recall"] for e in listed["items"]} >= {0.9}


def test_promotion_and_rollback_move_the_pointer_and_keep_the_history(
    api: Call, registered: str
) -> None:
    # WHEN a supervisor promotes a rejected version, then rolls back
    promoted = api("POST", f"/v1/models/{REJECTED}/promote", body={"reason": "reads sarcasm"})
    assert promoted.status == 200, promoted.body
    assert promoted.body["previous_version"] == registered
    assert statuses(api)[REJECTED] == "active"
    rolled = api("POST", "/v1/models/rollback", body={"reason": "refunds got worse"})
    assert rolled.status == 200, rolled.body
    # THEN the first version is active again and both moves are in each entry's history
    assert statuses(api) == {registered: "active", CANDIDATE: "candidate", REJECTED: "retired"}
    history = api("GET", f"/v1/models/{REJECTED}").body["activations"]
    assert [(h["kind"], h["from_version"], h["to_version"], h["override"]) for h in history] == [
        ("promote", registered, REJECTED, True),
        ("rollback", REJECTED, registered, False),
    ]
    assert {h["by"] for h in history} == {f"user:{SUPERVISOR.claims['sub']}"}
    assert history[0]["reason"] == "reads sarcasm"


def test_two_promotions_racing_leave_one_active_version_and_one_conflict(
    api: Call, registered: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from functions.api import deps
    from functions.shared.registry import Registry

    # GIVEN two supervisors who both read the pointer before either promoted
    read_before = deps.registry().pointer()
    first = api("POST", f"/v1/models/{CANDIDATE}/promote", body={"reason": "first"})
    monkeypatch.setattr(Registry, "pointer", lambda _self: read_before)
    # WHEN the second promotion arrives with its stale read
    second = api("POST", f"/v1/models/{REJECTED}/promote", body={"reason": "second"})
    # THEN the first won, the second is a clear 409, and exactly one version is active
    assert first.status == 200
    assert second.status == 409
    assert second.error_code == "active_model_changed"
    monkeypatch.undo()
    assert [v for v, s in statuses(api).items() if s == "active"] == [CANDIDATE]
    assert api("GET", f"/v1/models/{REJECTED}").body["activations"] == []


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        (f"/v1/models/{'0' * 16}/promote", 404, "model_not_found"),
        ("/v1/models/rollback", 409, "nothing_to_change"),
    ],
)
def test_moves_that_cannot_happen_are_refused(
    api: Call, registered: str, path: str, status: int, code: str
) -> None:
    reply = api("POST", path, body={"reason": "because"})
    assert reply.status == status
    assert reply.error_code == code


def test_promoting_the_active_version_is_a_conflict(api: Call, registered: str) -> None:
    reply = api("POST", f"/v1/models/{registered}/promote", body={"reason": "again"})
    assert reply.status == 409
    assert reply.error_code == "nothing_to_change"


def test_a_move_needs_a_written_reason(api: Call, registered: str) -> None:
    reply = api("POST", f"/v1/models/{CANDIDATE}/promote", body={})
    assert reply.status == 422
