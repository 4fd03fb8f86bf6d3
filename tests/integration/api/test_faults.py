"""What callers get when AWS misbehaves: a throttled or unreachable store is retried a
bounded number of times, then a 503 with Retry-After, and a review, a promotion or an import
it interrupts is stored whole or not at all; a model that cannot be loaded leaves the last
good one scoring, health says so, and a rollback recovers."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock
from unittest.mock import MagicMock

import pytest
from botocore.exceptions import EndpointConnectionError
from moto.dynamodb.exceptions import (
    ERROR_TYPE_PREFIX,
    DynamodbException,
    TransactionCanceledException,
)
from moto.dynamodb.responses import DynamoHandler

from functions.api import deps
from functions.api.app import app
from functions.api.data.task_store import TaskStore
from functions.api.logic.imports import import_task_id
from functions.api.settings import get_settings
from functions.scoring.model import CARD_FILE, MODEL_FILE
from functions.shared.aws import MAX_ATTEMPTS, dynamodb_client, s3_client
from functions.shared.dynamo import item_key, to_item
from functions.shared.model_files import model_prefix
from functions.shared.registry import ACTIVE_SORT, MODEL_PARTITION
from tests.integration.api.conftest import Call, Reply, install
from tests.integration.api.test_model_registry import CANDIDATE, registered  # noqa: F401
from tests.integration.api.test_reviews import create, review
from tests.integration.api.test_tasks import new_task
from tests.integration.trends.test_routes import history_item

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics")

Busy = Callable[[], Exception]


def provisioned_throughput_exceeded() -> Exception:
    return DynamodbException(
        ERROR_TYPE_PREFIX + "ProvisionedThroughputExceededException",
        "Rate of requests exceeds the allowed throughput.",
    )


def cancelled_while_busy() -> Exception:
    """A transaction DynamoDB cancels because one of its items was throttled."""
    reason = "Throughput exceeds the current capacity of your table or index."
    return TransactionCanceledException([(None, None, None), ("ThrottlingError", reason, None)])


@contextmanager
def throttled(
    operation: str, busy: Busy = provisioned_throughput_exceeded, after: int = 0
) -> Iterator[list[str]]:
    """The emulated DynamoDB answers every `operation` call after the first `after` with
    `busy()` instead of doing it, as a throttled table would; yields the calls so answered.
    Injected in the service, not the client, so the client's own retries run as in AWS."""
    name = "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")
    done = getattr(DynamoHandler, name)
    attempts: list[str] = []

    passed = 0

    def answer(handler: DynamoHandler) -> Any:
        nonlocal passed
        if passed < after:
            passed += 1
            return done(handler)
        attempts.append(operation)
        raise busy()

    with mock.patch.object(DynamoHandler, name, answer):
        yield attempts


@pytest.fixture
def throttled_queries(api: Call) -> Iterator[list[str]]:
    with throttled("Query") as attempts:
        yield attempts


@pytest.fixture
def throttled_puts(api: Call) -> Iterator[list[str]]:
    with throttled("PutItem") as attempts:
        yield attempts


def test_a_throttled_store_is_retried_a_few_times_then_503_with_retry_after(
    api: Call, throttled_queries: list[str]
) -> None:
    reply = api("GET", "/v1/tasks")
    assert reply.status == 503
    assert reply.error_code == "store_unavailable"
    assert int(reply.headers["Retry-After"]) > 0
    assert len(throttled_queries) == MAX_ATTEMPTS


def test_a_throttled_idempotency_table_is_503_too(api: Call, throttled_puts: list[str]) -> None:
    reply = api("POST", "/v1/tasks", body=new_task(), headers={"Idempotency-Key": "throttled-1"})
    assert reply.status == 503
    assert reply.error_code == "store_unavailable"
    assert throttled_puts


BUSY_ANSWERS = pytest.mark.parametrize(
    "busy",
    [provisioned_throughput_exceeded, cancelled_while_busy],
    ids=["throttled", "cancelled-while-busy"],
)


def assert_busy(reply: Reply, attempts: list[str]) -> None:
    """A 503 in the standard error body, after exactly the bounded number of calls."""
    assert reply.status == 503, reply.body
    assert reply.body == {
        "error": {"code": "store_unavailable", "message": reply.body["error"]["message"]}
    }
    assert int(reply.headers["Retry-After"]) > 0
    assert len(attempts) == MAX_ATTEMPTS


