"""/v1/config/support-levels in process: versions with who, when and why behind If-Match,
served to new decisions, and a preview whose counts equal a recount."""

from __future__ import annotations

from typing import Any

import pytest

from functions.api import deps
from tests.fixtures.api_events import SUPERVISOR
from tests.integration.api.conftest import Call
from tests.integration.api.test_tasks import ANGRY, CALM, HAPPY

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics")

PATH = "/v1/config/support-levels"
STRICTER = {"escalate_negative_min": 0.97, "priority_negative_min": 0.9}
ALL_TIME = {"created_from": "2000-01-01T00:00:00Z", "created_to": "2100-01-01T00:00:00Z"}


def put(api: Call, etag: str | None, values: dict[str, float] = STRICTER) -> Any:
    headers = {"If-Match": etag} if etag else None
    return api("PUT", PATH, body=values | {"reason": "too many escalations"}, headers=headers)


def test_the_defaults_are_version_1_with_their_etag(api: Call) -> None:
    reply = api("GET", PATH)
    assert reply.status == 200
    assert reply.headers["ETag"] == '"1"'
    assert (reply.body["version"], reply.body["updated_by"]) == (1, "system")


def test_a_change_is_a_new_version_recorded_with_who_and_why(api: Call) -> None:
    api("GET", PATH)
    reply = put(api, '"1"')
    assert reply.status == 200, reply.body
    assert reply.headers["ETag"] == '"2"'
    assert reply.body["version"] == 2
    assert reply.body["updated_by"] == SUPERVISOR.claims["sub"]
    assert reply.body["reason"] == "too many escalations"
    assert api("GET", PATH).body == reply.body


def test_a_change_without_if_match_is_428(api: Call) -> None:
    assert put(api, None).status == 428
    assert api("GET", PATH).body["version"] == 1


def test_a_stale_change_is_412_unless_those_thresholds_are_in_force(api: Call) -> None:
    api("GET", PATH)
    put(api, '"1"')
    other = {"escalate_negative_min": 0.8, "priority_negative_min": 0.5}
    assert put(api, '"1"', other).status == 412
    same = put(api, '"1"')
    assert same.status == 200
    assert same.body["version"] == 2


def test_priority_above_escalate_is_422(api: Call) -> None:
    reply = put(api, '"1"', {"escalate_negative_min": 0.5, "priority_negative_min": 0.6})
    assert reply.status == 422


def test_new_decisions_name_the_new_version(api: Call, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFIG_REFRESH_SECONDS", "0")
    deps.reset()
    api("GET", PATH)
    put(api, '"1"')
    created = api(
        "POST",
        "/v1/tasks",
        body={"text": ANGRY, "account_id": "a", "category": "c", "channel": "web"},
    )
    assert created.body["decision"]["thresholds_version"] == 2


def level(negative: float, escalate: float, priority: float) -> str:
    if negative >= escalate:
        return "escalate"
    return "priority" if negative >= priority else "standard"


@pytest.mark.parametrize(
    "proposed",
    [
        {"escalate_negative_min": 1.0, "priority_negative_min": 1.0},
        {"escalate_negative_min": 0.0, "priority_negative_min": 0.0},
    ],
    ids=["nothing-urgent", "everything-escalates"],
)
def test_preview_counts_equal_a_recount_of_the_stored_decisions(
    api: Call, proposed: dict[str, float]
) -> None:
    # GIVEN tasks over two categories
    for n, text in enumerate([ANGRY, CALM, HAPPY, f"{ANGRY} again", f"{CALM} {HAPPY}"]):
        body = {
            "text": text,
            "account_id": "a",
            "category": ("bags", "delay")[n % 2],
            "channel": "web",
        }
        assert api("POST", "/v1/tasks", body=body).status == 201
    # WHEN the proposed thresholds are previewed over all time
    reply = api("POST", f"{PATH}/preview", body=proposed | ALL_TIME)
    assert reply.status == 200, reply.body
    preview = reply.body
    # THEN the counts equal a recount from the stored decisions
    tasks = api("GET", "/v1/tasks", query={"limit": "100"}).body["items"]
    moved = [
        t
        for t in tasks
        if level(
            t["decision"]["probabilities"]["negative"],
            proposed["escalate_negative_min"],
            proposed["priority_negative_min"],
        )
        != t["decision"]["support_level"]
    ]
    assert moved, "the proposal should move some task, or the test proves nothing"
    assert (preview["examined"], preview["complete"]) == (len(tasks), True)
    assert preview["changed"] == len(moved)
    by_category: dict[str, int] = {}
    for t in moved:
        by_category[t["category"]] = by_category.get(t["category"], 0) + 1
    assert preview["changed_by_category"] == by_category
    assert {e["task_id"] for e in preview["examples"]} <= {t["id"] for t in moved}
    # AND nothing changed
    assert api("GET", PATH).body["version"] == 1


def test_preview_only_counts_the_period(api: Call) -> None:
    api(
        "POST",
        "/v1/tasks",
        body={"text": ANGRY, "account_id": "a", "category": "c", "channel": "web"},
    )
    period = {"created_from": "2001-01-01T00:00:00Z", "created_to": "2001-12-31T00:00:00Z"}
    reply = api("POST", f"{PATH}/preview", body=STRICTER | period)
    assert (reply.body["examined"], reply.body["changed"]) == (0, 0)


def test_a_backwards_preview_period_is_400(api: Call) -> None:
    period = {"created_from": "2026-02-01T00:00:00Z", "created_to": "2026-01-01T00:00:00Z"}
    reply = api("POST", f"{PATH}/preview", body=STRICTER | period)
    assert reply.status == 400
    assert reply.error_code == "invalid_time_range"
