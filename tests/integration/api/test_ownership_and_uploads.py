"""Customers see only their own tasks, idempotency keys belong to their caller, and dataset
uploads are presigned POSTs with tight conditions, through the handler against moto."""

from __future__ import annotations

import base64
import calendar
import json
import time
from typing import Any

import boto3
import pytest
import requests

from tests.fixtures.api_events import AGENT, CUSTOMER, OTHER_CUSTOMER, SUPERVISOR, Caller, machine
from tests.integration.api.conftest import REGION, Call

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics")


def own_task(caller: Caller, **overrides: Any) -> dict[str, Any]:
    return {
        "text": "my bag is lost and nobody answers",
        "account_id": caller.claims["sub"],
        "category": "baggage",
        "channel": "web",
    } | overrides


def test_a_customer_cannot_create_a_task_for_someone_else(api: Call) -> None:
    body = own_task(CUSTOMER, account_id=OTHER_CUSTOMER.claims["sub"])
    reply = api("POST", "/v1/tasks", body=body, caller=CUSTOMER)
    assert reply.status == 403
    assert reply.error_code == "forbidden"


def test_a_customer_who_names_no_account_creates_the_task_for_their_own(api: Call) -> None:
    # GIVEN a customer's request without an account id WHEN they create it
    body = own_task(CUSTOMER)
    del body["account_id"]
    reply = api("POST", "/v1/tasks", body=body, caller=CUSTOMER)
    # THEN it belongs to their own account and they find it in their list
    assert reply.status == 201, reply.body
    assert reply.body["account_id"] == CUSTOMER.claims["sub"]
    listed = api("GET", "/v1/tasks", caller=CUSTOMER).body["items"]
    assert [task["id"] for task in listed] == [reply.body["id"]]


@pytest.mark.parametrize(
    "caller", [AGENT, machine("carescore/tasks.write")], ids=["agent", "machine"]
)
def test_a_caller_across_accounts_must_name_the_account(api: Call, caller: Caller) -> None:
    body = own_task(CUSTOMER)
    del body["account_id"]
    reply = api("POST", "/v1/tasks", body=body, caller=caller)
    assert reply.status == 422
    assert reply.error_code == "validation_error"
    assert reply.body["error"]["details"][0]["location"] == ["body", "account_id"]


def test_customers_see_their_own_tasks_and_not_each_others(api: Call) -> None:
    # GIVEN one task for each of two customers
    mine = api("POST", "/v1/tasks", body=own_task(CUSTOMER), caller=CUSTOMER).body
    theirs = api("POST", "/v1/tasks", body=own_task(OTHER_CUSTOMER), caller=OTHER_CUSTOMER).body
    # WHEN each lists without a filter THEN each sees only their own
    listed = api("GET", "/v1/tasks", caller=CUSTOMER).body["items"]
    assert [t["id"] for t in listed] == [mine["id"]]
    # AND reading the other's task looks exactly like reading a task that does not exist
    hidden = api("GET", f"/v1/tasks/{theirs['id']}", caller=CUSTOMER)
    missing = api("GET", f"/v1/tasks/{'0' * 32}", caller=CUSTOMER)
    assert hidden.status == missing.status == 404
    assert hidden.error_code == missing.error_code
    # AND staff see both
    everyone = api("GET", "/v1/tasks", caller=AGENT).body["items"]
    assert {t["id"] for t in everyone} >= {mine["id"], theirs["id"]}


def test_a_customer_filtering_by_another_account_is_refused(api: Call) -> None:
    query = {"account_id": OTHER_CUSTOMER.claims["sub"]}
    reply = api("GET", "/v1/tasks", query=query, caller=CUSTOMER)
    assert reply.status == 403
    assert reply.error_code == "forbidden"


