"""Whatever a client sends, the answer is a deliberate status in the error shape, never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from functions.api.request_body import MAX_JSON_DEPTH, json_depth_exceeds
from tests.integration.api.conftest import Call

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics")

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "texts": st.lists(st.text(max_size=30), max_size=3) | JSON,
        "text": st.text(max_size=30) | JSON,
        "account_id": st.text(max_size=12) | JSON,
        "category": st.text(max_size=12) | JSON,
        "channel": st.text(max_size=12) | JSON,
        "store": JSON,
        "metadata": JSON,
        "status": st.sampled_from(["open", "in_progress", "resolved"]) | JSON,
    },
)
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def check(reply: Any, allowed: set[int]) -> None:
    assert reply.status in allowed, reply.body
    if reply.status >= 400:
        assert set(reply.body) == {"error"}
        assert {"code", "message"} <= set(reply.body["error"])


@FUZZ
@given(body=FIELDS | JSON)
def test_any_json_body_to_sentiment_gets_a_deliberate_answer(api: Call, body: Any) -> None:
    check(api("POST", "/v1/sentiment", body=body), {200, 422})


@FUZZ
@given(body=FIELDS | JSON)
def test_any_json_body_to_create_task_gets_a_deliberate_answer(api: Call, body: Any) -> None:
    check(api("POST", "/v1/tasks", body=body), {201, 422})


@FUZZ
@given(raw=st.text(max_size=60))
def test_any_raw_body_gets_a_deliberate_answer(api: Call, raw: str) -> None:
    try:
        json.loads(raw)
    except ValueError:
        # No body at all is a missing field (422); anything else unparseable is a 400.
        allowed = {422} if raw == "" else {400}
    else:
        allowed = {400} if json_depth_exceeds(raw, MAX_JSON_DEPTH) else {200, 422}
    check(api("POST", "/v1/sentiment", raw_body=raw), allowed)


@FUZZ
@given(
    query=st.dictionaries(
        st.sampled_from(
            [
                "status",
                "label",
                "support_level",
                "limit",
                "order",
                "cursor",
                "created_from",
                "reviewed",
                "account_id",
                "category",
            ]
        ),
        st.text(max_size=20),
        max_size=4,
    )
)
def test_any_query_to_list_tasks_gets_a_deliberate_answer(api: Call, query: dict[str, str]) -> None:
    check(api("GET", "/v1/tasks", query=query), {200, 400, 422})
