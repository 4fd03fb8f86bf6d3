"""Retraining in the local stack: a supervisor declares a dataset, uploads its files with the
presigned POSTs, and the training function (run by the stack's worker from the uploads
queue) trains, gates and activates the candidate, all visible through the API; and a
dataset built from supervisors' reviews trains the same way."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
import requests

from tests.integration.training.conftest import csv_bytes, split_rows
from tests.integration.training.test_from_reviews import REQUESTS
from tests.unit.model.conftest import labelled_rows

if TYPE_CHECKING:
    from tests.e2e.conftest import LocalStack, Reply

pytestmark = pytest.mark.e2e
# Uploads reach the training function only where the local stack plays S3 notifications
# and SQS event sources (infra/triggers).
pytest.importorskip("infra.triggers", reason="this local stack plays no event sources yet")

FINISHED = {"succeeded", "rejected", "failed"}
TRAINING_SECONDS = 900  # the function's timeout: a run cannot take longer
SERVING_SECONDS = 90  # API functions re-read the active pointer once a minute
RETRIES = 5


def _wait_for(check: Callable[[], Any], seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, "timed out"
        time.sleep(1)


def _finished_run(stack: LocalStack, token: str, dataset_id: str, seen: set[str]) -> dict[str, Any]:
    """Waits for the dataset's run to finish, noting every status it was seen in."""

    def finished() -> dict[str, Any] | None:
        runs = stack.call("GET", f"/v1/training-runs?dataset_id={dataset_id}", token=token)
        items = runs.json()["items"]
        if items:
            seen.add(items[0]["status"])
        return items[0] if items and items[0]["status"] in FINISHED else None

    found: dict[str, Any] = _wait_for(finished, TRAINING_SECONDS)
    return found


def _upload_dataset(stack: LocalStack, token: str) -> str:
    """Declares the test dataset through the API and uploads its files with their presigned
    POSTs, straight to S3. Returns its id."""
    train, test = split_rows(labelled_rows())
    files = {"train": csv_bytes(train), "test": csv_bytes(test)}
    declared = {
        "name": "local retrain",
        "files": [
            {"role": role, "filename": f"{role}.csv", "size_bytes": len(content)}
            for role, content in files.items()
        ],
    }
    created = stack.call("POST", "/v1/datasets", body=declared, token=token)
    assert created.status == 201, created.body
    for upload in created.json()["uploads"]:
        content = files[upload["role"]]
        sent = requests.post(
            upload["url"],
            data=upload["fields"],
            files={"file": (f"{upload['role']}.csv", content, "text/csv")},
            timeout=30,
        )
        assert sent.status_code in {200, 201, 204}, sent.text
    return str(created.json()["dataset_id"])


def _retrying(stack: LocalStack, method: str, path: str, **kwargs: Any) -> Reply:
    """A call retried, as a client should, while the API answers 503 (a busy store on a
    loaded machine), after the Retry-After it names."""
    for _ in range(RETRIES):
        reply = stack.call(method, path, **kwargs)
        if reply.status != 503:
            return reply
        time.sleep(float(reply.headers.get("Retry-After", "2")))
    return reply


def _review(stack: LocalStack, token: str, task_id: str, label: str, etag: str) -> Any:
    """Reviews a task as a client should on a busy machine: after a 503, again; after a 412,
    reads the task and either finds the review there (an earlier attempt was stored after
    all) or reviews again with the new ETag. Returns the reviewed task."""
    for _ in range(RETRIES):
        reply = _retrying(
            stack,
            "POST",
            f"/v1/tasks/{task_id}/review",
            body={"label": label},
            headers={"If-Match": etag},
            token=token,
        )
        if reply.status in {200, 201}:  # 200: the same review was stored already
            return reply.json()
        assert reply.status == 412, reply.body
        current = _retrying(stack, "GET", f"/v1/tasks/{task_id}", token=token)
        if (current.json().get("review") or {}).get("label") == label:
            return current.json()
        etag = current.headers["ETag"]
    raise AssertionError(f"task {task_id} could not be reviewed")


def _serves(stack: LocalStack, token: str, version: str) -> None:
    def serving() -> bool:
        model = stack.call("GET", "/v1/model", token=token).json()
        return bool(model["version"] == version)

    _wait_for(serving, SERVING_SECONDS)


def test_an_uploaded_dataset_trains_and_its_passing_candidate_serves(
    start_stack: Callable[[dict[str, str]], LocalStack], local_env: dict[str, str]
) -> None:
    stack = start_stack(local_env)
    supervisor = stack.token("supervisor")
    before = stack.call("GET", "/v1/model", token=supervisor).json()["version"]
    # GIVEN a dataset declared through the API WHEN each file is uploaded with its
    # presigned POST, straight to S3
    dataset_id = _upload_dataset(stack, supervisor)
    # THEN a run starts by itself, is visible while it runs, and finishes
    seen: set[str] = set()
    run = _finished_run(stack, supervisor, dataset_id, seen)
    assert run["status"] == "succeeded", run
    assert seen - FINISHED, "the run was never seen while it ran"
    # AND its candidate is the active version, which serving picks up within a minute
    version = run["model_version"]
    assert version != before
    models = stack.call("GET", "/v1/models", token=supervisor).json()
    assert models["active_version"] == version
    _serves(stack, supervisor, version)


def test_supervisors_corrections_become_a_dataset_that_trains_and_serves(
    start_stack: Callable[[dict[str, str]], LocalStack], local_env: dict[str, str]
) -> None:
    stack = start_stack(local_env)
    supervisor = stack.token("supervisor")
    # GIVEN an active model trained from an upload (so its training data is kept)
    first = _finished_run(stack, supervisor, _upload_dataset(stack, supervisor), set())
    assert first["status"] == "succeeded", first
    active = first["model_version"]
    _serves(stack, supervisor, active)
    # AND enough of its decisions reviewed by a supervisor, with the true labels
    for index, (text, label) in enumerate(REQUESTS):
        task = _retrying(
            stack,
            "POST",
            "/v1/tasks",
            body={
                "text": text,
                "account_id": "acct-e2e",
                "category": "general",
                "channel": "web",
            },
            headers={"Idempotency-Key": f"e2e-review-{index}"},
            token=supervisor,
        )
        assert task.status == 201, task.body
        reviewed = _review(stack, supervisor, task.json()["id"], label, task.headers["ETag"])
        assert reviewed["review"]["label"] == label
    # WHEN a supervisor builds a dataset from the reviews
    created = stack.call(
        "POST", "/v1/datasets/from-reviews", body={"name": "corrections"}, token=supervisor
    )
    # THEN it names what it was made of, and its run trains through the uploads' path
    assert created.status == 201, created.body
    dataset = created.json()
    assert dataset["derived_from"]["model_version"] == active
    assert dataset["derived_from"]["reviews"] == len(REQUESTS)
    run = _finished_run(stack, supervisor, dataset["dataset_id"], set())
    assert run["status"] == "succeeded", run
    reviews = next(check for check in run["gate"]["checks"] if check["name"] == "reviews")
    assert reviews["detail"].startswith(f"accuracy on {len(REQUESTS)} reviewed decisions")
    assert run["gate"]["notes"], run["gate"]
    # AND the corrected model is active and serves
    version = run["model_version"]
    lineage = stack.call("GET", f"/v1/models/{version}", token=supervisor).json()["lineage"]
    assert lineage["dataset_sha256"] == dataset["derived_from"]["sha256"]
    assert stack.call("GET", "/v1/models", token=supervisor).json()["active_version"] == version
    _serves(stack, supervisor, version)
