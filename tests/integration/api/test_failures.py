"""What callers see, and what the logs hold, when things go wrong on our side."""

from __future__ import annotations

from collections.abc import Iterator
from unittest.mock import MagicMock

import pytest

from functions.api import deps
from functions.api.app import app
from functions.api.data.task_store import TaskStore
from functions.api.settings import get_settings
from functions.shared.errors import ConcurrentUpdate
from tests.integration.api.conftest import Call
from tests.integration.api.test_tasks import new_task

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics")

SECRET_TEXT = "my passport number is 12345 and my flight was cancelled"


@pytest.fixture
def broken_store(api: Call) -> Iterator[MagicMock]:
    store = MagicMock(spec=TaskStore)
    store.get_task.side_effect = RuntimeError("table on fire: internal detail")
    app.dependency_overrides[deps.task_store] = lambda: store
    yield store
    app.dependency_overrides.clear()


def test_unexpected_failure_is_500_in_the_error_shape_without_internals(
    api: Call, broken_store: MagicMock, caplog: pytest.LogCaptureFixture
) -> None:
    reply = api("GET", f"/v1/tasks/{'1' * 32}")
    assert reply.status == 500
    assert reply.error_code == "internal_error"
    assert "fire" not in str(reply.body)
    errors = [record for record in caplog.records if record.levelname == "ERROR"]
    assert errors
    assert errors[0].exc_info is not None


def test_logs_never_hold_the_customer_text(api: Call, caplog: pytest.LogCaptureFixture) -> None:
    # INFO is what the template deploys; powertools' own DEBUG tracing echoes arguments.
    caplog.set_level("INFO")
    api("POST", "/v1/tasks", body=new_task(text=SECRET_TEXT))
    api("POST", "/v1/sentiment", body={"texts": [SECRET_TEXT, ""]})
    api("POST", "/v1/sentiment", body={"texts": SECRET_TEXT})
    api("POST", "/v1/tasks", body=new_task(text=SECRET_TEXT, colour="red"))
    assert caplog.records
    logged = " ".join(str(vars(record)) for record in caplog.records)
    assert "passport" not in logged


def test_a_stale_write_is_refused_as_a_concurrent_update(api: Call) -> None:
    # GIVEN a task read by two agents, and one agent's change already saved
    reply = api("POST", "/v1/tasks", body=new_task())
    assert reply.status == 201, reply.body
    created = reply.body
    store = TaskStore(get_settings().tasks_table, deps.dynamodb_client(), deps.cursor_key)
    stale = store.get_task(created["id"])
    assert stale is not None
    changed = api(
        "PATCH",
        f"/v1/tasks/{created['id']}",
        body={"assignee": "agent-1"},
        headers={"If-Match": '"1"'},
    )
    assert changed.status == 200, changed.body
    # WHEN the other agent's change is written against the old revision
    # THEN it is refused instead of overwriting the first change
    with pytest.raises(ConcurrentUpdate):
        store.replace_task(
            stale.model_copy(update={"assignee": "agent-2", "revision": 2}), expected_revision=1
        )
    assert api("GET", f"/v1/tasks/{created['id']}").body["assignee"] == "agent-1"
