"""Retraining in the local stack: a supervisor declares a dataset, uploads its files with the
presigned POSTs, and the training function (run by the stack's worker from the uploads
queue) trains, gates and activates the candidate, all visible through the API."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
import requests

from tests.integration.training.conftest import csv_bytes, split_rows
from tests.unit.model.conftest import labelled_rows

if TYPE_CHECKING:
    from tests.e2e.conftest import LocalStack

pytestmark = pytest.mark.e2e
# Uploads reach the training function only where the local stack plays S3 notifications
# and SQS event sources (infra/triggers).
pytest.importorskip("infra.triggers", reason="this local stack plays no event sources yet")

FINISHED = {"succeeded", "rejected", "failed"}
TRAINING_SECONDS = 900  # the function's timeout: a run cannot take longer
SERVING_SECONDS = 90  # API functions re-read the active pointer once a minute


def _wait_for(check: Callable[[], Any], seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, "timed out"
        time.sleep(1)


def test_an_uploaded_dataset_trains_and_its_passing_candidate_serves(
    start_stack: Callable[[dict[str, str]], LocalStack], local_env: dict[str, str]
) -> None:
    stack = start_stack(local_env)
    supervisor = stack.token("supervisor")
    before = stack.call("GET", "/v1/model", token=supervisor).json()["version"]
    # GIVEN a dataset declared through the API
    train, test = split_rows(labelled_rows())
    files = {"train": csv_bytes(train), "test": csv_bytes(test)}
    declared = {
        "name": "local retrain",
        "files": [
            {"role": role, "filename": f"{role}.csv", "size_bytes": len(content)}
            for role, content in files.items()
        ],
    }
    created = stack.call("POST", "/v1/datasets", body=declared, token=supervisor)
    assert created.status == 201, created.body
    dataset_id = created.json()["dataset_id"]
    # WHEN each file is uploaded with its presigned POST, straight to S3
    for upload in created.json()["uploads"]:
        content = files[upload["role"]]
        sent = requests.post(
            upload["url"],
            data=upload["fields"],
            files={"file": (f"{upload['role']}.csv", content, "text/csv")},
            timeout=30,
        )
        assert sent.status_code in {200, 201, 204}, sent.text
    # THEN a run starts by itself, is visible while it runs, and finishes
    seen: set[str] = set()

    def finished_run() -> dict[str, Any] | None:
        runs = stack.call("GET", f"/v1/training-runs?dataset_id={dataset_id}", token=supervisor)
        items = runs.json()["items"]
        if items:
            seen.add(items[0]["status"])
        return items[0] if items and items[0]["status"] in FINISHED else None

    run = _wait_for(finished_run, TRAINING_SECONDS)
    assert run["status"] == "succeeded", run
    assert seen - FINISHED, "the run was never seen while it ran"
    # AND its candidate is the active version, which serving picks up within a minute
    version = run["model_version"]
    assert version != before
    models = stack.call("GET", "/v1/models", token=supervisor).json()
    assert models["active_version"] == version

    def serving() -> bool:
        model = stack.call("GET", "/v1/model", token=supervisor).json()
        return bool(model["version"] == version)

    _wait_for(serving, SERVING_SECONDS)