@BUSY_ANSWERS
def test_a_review_while_the_store_is_throttled_is_503_and_changes_nothing(
    api: Call, busy: Busy
) -> None:
    # GIVEN a task and the agreement figures before any review
    task = create(api)
    etag = api("GET", f"/v1/tasks/{task['id']}").headers["ETag"]
    stats = api("GET", "/v1/reviews/stats").body
    other = "positive" if task["decision"]["label"] != "positive" else "neutral"
    # WHEN its review meets a throttled store
    with throttled("TransactWriteItems", busy) as attempts:
        reply = review(api, task["id"], other, etag)
    # THEN a 503 after bounded retries, and no part of the review is stored
    assert_busy(reply, attempts)
    after = api("GET", f"/v1/tasks/{task['id']}")
    assert (after.headers["ETag"], after.body["reviewed"]) == (etag, False)
    assert api("GET", f"/v1/tasks/{task['id']}/reviews").body["items"] == []
    assert api("GET", "/v1/reviews/stats").body == stats
    # AND the same review, sent again once the store recovers, is applied whole
    assert review(api, task["id"], other, etag).status == 201


@BUSY_ANSWERS
def test_a_promotion_while_the_store_is_throttled_is_503_and_moves_nothing(
    api: Call,
    registered: str,  # noqa: F811  # the fixture imported above
    busy: Busy,
) -> None:
    # GIVEN the registry with one active version and a candidate
    before = api("GET", "/v1/models").body
    # WHEN the candidate's promotion meets a throttled store
    with throttled("TransactWriteItems", busy) as attempts:
        reply = api("POST", f"/v1/models/{CANDIDATE}/promote", body={"reason": "better recall"})
    # THEN a 503 after bounded retries; the pointer, statuses and histories are as they were
    assert_busy(reply, attempts)
    assert api("GET", "/v1/models").body == before
    assert api("GET", f"/v1/models/{CANDIDATE}").body["activations"] == []
    assert api("GET", f"/v1/models/{registered}").body["status"] == "active"


def test_an_import_while_the_store_is_throttled_is_503_and_a_retry_completes_it_once(
    api: Call,
) -> None:
    # GIVEN six historical requests, and a store that starts throttling after two writes
    body = {"items": [history_item(number) for number in range(6)]}
    ids = [import_task_id(item["external_id"]) for item in body["items"]]
    with throttled("PutItem", after=2) as attempts:
        reply = api("POST", "/v1/tasks/import", body=body)
    # THEN a 503 after bounded retries, and each task is stored whole or not at all
    assert_busy(reply, attempts)
    stored = {task_id: api("GET", f"/v1/tasks/{task_id}") for task_id in ids}
    kept = [task_id for task_id, read in stored.items() if read.status == 200]
    assert [read.status for read in stored.values()].count(404) == len(ids) - len(kept)
    assert 0 < len(kept) < len(ids)
    assert all(stored[task_id].body["decision"]["label"] for task_id in kept)
    # WHEN the caller retries the same import
    again = api("POST", "/v1/tasks/import", body=body)
    # THEN every request is imported, each once: the ones stored before are not created again
    assert again.status == 200, again.body
    assert [item["task_id"] for item in again.body["imported"]] == ids
    assert [item["created"] for item in again.body["imported"]] == [
        task_id not in kept for task_id in ids
    ]
    listed = api("GET", "/v1/tasks", query={"account_id": "ana", "limit": "100"}).body["items"]
    assert sorted(task["id"] for task in listed) == sorted(ids)


@pytest.fixture
def unreachable_store(api: Call) -> Iterator[None]:
    client = MagicMock()
    client.get_item.side_effect = EndpointConnectionError(endpoint_url="https://dynamodb")
    app.dependency_overrides[deps.task_store] = lambda: TaskStore(
        get_settings().tasks_table, client, deps.cursor_key
    )
    yield
    app.dependency_overrides.clear()


def test_an_unreachable_store_is_503_with_retry_after(api: Call, unreachable_store: None) -> None:
    reply = api("GET", f"/v1/tasks/{'1' * 32}")
    assert reply.status == 503
    assert reply.error_code == "store_unavailable"
    assert "Retry-After" in reply.headers


