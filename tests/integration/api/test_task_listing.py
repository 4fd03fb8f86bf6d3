"""GET /v1/tasks: filters, orders, pagination and bad cursors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.integration.api.conftest import Call
from tests.integration.api.test_tasks import ANGRY, CALM, HAPPY

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics")

RANK = {"escalate": 2, "priority": 1, "standard": 0}


@pytest.fixture
def seeded(api: Call) -> list[dict[str, Any]]:
    """Nine tasks over three accounts, categories and sentiments; one resolved."""
    tasks = []
    for number in range(9):
        text = (ANGRY, CALM, HAPPY)[number % 3]
        body = {
            "text": f"{text} {number}",
            "account_id": f"acct-{number % 3}",
            "category": ("baggage", "delay", "booking")[number // 3],
            "channel": "web",
        }
        reply = api("POST", "/v1/tasks", body=body)
        assert reply.status == 201
        tasks.append(reply.body)
    resolved = api(
        "PATCH",
        f"/v1/tasks/{tasks[0]['id']}",
        body={"status": "resolved"},
        headers={"If-Match": '"1"'},
    )
    assert resolved.status == 200, resolved.body
    tasks[0]["status"] = "resolved"
    return tasks


def ids(reply_items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in reply_items]


def list_all(api: Call, query: dict[str, str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(50):
        page = api("GET", "/v1/tasks", query=query | ({"cursor": cursor} if cursor else {}))
        assert page.status == 200, page.body
        items.extend(page.body["items"])
        cursor = page.body["next_cursor"]
        if not cursor:
            return items
    raise AssertionError("pagination did not end")


def test_newest_first_by_default(api: Call, seeded: list[dict[str, Any]]) -> None:
    reply = api("GET", "/v1/tasks")
    assert reply.status == 200
    assert ids(reply.body["items"]) == ids(seeded)[::-1]


@pytest.mark.parametrize(
    ("query", "keep"),
    [
        ({"status": "resolved"}, lambda t: t["status"] == "resolved"),
        ({"status": "open"}, lambda t: t["status"] == "open"),
        ({"account_id": "acct-1"}, lambda t: t["account_id"] == "acct-1"),
        ({"category": "delay"}, lambda t: t["category"] == "delay"),
        ({"label": "negative"}, lambda t: t["decision"]["label"] == "negative"),
        ({"support_level": "escalate"}, lambda t: t["decision"]["support_level"] == "escalate"),
        ({"reviewed": "false"}, lambda t: not t["reviewed"]),
        (
            {"account_id": "acct-1", "category": "baggage", "status": "open"},
            lambda t: (
                t["account_id"] == "acct-1" and t["category"] == "baggage" and t["status"] == "open"
            ),
        ),
        (
            {"label": "positive", "status": "open"},
            lambda t: t["decision"]["label"] == "positive" and t["status"] == "open",
        ),
    ],
)
@pytest.mark.parametrize("order", ["newest", "support_level"])
def test_filters_return_exactly_the_matching_tasks_across_pages(
    api: Call, seeded: list[dict[str, Any]], query: dict[str, str], keep: Any, order: str
) -> None:
    expected = {t["id"] for t in seeded if keep(t)}
    # An empty expectation would pass whatever the filter did.
    assert expected, f"the seeded tasks hold none matching {query}"
    listed = list_all(api, query | {"order": order, "limit": "2"})
    assert len(ids(listed)) == len(set(ids(listed)))
    assert set(ids(listed)) == expected


def test_support_level_order_puts_the_most_urgent_first(
    api: Call, seeded: list[dict[str, Any]]
) -> None:
    listed = list_all(api, {"order": "support_level", "limit": "4"})
    ranks = [RANK[t["decision"]["support_level"]] for t in listed]
    assert ranks == sorted(ranks, reverse=True)
    assert len(listed) == len(seeded)


def test_support_level_filter_with_level_order_uses_that_level_only(
    api: Call, seeded: list[dict[str, Any]]
) -> None:
    level = seeded[0]["decision"]["support_level"]
    listed = list_all(api, {"order": "support_level", "support_level": level, "status": "open"})
    expected = {
        t["id"] for t in seeded if t["decision"]["support_level"] == level and t["status"] == "open"
    }
    assert expected
    assert set(ids(listed)) == expected


@pytest.mark.parametrize("order", ["newest", "support_level"])
def test_created_time_range_bounds_the_list(
    api: Call, seeded: list[dict[str, Any]], order: str
) -> None:
    middle = seeded[4]["created_at"]
    later = list_all(api, {"created_from": middle, "order": order})
    earlier = list_all(api, {"created_to": middle, "order": order, "account_id": "acct-1"})
    assert {t["id"] for t in later} == {t["id"] for t in seeded[4:]}
    assert {t["id"] for t in earlier} == {
        t["id"] for t in seeded[:5] if t["account_id"] == "acct-1"
    }


def test_range_in_the_future_is_empty(api: Call, seeded: list[dict[str, Any]]) -> None:
    start = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    reply = api("GET", "/v1/tasks", query={"created_from": start})
    assert reply.status == 200
    assert reply.body == {"items": [], "next_cursor": None}


def test_limit_gives_pages_and_a_cursor(api: Call, seeded: list[dict[str, Any]]) -> None:
    first = api("GET", "/v1/tasks", query={"limit": "4"})
    assert len(first.body["items"]) == 4
    second = api("GET", "/v1/tasks", query={"limit": "4", "cursor": first.body["next_cursor"]})
    assert ids(second.body["items"]) == ids(seeded)[::-1][4:8]


@pytest.mark.parametrize("cursor", ["garbage!!", "eyJ4IjoxfQ", "e30", "bm90IGpzb24"])
def test_bad_cursor_is_400(api: Call, seeded: list[dict[str, Any]], cursor: str) -> None:
    reply = api("GET", "/v1/tasks", query={"cursor": cursor})
    assert reply.status == 400
    assert reply.error_code == "invalid_cursor"


def test_cursor_from_another_filter_is_400(api: Call, seeded: list[dict[str, Any]]) -> None:
    cursor = api("GET", "/v1/tasks", query={"limit": "2"}).body["next_cursor"]
    reply = api("GET", "/v1/tasks", query={"limit": "2", "status": "open", "cursor": cursor})
    assert reply.status == 400
    assert reply.error_code == "invalid_cursor"


def test_time_range_backwards_is_400(api: Call) -> None:
    reply = api(
        "GET",
        "/v1/tasks",
        query={"created_from": "2026-02-01T00:00:00Z", "created_to": "2026-01-01T00:00:00Z"},
    )
    assert reply.status == 400
    assert reply.error_code == "invalid_time_range"


@pytest.mark.parametrize(
    "query",
    [
        {"status": "closed"},
        {"limit": "0"},
        {"limit": "101"},
        {"limit": "many"},
        {"order": "oldest"},
        {"created_from": "yesterday"},
        {"reviewed": "perhaps"},
        {"label": "angry"},
    ],
)
def test_bad_query_parameter_is_422(api: Call, query: dict[str, str]) -> None:
    reply = api("GET", "/v1/tasks", query=query)
    assert reply.status == 422
    assert reply.error_code == "validation_error"
