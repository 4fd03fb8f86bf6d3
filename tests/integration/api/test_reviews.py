"""Supervisors' reviews end to end in process: ETag and If-Match, history beside the
decision, the effective label downstream, the review queue, agreement counters and the
override alarm."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from functions.api import deps
from functions.api.data.task_store import TaskStore
from functions.api.logic import reviews as logic
from functions.api.settings import get_settings
from functions.shared.dynamo import item_key
from functions.shared.errors import ConcurrentUpdate
from functions.shared.models import Label, Task
from tests.integration.api.conftest import Call
from tests.integration.api.test_tasks import ANGRY, CALM, HAPPY

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics")

LABELS: tuple[Label, ...] = ("negative", "neutral", "positive")


def create(api: Call, text: str = ANGRY, category: str = "baggage", **extra: Any) -> dict[str, Any]:
    body = {"text": text, "account_id": "acct-1", "category": category, "channel": "web"} | extra
    reply = api("POST", "/v1/tasks", body=body)
    assert reply.status == 201, reply.body
    return dict(reply.body)


def review(api: Call, task_id: str, label: str, etag: str | None, **body: Any) -> Any:
    headers = {"If-Match": etag} if etag else None
    return api(
        "POST", f"/v1/tasks/{task_id}/review", body={"label": label, **body}, headers=headers
    )


def test_a_review_is_kept_beside_the_decision_and_sets_the_effective_label(api: Call) -> None:
    # GIVEN a task and its ETag
    task = create(api)
    read = api("GET", f"/v1/tasks/{task['id']}")
    # WHEN a supervisor gives it another label than the model's
    other = next(label for label in LABELS if label != task["decision"]["label"])
    reply = review(api, task["id"], other, read.headers["ETag"], note="sarcasm")
    # THEN the task is at the next revision with the review, and the decision is untouched
    assert reply.status == 201, reply.body
    assert reply.headers["ETag"] == '"2"'
    assert reply.body["decision"] == task["decision"]
    assert reply.body["effective_label"] == other
    assert reply.body["reviewed"] is True
    review_body = reply.body["review"]
    assert (review_body["label"], review_body["note"], review_body["correction"]) == (
        other,
        "sarcasm",
        True,
    )
    assert api("GET", f"/v1/tasks/{task['id']}").body == reply.body


def test_a_review_without_if_match_is_428(api: Call) -> None:
    task = create(api)
    reply = review(api, task["id"], "neutral", None)
    assert reply.status == 428
    assert reply.error_code == "precondition_required"
    assert api("GET", f"/v1/tasks/{task['id']}").body["review"] is None


def test_every_change_of_mind_is_listed_in_order(api: Call) -> None:
    task = create(api)
    for revision, label in enumerate(("neutral", "positive", "negative"), start=1):
        assert review(api, task["id"], label, f'"{revision}"').status == 201
    history = api("GET", f"/v1/tasks/{task['id']}/reviews")
    assert history.status == 200
    assert [r["label"] for r in history.body["items"]] == ["neutral", "positive", "negative"]
    assert [r["revision"] for r in history.body["items"]] == [2, 3, 4]


def test_reviews_of_an_unknown_task_are_404(api: Call) -> None:
    assert api("GET", f"/v1/tasks/{'a' * 32}/reviews").status == 404
    assert review(api, "a" * 32, "neutral", '"1"').status == 404


def test_a_stale_review_is_412_unless_it_is_the_same_review(api: Call) -> None:
    task = create(api)
    assert review(api, task["id"], "neutral", '"1"').status == 201
    stale_other = review(api, task["id"], "positive", '"1"')
    assert stale_other.status == 412
    stale_same = review(api, task["id"], "neutral", '"1"')
    assert stale_same.status == 200
    assert stale_same.headers["ETag"] == '"2"'
    assert len(api("GET", f"/v1/tasks/{task['id']}/reviews").body["items"]) == 1


class ReadThenRace(TaskStore):
    """Both reviewers read the task before either writes (a barrier after each thread's first
    read); the writes are then serialised, as DynamoDB serialises conflicting transactions
    (the emulator does not)."""

    def __init__(self, table: str, client: Any, cursor_key: Callable[[], bytes]) -> None:
        super().__init__(table, client, cursor_key)
        self.barrier = threading.Barrier(2, timeout=30)
        self.write_lock = threading.Lock()
        self.local = threading.local()

    def get_task(self, task_id: str) -> Task | None:
        task = super().get_task(task_id)
        if not getattr(self.local, "read", False):
            self.local.read = True
            self.barrier.wait()
        return task

    def record_review(self, before: Task, after: Task) -> None:
        with self.write_lock:
            super().record_review(before, after)


@pytest.mark.parametrize(
    ("first", "second", "outcomes"),
    [
        ("neutral", "positive", ["recorded", "refused"]),
        ("neutral", "neutral", ["recorded", "same"]),
    ],
    ids=["conflicting", "agreeing"],
)
def test_of_two_concurrent_reviews_exactly_one_is_recorded(
    api: Call, first: Label, second: Label, outcomes: list[str]
) -> None:
    # GIVEN a task two supervisors read at revision 1
    task = create(api)
    store = ReadThenRace(get_settings().tasks_table, deps.dynamodb_client(), deps.cursor_key)
    results: dict[str, str] = {}

    def send(who: str, label: Label) -> None:
        try:
            outcome = logic.review_task(
                task["id"], label, note=None, reviewer=who, expected_revision=1, repository=store
            )
            results[who] = "recorded" if outcome.recorded else "same"
        except ConcurrentUpdate:
            results[who] = "refused"

    # WHEN both send their review at once
    threads = [
        threading.Thread(target=send, args=("sup-a", first)),
        threading.Thread(target=send, args=("sup-b", second)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # THEN exactly one review is stored, the task names it, and the other was told
    assert sorted(results.values()) == outcomes
    (winner,) = [who for who, result in results.items() if result == "recorded"]
    history = api("GET", f"/v1/tasks/{task['id']}/reviews").body["items"]
    assert [r["reviewer"] for r in history] == [winner]
    stored = api("GET", f"/v1/tasks/{task['id']}").body
    assert stored["revision"] == 2
    assert stored["review"]["reviewer"] == winner


def test_label_filters_use_the_effective_label_and_model_label_the_models(api: Call) -> None:
    # GIVEN a task the model called negative, corrected to positive, and one left alone
    corrected, untouched = create(api, ANGRY), create(api, ANGRY)
    model_label = corrected["decision"]["label"]
    other = next(label for label in LABELS if label != model_label)
    review(api, corrected["id"], other, '"1"')

    def listed(**query: str) -> set[str]:
        return {t["id"] for t in api("GET", "/v1/tasks", query=query).body["items"]}

    # THEN the label filter follows the review, and model_label still finds the model's label
    assert corrected["id"] in listed(label=other)
    assert corrected["id"] not in listed(label=model_label)
    assert untouched["id"] in listed(label=model_label)
    assert {corrected["id"], untouched["id"]} <= listed(model_label=model_label)
    # AND the agent's queue (open, by support level) shows the effective label
    queue = api("GET", "/v1/tasks", query={"status": "open", "order": "support_level"}).body
    shown = {t["id"]: t["effective_label"] for t in queue["items"]}
    assert shown[corrected["id"]] == other


def test_the_review_queue_is_unreviewed_tasks_riskiest_first(api: Call) -> None:
    tasks = [
        create(api, text, category)
        for text, category in [
            (ANGRY, "baggage"),
            (CALM, "delay"),
            (HAPPY, "baggage"),
            (f"{ANGRY} {CALM}", "delay"),
        ]
    ]
    review(api, tasks[0]["id"], "negative", '"1"')
    reply = api("GET", "/v1/reviews/queue")
    assert reply.status == 200, reply.body
    items = reply.body["items"]
    assert {i["task"]["id"] for i in items} == {t["id"] for t in tasks[1:]}
    risks = [i["risk"] for i in items]
    assert risks == sorted(risks, reverse=True)
    for item in items:
        p = sorted(item["task"]["decision"]["probabilities"].values(), reverse=True)
        assert item["margin"] == pytest.approx(p[0] - p[1])
        assert item["task"]["decision"]["top_terms"]
    baggage = api("GET", "/v1/reviews/queue", query={"category": "baggage"}).body["items"]
    assert [i["task"]["id"] for i in baggage] == [tasks[2]["id"]]


def test_the_review_queue_pages_through_every_unreviewed_task_once(api: Call) -> None:
    created = {create(api, f"{text} {n}")["id"] for n, text in enumerate([ANGRY, CALM, HAPPY] * 2)}
    seen: list[str] = []
    risks: list[float] = []
    cursor: str | None = None
    while True:
        query = {"limit": "2"} | ({"cursor": cursor} if cursor else {})
        page = api("GET", "/v1/reviews/queue", query=query).body
        seen += [i["task"]["id"] for i in page["items"]]
        risks += [i["risk"] for i in page["items"]]
        cursor = page.get("next_cursor")
        if not cursor:
            break
    assert sorted(seen) == sorted(created)
    assert risks == sorted(risks, reverse=True)


def test_a_queue_cursor_for_another_filter_is_400(api: Call) -> None:
    for _ in range(3):
        create(api)
    page = api("GET", "/v1/reviews/queue", query={"limit": "1"}).body
    reply = api(
        "GET",
        "/v1/reviews/queue",
        query={"limit": "1", "category": "x", "cursor": page["next_cursor"]},
    )
    assert reply.status == 400
    assert reply.error_code == "invalid_cursor"


def recount(api: Call, task_ids: list[str]) -> Counter[tuple[str, str]]:
    """Reviewed tasks by (model label, latest reviewed label), read back one by one."""
    cells: Counter[tuple[str, str]] = Counter()
    for task_id in task_ids:
        task = api("GET", f"/v1/tasks/{task_id}").body
        if task["review"]:
            cells[(task["decision"]["label"], task["review"]["label"])] += 1
    return cells


def as_cells(agreement: dict[str, Any]) -> Counter[tuple[str, str]]:
    return Counter(
        {
            (model, reviewed): count
            for model, row in agreement["confusion"].items()
            for reviewed, count in row.items()
            if count
        }
    )


@pytest.fixture
def three_tasks(api: Call) -> list[str]:
    return [
        create(api, text, category)["id"]
        for text, category in [(ANGRY, "baggage"), (CALM, "delay"), (HAPPY, "baggage")]
    ]


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.integers(0, 2), st.sampled_from(LABELS)), min_size=1, max_size=6))
def test_agreement_counters_equal_a_recount_after_any_reviews(
    api: Call, three_tasks: list[str], moves: list[tuple[int, Label]]
) -> None:
    # GIVEN tasks reviewed any number of times, changes of mind included (the counters
    # hold across examples, so every example checks the state all earlier ones built)
    for index, label in moves:
        etag = api("GET", f"/v1/tasks/{three_tasks[index]}").headers["ETag"]
        assert review(api, three_tasks[index], label, etag).status in (200, 201)
    # WHEN the stats are read
    stats = api("GET", "/v1/reviews/stats").body
    # THEN every count equals a recount from the tasks' latest reviews
    cells = recount(api, three_tasks)
    assert as_cells(stats["overall"]) == cells
    assert stats["overall"]["reviewed"] == sum(cells.values())
    assert stats["overall"]["agreed"] == sum(n for (m, r), n in cells.items() if m == r)
    by_category = sum((as_cells(a) for a in stats["by_category"].values()), Counter())
    by_model = sum((as_cells(a) for a in stats["by_model_version"].values()), Counter())
    by_week = sum((as_cells(a) for a in stats["by_week"].values()), Counter())
    assert by_category == by_model == by_week == cells


def test_the_override_alarm_raises_and_clears(
    api: Call, active_model: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN an alarm over the last 4 reviews at 25%, and the pointer re-read on every call
    monkeypatch.setenv("OVERRIDE_WINDOW", "4")
    monkeypatch.setenv("CONFIG_REFRESH_SECONDS", "0")
    deps.reset()

    def corrected(n: int, agree: bool) -> None:
        task = create(api, f"{ANGRY} {n}")
        label = task["decision"]["label"]
        if not agree:
            label = next(other for other in LABELS if other != label)
        assert review(api, task["id"], label, '"1"').status == 201

    def alarm() -> dict[str, Any]:
        return dict(api("GET", "/v1/reviews/stats").body["alarm"])

    # WHEN two of four reviews are corrections
    for n, agree in enumerate([True, False, True, False]):
        corrected(n, agree)
    # THEN retraining is suggested, in the stats and in health
    raised = alarm()
    assert (raised["reviews"], raised["corrections"], raised["retraining_suggested"]) == (
        4,
        2,
        True,
    )
    assert raised["model_version"] == active_model
    assert api("GET", "/v1/health").body["retraining_suggested"] is True
    # WHEN supervisors then agree twice (one correction in the last four)
    corrected(4, True)
    corrected(5, True)
    # THEN it clears
    assert alarm()["retraining_suggested"] is False
    # WHEN corrections come back, and then a new model goes live
    corrected(6, False)
    corrected(7, False)
    assert alarm()["retraining_suggested"] is True
    deps.dynamodb_client().update_item(
        TableName=get_settings().registry_table,
        Key=item_key("MODEL", "ACTIVE"),
        UpdateExpression="SET version = :v",
        ExpressionAttributeValues={":v": {"S": "a-newer-model"}},
    )
    # THEN its window starts empty and the alarm is clear
    fresh = alarm()
    assert (fresh["model_version"], fresh["reviews"], fresh["retraining_suggested"]) == (
        "a-newer-model",
        0,
        False,
    )