@pytest.fixture
def unloadable_active_version(api: Call, monkeypatch: pytest.MonkeyPatch) -> str:
    """The pointer moves to a version whose files are not in the models bucket, after the
    current version has served a request. Yields the version that was serving."""
    monkeypatch.setenv("CONFIG_REFRESH_SECONDS", "0")
    deps.reset()
    before = api("POST", "/v1/sentiment", body={"texts": ["thanks"]})
    assert before.status == 200
    pointer = {"pk": MODEL_PARTITION, "sk": ACTIVE_SORT, "version": "f" * 64}
    dynamodb_client().put_item(TableName=get_settings().registry_table, Item=to_item(pointer))
    assert dynamodb_client().get_item(
        TableName=get_settings().registry_table, Key=item_key(MODEL_PARTITION, ACTIVE_SORT)
    )["Item"]["version"] == {"S": "f" * 64}
    return str(before.body["model_version"])


def test_the_last_good_model_keeps_scoring_when_the_new_one_cannot_be_loaded(
    api: Call, unloadable_active_version: str
) -> None:
    reply = api("POST", "/v1/sentiment", body={"texts": ["my bag is lost", "thanks"]})
    assert reply.status == 200, reply.body
    assert reply.body["model_version"] == unloadable_active_version
    assert len(reply.body["results"]) == 2


def test_health_is_degraded_while_an_older_model_stands_in(
    api: Call, unloadable_active_version: str
) -> None:
    api("POST", "/v1/sentiment", body={"texts": ["thanks"]})
    reply = api("GET", "/v1/health")
    assert reply.status == 200
    assert reply.body["status"] == "degraded"
    assert reply.body["model_version"] == unloadable_active_version
    assert reply.body["active_version"] == "f" * 64


@pytest.fixture
def two_versions(
    api: Call,
    active_model: str,
    tiny_model_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[str, str]:
    """The test model, then a second version installed over it (active, with the first as
    its previous version); the pointer re-read on every request. Returns both versions."""
    monkeypatch.setenv("CONFIG_REFRESH_SECONDS", "0")
    second = tmp_path / "second-model"
    shutil.copytree(tiny_model_dir, second)
    card = json.loads((second / CARD_FILE).read_text(encoding="utf-8"))
    card["version"] = "d" * 64
    (second / CARD_FILE).write_text(json.dumps(card), encoding="utf-8")
    version = install(second)
    deps.reset()
    return active_model, version


def test_a_model_deleted_while_active_leaves_the_previous_one_scoring_until_a_rollback(
    api: Call, two_versions: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    previous, active = two_versions
    texts = {"texts": ["my bag is lost", "thanks"]}
    # GIVEN the active version scoring in a warm instance
    assert api("POST", "/v1/sentiment", body=texts).body["model_version"] == active
    # WHEN its model object is deleted from the models bucket
    s3_client().delete_object(
        Bucket=get_settings().models_bucket, Key=model_prefix(active) + MODEL_FILE
    )
    # THEN the warm instance keeps scoring with the model it holds
    assert api("POST", "/v1/sentiment", body=texts).body["model_version"] == active
    # AND an instance starting now scores with the version active before it, and says so
    monkeypatch.setenv("MODEL_CACHE_DIR", str(tmp_path / "cold-instance"))
    deps.reset()
    scored = api("POST", "/v1/sentiment", body=texts)
    assert scored.status == 200, scored.body
    assert scored.body["model_version"] == previous
    assert len(scored.body["results"]) == 2
    health = api("GET", "/v1/health").body
    assert (health["status"], health["model_version"], health["active_version"]) == (
        "degraded",
        previous,
        active,
    )
    # WHEN a supervisor rolls back
    rolled = api("POST", "/v1/models/rollback", body={"reason": "its model file was lost"})
    assert rolled.status == 200, rolled.body
    # THEN the previous version is active and served, and health is ok again
    assert api("POST", "/v1/sentiment", body=texts).body["model_version"] == previous
    health = api("GET", "/v1/health").body
    assert (health["status"], health["model_version"], health["active_version"]) == (
        "ok",
        previous,
        None,
    )
