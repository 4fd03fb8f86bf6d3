"""Trends, accounts at risk, follow-ups, the at-risk rule and history import through the API
handler, with the aggregator fed from the tasks table's stream."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import boto3
import pytest

from functions.api.data.task_store import TaskStore
from functions.shared.models import Label
from tests.fixtures.api_events import machine
from tests.fixtures.tasks import labelled_task
from tests.integration.api.conftest import Call
from tests.integration.trends.conftest import REGION, Drain, at

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics")

WEEK = {"from": "2015-02-16", "to": "2015-02-22"}


@pytest.fixture
def store(aws: dict[str, str]) -> TaskStore:
    return TaskStore(aws["TasksTable"], boto3.client("dynamodb", region_name=REGION), lambda: b"k")


def put(store: TaskStore, name: str, label: Label, day: int, **fields: Any) -> None:
    store.put_task(labelled_task(name, label=label, created_at=at(day), **fields))


def test_category_trends_count_each_period_and_its_change(
    api: Call, store: TaskStore, drain: Drain
) -> None:
    # GIVEN bags was neutral on the 16th, and mostly negative on the 17th
    put(store, "a", "neutral", 16)
    put(store, "b", "negative", 17)
    put(store, "c", "negative", 17)
    put(store, "d", "positive", 17)
    drain()

    reply = api("GET", "/v1/trends/categories", query=WEEK | {"granularity": "day"})

    assert reply.status == 200, reply.body
    (bags,) = reply.body["categories"]
    by_day = {period["period_start"]: period for period in bags["periods"]}
    assert len(by_day) == 7
    day = by_day["2015-02-17"]
    assert (day["negative"], day["neutral"], day["positive"], day["total"]) == (2, 0, 1, 3)
    assert day["net"] == pytest.approx(-1 / 3)
    assert day["net_low"] < day["net"] < day["net_high"]
    assert day["change"] == pytest.approx(-1 / 3, abs=1e-4)
    assert by_day["2015-02-18"]["net"] is None


def test_a_few_tasks_get_a_wider_interval_than_many_with_the_same_score(
    api: Call, store: TaskStore, drain: Drain
) -> None:
    for number in range(2):
        put(store, f"few-{number}", "negative", 17, category="few")
    for number in range(40):
        put(store, f"many-{number}", "negative", 17, category="many")
    drain()

    reply = api("GET", "/v1/trends/categories", query=WEEK)

    widths = {
        category["category"]: category["periods"][0]["net_high"] - category["periods"][0]["net_low"]
        for category in reply.body["categories"]
    }
    assert widths["few"] > 2 * widths["many"]


def test_week_trends_narrow_to_one_product(api: Call, store: TaskStore, drain: Drain) -> None:
    put(store, "a", "negative", 17, product="United")
    put(store, "b", "positive", 17, product="Delta")
    drain()

    reply = api("GET", "/v1/trends/categories", query=WEEK | {"product": "United"})

    ((period,),) = [category["periods"] for category in reply.body["categories"]]
    assert (period["period_start"], period["negative"], period["total"]) == ("2015-02-16", 1, 1)


def test_summary_ranks_many_tasks_above_a_few_with_a_better_score(
    api: Call, store: TaskStore, drain: Drain
) -> None:
    # GIVEN "tiny" has 1 positive task; "big" has 30 of 40 positive
    put(store, "t", "positive", 17, category="tiny", product="Delta")
    for number in range(40):
        label: Label = "positive" if number < 30 else "neutral"
        put(store, f"b{number}", label, 18, category="big", product="United")
    for number in range(10):
        put(store, f"w{number}", "negative", 18, category="worse", product="United")
    drain()

    reply = api("GET", "/v1/trends/summary", query=WEEK)

    assert reply.status == 200, reply.body
    categories = reply.body["categories"]
    assert [entry["name"] for entry in categories["best"]][:2] == ["big", "tiny"]
    assert categories["worst"][0]["name"] == "worse"
    assert {entry["name"] for entry in reply.body["products"]["best"]} == {"United", "Delta"}


@pytest.mark.parametrize(
    ("first", "last", "granularity"),
    [("0001-01-01", "0001-12-31", "day"), ("9999-01-01", "9999-12-31", "week")],
)
def test_trends_at_the_ends_of_the_calendar_have_no_period_beyond_them(
    api: Call, first: str, last: str, granularity: str
) -> None:
    query = {"from": first, "to": last, "granularity": granularity}
    reply = api("GET", "/v1/trends/categories", query=query)
    assert reply.status == 200, reply.body
    assert reply.body["categories"] == []


def test_a_trend_range_ending_before_it_starts_is_refused(api: Call) -> None:
    reply = api("GET", "/v1/trends/summary", query={"from": "2015-02-20", "to": "2015-02-16"})

    assert (reply.status, reply.error_code) == (400, "invalid_time_range")


def test_at_risk_list_shows_the_rule_the_requests_and_most_severe_first(
    api: Call, store: TaskStore, drain: Drain
) -> None:
    for day in (16, 17, 18, 19):
        put(store, f"ana-{day}", "negative", day, account_id="ana")
    for day in (16, 17, 18):
        put(store, f"ben-{day}", "negative", day, account_id="ben")
    put(store, "cal-1", "negative", 16, account_id="cal")
    drain()

    reply = api("GET", "/v1/accounts/at-risk", caller=machine("carescore/trends.read"))

    assert reply.status == 200, reply.body
    assert [item["account_id"] for item in reply.body["items"]] == ["ana", "ben"]
    ana = reply.body["items"][0]
    assert (ana["rule_fired"], ana["streak"], len(ana["requests"])) == ("streak", 4, 4)
    assert ana["follow_up"] is None


def test_negatives_within_the_window_fire_the_window_rule(
    api: Call, store: TaskStore, drain: Drain
) -> None:
    for day, label in ((16, "negative"), (17, "positive"), (18, "negative"), (19, "negative")):
        put(store, f"ana-{day}", label, day, account_id="ana")
    put(store, "ana-20", "neutral", 20, account_id="ana")
    drain()

    (item,) = api("GET", "/v1/accounts/at-risk").body["items"]

    assert (item["rule_fired"], item["window_negatives"], item["streak"]) == ("window", 3, 0)


def test_a_review_that_clears_the_streak_takes_the_account_off_the_list(
    aws: dict[str, str], api: Call, store: TaskStore, drain: Drain
) -> None:
    from tests.integration.trends.test_aggregator import review

    tasks = [labelled_task(f"n{d}", label="negative", created_at=at(d)) for d in (16, 17, 18)]
    for task in tasks:
        store.put_task(task)
    drain()
    assert len(api("GET", "/v1/accounts/at-risk").body["items"]) == 1

    review(aws, tasks[1], "neutral")
    drain()

    assert api("GET", "/v1/accounts/at-risk").body["items"] == []


def test_a_supervisors_review_moves_the_count_to_the_reviewed_label(
    api: Call, store: TaskStore, drain: Drain
) -> None:
    task = labelled_task("a", label="negative", created_at=at(17))
    store.put_task(task)
    drain()

    reviewed = api(
        "POST",
        f"/v1/tasks/{task.id}/review",
        body={"label": "positive"},
        headers={"If-Match": '"1"'},
    )
    drain()

    assert reviewed.status == 201, reviewed.body
    (category,) = api("GET", "/v1/trends/categories", query=WEEK).body["categories"]
    period = category["periods"][0]
    assert (period["negative"], period["positive"]) == (0, 1)


def test_a_resolved_follow_up_clears_the_account_until_a_new_series(
    api: Call, store: TaskStore, drain: Drain
) -> None:
    # GIVEN an account at risk, followed up and resolved
    for day in (16, 17, 18):
        put(store, f"n{day}", "negative", day)
    drain()
    follow_up = api(
        "POST",
        "/v1/accounts/acct-1/follow-ups",
        body={"mechanism": "voucher", "owner": "sam", "due_date": "2015-02-20"},
    ).body
    drain()
    listed = api("GET", "/v1/accounts/at-risk").body["items"]
    assert listed[0]["follow_up"]["state"] == "open"
    path = f"/v1/accounts/acct-1/follow-ups/{follow_up['id']}"
    assert api("PATCH", path, body={"state": "contacted"}).status == 200
    resolved = api("PATCH", path, body={"state": "resolved", "note": "voucher sent"})
    drain()
    assert [step["state"] for step in resolved.body["history"]] == [
        "open",
        "contacted",
        "resolved",
    ]
    assert api("GET", "/v1/accounts/at-risk").body["items"] == []

    # WHEN two more negatives arrive, then a third
    put(store, "n19", "negative", 19)
    put(store, "n20", "negative", 20)
    drain()
    assert api("GET", "/v1/accounts/at-risk").body["items"] == []
    put(store, "n21", "negative", 21)
    drain()

    # THEN the new series puts it back, without the old follow-up
    (item,) = api("GET", "/v1/accounts/at-risk").body["items"]
    assert (item["streak"], item["follow_up"]) == (3, None)


def test_a_resolved_follow_up_cannot_reopen(api: Call) -> None:
    created = api(
        "POST",
        "/v1/accounts/acct-1/follow-ups",
        body={"mechanism": "call", "owner": "sam", "due_date": "2015-02-20"},
    ).body
    path = f"/v1/accounts/acct-1/follow-ups/{created['id']}"
    api("PATCH", path, body={"state": "resolved"})

    reply = api("PATCH", path, body={"state": "open"})

    assert (reply.status, reply.error_code) == (409, "invalid_transition")


def test_an_unknown_follow_up_is_not_found(api: Call) -> None:
    reply = api("PATCH", f"/v1/accounts/acct-1/follow-ups/{'0' * 32}", body={"note": "x"})

    assert (reply.status, reply.error_code) == (404, "follow_up_not_found")


def test_timeline_lists_the_accounts_requests_risk_and_follow_ups(
    api: Call, store: TaskStore, drain: Drain
) -> None:
    for day in (16, 17, 18):
        put(store, f"n{day}", "negative", day)
    put(store, "other", "negative", 18, account_id="someone-else")
    api(
        "POST",
        "/v1/accounts/acct-1/follow-ups",
        body={"mechanism": "email", "owner": "sam", "due_date": "2015-02-20"},
    )
    drain()

    reply = api("GET", "/v1/accounts/acct-1/timeline")

    assert reply.status == 200, reply.body
    assert [task["created_at"][:10] for task in reply.body["tasks"]] == [
        "2015-02-18",
        "2015-02-17",
        "2015-02-16",
    ]
    assert reply.body["risk"]["rule_fired"] == "streak"
    assert [item["mechanism"] for item in reply.body["follow_ups"]] == ["email"]


@pytest.mark.parametrize("path_account", ["ana@example.com:7", "ana%40example.com%3A7"])
def test_an_account_id_with_at_and_colon_is_found_however_the_client_encodes_it(
    api: Call, store: TaskStore, path_account: str
) -> None:
    # GIVEN an account whose id holds characters a client may percent-encode in a path
    put(store, "mail", "negative", 18, account_id="ana@example.com:7")
    # WHEN its timeline is read and a follow-up opened, with the id as the client sent it
    timeline = api("GET", f"/v1/accounts/{path_account}/timeline")
    created = api(
        "POST",
        f"/v1/accounts/{path_account}/follow-ups",
        body={"mechanism": "call", "owner": "sam", "due_date": "2015-02-20"},
    )
    # THEN both reach that account
    assert timeline.status == 200, timeline.body
    assert [task["account_id"] for task in timeline.body["tasks"]] == ["ana@example.com:7"]
    assert created.status == 201, created.body
    assert created.body["account_id"] == "ana@example.com:7"


def test_the_at_risk_rule_changes_with_the_version_it_was_read_at(api: Call) -> None:
    current = api("GET", "/v1/config/at-risk")
    assert (current.body["streak_length"], current.headers["ETag"]) == (3, '"1"')
    change = {"streak_length": 4, "window_negatives": 5, "window_days": 30, "reason": "noisy"}

    changed = api("PUT", "/v1/config/at-risk", body=change, headers={"If-Match": '"1"'})
    stale = api("PUT", "/v1/config/at-risk", body=change, headers={"If-Match": '"1"'})

    assert (changed.status, changed.body["version"], changed.headers["ETag"]) == (200, 2, '"2"')
    assert api("GET", "/v1/config/at-risk").body["streak_length"] == 4
    assert (stale.status, stale.error_code) == (412, "concurrent_update")


@pytest.mark.parametrize(("streak", "status"), [(4.0, 200), (4.5, 422), (True, 422), ("4", 422)])
def test_the_at_risk_rule_reads_json_numbers_as_json_schema_does(
    api: Call, streak: object, status: int
) -> None:
    # JSON has one number type: 4.0 is the integer 4; a fraction, a boolean or a string is not
    change = {"streak_length": streak, "window_negatives": 5, "window_days": 30, "reason": "tuning"}
    reply = api("PUT", "/v1/config/at-risk", body=change, headers={"If-Match": '"1"'})
    assert reply.status == status, reply.body
    if status == 200:
        assert api("GET", "/v1/config/at-risk").body["streak_length"] == 4


def test_the_at_risk_rule_changes_only_against_a_version_read(api: Call) -> None:
    change = {"streak_length": 4, "window_negatives": 5, "window_days": 30, "reason": "noisy"}

    reply = api("PUT", "/v1/config/at-risk", body=change)

    assert (reply.status, reply.error_code) == (428, "precondition_required")


def test_a_stricter_rule_applies_to_the_next_request(
    api: Call, store: TaskStore, drain: Drain
) -> None:
    change = {"streak_length": 4, "window_negatives": 10, "window_days": 14, "reason": "calmer"}
    api("PUT", "/v1/config/at-risk", body=change, headers={"If-Match": '"1"'})
    for day in (16, 17, 18):
        put(store, f"n{day}", "negative", day)

    drain()

    assert api("GET", "/v1/accounts/at-risk").body["items"] == []


def history_item(number: int, **changes: Any) -> dict[str, Any]:
    created = at(17) + timedelta(minutes=number)
    return {
        "external_id": f"crm-{number}",
        "created_at": created.isoformat(),
        "text": "my bag was lost and nobody answers the phone",
        "account_id": "ana",
        "category": "Lost Luggage",
        "channel": "twitter",
        "product": "United",
    } | changes


def test_import_keeps_the_original_time_and_is_idempotent(api: Call) -> None:
    body = {"items": [history_item(1), history_item(2), history_item(3, text=" ")]}

    first = api("POST", "/v1/tasks/import", body=body)
    again = api("POST", "/v1/tasks/import", body=body)

    assert first.status == 200, first.body
    assert [item["created"] for item in first.body["imported"]] == [True, True]
    assert [error["index"] for error in first.body["errors"]] == [2]
    assert [item["created"] for item in again.body["imported"]] == [False, False]
    assert [a["task_id"] for a in again.body["imported"]] == [
        f["task_id"] for f in first.body["imported"]
    ]
    task = api("GET", f"/v1/tasks/{first.body['imported'][0]['task_id']}").body
    assert task["created_at"].startswith("2015-02-17T12:01")
    assert task["decision"]["decided_at"] > task["created_at"]


def test_imported_history_reaches_the_trends(api: Call, drain: Drain) -> None:
    api("POST", "/v1/tasks/import", body={"items": [history_item(n) for n in range(3)]})

    drain()

    (category,) = api("GET", "/v1/trends/categories", query=WEEK).body["categories"]
    assert (category["category"], category["periods"][0]["total"]) == ("Lost Luggage", 3)


def test_import_takes_at_most_100_items(api: Call) -> None:
    reply = api("POST", "/v1/tasks/import", body={"items": [history_item(n) for n in range(101)]})

    assert reply.status == 422
