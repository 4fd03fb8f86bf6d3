"""The training function in process against moto: tables and buckets from template.yaml,
the default model active, and the API handler beside it to declare datasets and read runs.
Files reach the datasets bucket by a real S3 put; their notifications are handed to the
training function as the SQS events the queue would deliver."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from model_build.function import process
from model_build.training_run import TrainingContext
from tests.fixtures.training_events import DEAD_LETTER_QUEUE_ARN, uploaded
from tests.integration.api.conftest import (  # noqa: F401  # fixtures used by these tests
    Call,
    active_model,
    api,
    aws,
    call,
    model_cache,
    template,
    tiny_model_dir,
)
from tests.unit.model.conftest import FAST, labelled_rows

Rows = list[dict[str, str]]


@pytest.fixture
def training(aws: dict[str, str], tmp_path: Path) -> TrainingContext:  # noqa: F811
    """The training function's context, training with the fast test parameters."""
    from functions.shared.aws import dynamodb_client, s3_client
    from functions.shared.registry import Registry
    from functions.shared.reviewed import ReviewedExamples
    from functions.shared.training_store import TrainingStore

    table = aws["RegistryTable"]
    return TrainingContext(
        store=TrainingStore(table, dynamodb_client()),
        registry=Registry(table, dynamodb_client()),
        s3=s3_client(),
        datasets_bucket=aws["DatasetsBucket"],
        models_bucket=aws["ModelsBucket"],
        work_dir=tmp_path / "training",
        params=FAST,
        reviews=ReviewedExamples(aws["TasksTable"], dynamodb_client()),
    )


def deliver(training: TrainingContext, dataset: dict[str, Any]) -> None:
    """Hands the training function the notification of each of `dataset`'s files, as the
    queue would once S3 announced them."""
    for declared in dataset["files"]:
        process(uploaded(declared["key"]), training, DEAD_LETTER_QUEUE_ARN)


def csv_bytes(rows: Rows, columns: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns or list(rows[0]), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def split_rows(rows: Rows) -> tuple[Rows, Rows]:
    """Every seventh row to the test file, the rest to train (seven, not five: the rows
    cycle through five phrases per label, and the test file needs all of them)."""
    return [r for i, r in enumerate(rows) if i % 7], [r for i, r in enumerate(rows) if not i % 7]


Upload = Callable[..., dict[str, Any]]


@pytest.fixture
def upload(api: Call, training: TrainingContext) -> Upload:  # noqa: F811
    """Declares a dataset through the API, puts each file into the datasets bucket and
    delivers each notification to the training function. Returns the dataset as the API
    shows it afterwards. `files` maps role to content; `deliver` picks which arrive."""

    def send(
        files: dict[str, bytes], *, deliver: tuple[str, ...] | None = None, **declared: Any
    ) -> dict[str, Any]:
        body = {
            "name": "retrain",
            "files": [
                {"role": role, "filename": f"{role} set.csv", "size_bytes": len(content)}
                for role, content in files.items()
            ],
        } | declared
        created = api("POST", "/v1/datasets", body=body)
        assert created.status == 201, created.body
        for signed in created.body["uploads"]:
            if deliver is not None and signed["role"] not in deliver:
                continue
            training.s3.put_object(
                Bucket=training.datasets_bucket, Key=signed["key"], Body=files[signed["role"]]
            )
            process(uploaded(signed["key"]), training, DEAD_LETTER_QUEUE_ARN)
        shown = api("GET", f"/v1/datasets/{created.body['dataset_id']}")
        assert shown.status == 200, shown.body
        return dict(shown.body)

    return send


@pytest.fixture
def good_files() -> dict[str, bytes]:
    train, test = split_rows(labelled_rows())
    return {"train": csv_bytes(train), "test": csv_bytes(test)}
