"""What callers get when AWS misbehaves: a throttled or unreachable store is retried a
bounded number of times, then a 503 with Retry-After; a new model that cannot be loaded
leaves the last good one scoring, and health says so."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest.mock import MagicMock

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import EndpointConnectionError

from functions.api import deps
from functions.api.app import app
from functions.api.data.task_store import TaskStore
from functions.api.settings import get_settings
from functions.shared.aws import MAX_ATTEMPTS, dynamodb_client
from functions.shared.dynamo import item_key, to_item
from functions.shared.registry import ACTIVE_SORT, MODEL_PARTITION
from tests.integration.api.conftest import Call
from tests.integration.api.test_tasks import new_task

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics")

THROTTLED = (
    b'{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",'
    b'"message":"Rate of requests exceeds the allowed throughput."}'
)


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.data


def _throttled(operation: str) -> Iterator[list[str]]:
    """Every DynamoDB `operation` call is answered as throttled; yields the attempts."""
    client = dynamodb_client()
    attempts: list[str] = []

    def throttle(request: Any, **_: Any) -> AWSResponse:
        attempts.append(request.url)
        headers = {"x-amzn-RequestId": "r", "Content-Type": "application/x-amz-json-1.0"}
        return AWSResponse(request.url, 400, headers, _Body(THROTTLED))

    client.meta.events.register(f"before-send.dynamodb.{operation}", throttle)
    yield attempts
    client.meta.events.unregister(f"before-send.dynamodb.{operation}", throttle)


@pytest.fixture
def throttled_queries(api: Call) -> Iterator[list[str]]:
    yield from _throttled("Query")


@pytest.fixture
def throttled_puts(api: Call) -> Iterator[list[str]]:
    yield from _throttled("PutItem")


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