def test_the_same_idempotency_key_from_two_callers_makes_two_tasks(api: Call) -> None:
    headers = {"Idempotency-Key": "order-42"}
    body = own_task(CUSTOMER)
    first = api("POST", "/v1/tasks", body=body, headers=headers, caller=CUSTOMER)
    other = api("POST", "/v1/tasks", body=body, headers=headers, caller=AGENT)
    again = api("POST", "/v1/tasks", body=body, headers=headers, caller=CUSTOMER)
    assert first.status == other.status == again.status == 201
    assert other.body["id"] != first.body["id"]
    assert again.body["id"] == first.body["id"]


def test_a_machine_client_key_does_not_collide_with_a_user_of_the_same_subject(
    api: Call,
) -> None:
    headers = {"Idempotency-Key": "batch-7"}
    client = machine("carescore/tasks.write", client_id=AGENT.claims["sub"])
    body = own_task(CUSTOMER)
    by_machine = api("POST", "/v1/tasks", body=body, headers=headers, caller=client)
    by_agent = api("POST", "/v1/tasks", body=body, headers=headers, caller=AGENT)
    assert by_machine.body["id"] != by_agent.body["id"]


def test_a_request_without_claims_is_unauthenticated_and_says_nothing_more(api: Call) -> None:
    reply = api("GET", "/v1/tasks", caller=Caller(claims={}))
    assert reply.status == 401
    assert reply.body == {
        "error": {"code": "unauthenticated", "message": "sign in to use this API"}
    }


UPLOAD = {
    "name": "march corrections",
    "files": [{"role": "train", "filename": "../train set.csv", "size_bytes": 64}],
}


def policy_of(fields: dict[str, str]) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(base64.b64decode(fields["policy"]))
    return decoded


def test_a_dataset_upload_is_a_short_lived_csv_only_size_limited_post(
    api: Call, aws: dict[str, str]
) -> None:
    before = time.time()
    reply = api("POST", "/v1/datasets", body=UPLOAD, caller=SUPERVISOR)
    assert reply.status == 201, reply.body
    [upload] = reply.body["uploads"]
    assert upload["key"] == f"datasets/{reply.body['dataset_id']}/train.csv"
    assert reply.body["dataset"]["files"][0]["filename"] == "train_set.csv"
    assert upload["expires_in_seconds"] == 300
    policy = policy_of(upload["fields"])
    expires = calendar.timegm(time.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ"))
    assert before + 290 <= expires <= time.time() + 310
    conditions = policy["conditions"]
    assert {"Content-Type": "text/csv"} in conditions
    assert ["content-length-range", 1, 64] in conditions
    assert {"key": upload["key"]} in conditions
    assert {"bucket": aws["DatasetsBucket"]} in conditions
    assert upload["fields"]["Content-Type"] == "text/csv"


def test_the_presigned_post_stores_the_file_under_its_key(api: Call, aws: dict[str, str]) -> None:
    [upload] = api("POST", "/v1/datasets", body=UPLOAD, caller=SUPERVISOR).body["uploads"]
    content = b"text,label\nlate again,negative\n"
    sent = requests.post(
        upload["url"], data=upload["fields"], files={"file": ("x.csv", content)}, timeout=10
    )
    assert sent.status_code in {200, 201, 204}
    stored = boto3.client("s3", region_name=REGION).get_object(
        Bucket=aws["DatasetsBucket"], Key=upload["key"]
    )
    assert stored["Body"].read() == content


def _file(**change: Any) -> dict[str, Any]:
    return {"role": "train", "filename": "t.csv", "size_bytes": 64} | change


@pytest.mark.parametrize(
    "files",
    [
        [_file(size_bytes=50 * 1024 * 1024 + 1)],
        [_file(size_bytes=0)],
        [_file(role="test")],
        [_file(), _file()],
        [_file(), _file(role="test"), _file(role="test")],
        [_file(role="validation")],
    ],
    ids=["over-50-mib", "empty", "no-train-file", "two-train-files", "three-files", "bad-role"],
)
def test_datasets_outside_the_limits_are_refused_before_signing(
    api: Call, files: list[dict[str, Any]]
) -> None:
    reply = api("POST", "/v1/datasets", body=UPLOAD | {"files": files}, caller=SUPERVISOR)
    assert reply.status == 422
    assert api("GET", "/v1/datasets").body["items"] == []
