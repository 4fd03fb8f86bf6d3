"""The training function: S3 notifications of dataset uploads, through SQS, start training
runs once every declared file of a dataset has arrived.

SAM: `TrainingFunction`, a container image (model_build/Dockerfile) whose command is
``model_build.function.lambda_handler``. It lives in model_build because it runs the
training pipeline, which needs scikit-learn; it stands on functions.shared for records
and data access, as the API does.

Two queues feed it, one message at a time (reserved concurrency 1, so runs queue rather
than race):
- the uploads queue: an S3 notification for ``datasets/<id>/<role>.csv`` records that
  file's arrival and, when it was the last one missing, starts the dataset's run. A
  redelivered message resumes an unfinished run and leaves a finished one alone.
- its dead-letter queue: a message that failed every attempt (a crash or a timeout)
  marks its dataset's unfinished run `failed`.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from functions.shared.aws import dynamodb_client, s3_client
from functions.shared.clock import sortable_id
from functions.shared.lifecycle import FileRole, TrainingRun
from functions.shared.registry import Registry
from functions.shared.reviewed import ReviewedExamples
from functions.shared.training_store import TrainingStore
from model_build.training_run import TrainingContext, execute_run

logger = Logger(service="carescore-training")
DATASET_KEY = re.compile(r"^datasets/(?P<dataset_id>[0-9a-f]{32})/(?P<role>train|test)\.csv$")


class TrainingSettings(BaseSettings):
    """REGISTRY_TABLE, MODELS_BUCKET, DATASETS_BUCKET, DEAD_LETTER_QUEUE_ARN, and TASKS_TABLE
    (the supervisors' reviews the gate reads; without it the reviews rule is not applied)."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore")

    registry_table: str = Field(min_length=1)
    tasks_table: str | None = Field(default=None, min_length=1)
    models_bucket: str = Field(min_length=1)
    datasets_bucket: str = Field(min_length=1)
    dead_letter_queue_arn: str = Field(min_length=1)
    work_dir: Path = Path("/tmp/carescore/training")


@lru_cache(maxsize=1)
def get_settings() -> TrainingSettings:
    return TrainingSettings()  # type: ignore[call-arg]  # filled from the environment


def training_context() -> TrainingContext:
    settings = get_settings()
    return TrainingContext(
        store=TrainingStore(settings.registry_table, dynamodb_client()),
        registry=Registry(settings.registry_table, dynamodb_client()),
        s3=s3_client(),
        datasets_bucket=settings.datasets_bucket,
        models_bucket=settings.models_bucket,
        work_dir=settings.work_dir,
        reviews=ReviewedExamples(settings.tasks_table, dynamodb_client())
        if settings.tasks_table
        else None,
    )


def uploaded_keys(message_body: str) -> Iterator[str]:
    """The object keys an S3 event notification names (none for S3's test event)."""
    notification = json.loads(message_body)
    for record in notification.get("Records", []):
        if str(record.get("eventName", "")).startswith("ObjectCreated"):
            yield urllib.parse.unquote_plus(record["s3"]["object"]["key"])


def on_upload(key: str, context: TrainingContext) -> TrainingRun | None:
    """Records the arrival of `key` and, once its dataset is complete, runs training.
    Returns the run it ran, if any."""
    match = DATASET_KEY.match(key)
    if match is None:
        logger.info("not a dataset file; ignored", extra={"key": key})
        return None
    dataset = context.store.dataset(match["dataset_id"])
    role: FileRole = "train" if match["role"] == "train" else "test"
    if dataset is None or dataset.file(role) is None:
        logger.warning("upload for no declared dataset file; ignored", extra={"key": key})
        return None
    now = context.clock()
    if dataset.status(now) == "expired":
        logger.info("file arrived after its dataset expired", extra={"key": key})
        return None
    dataset = context.store.record_arrival(dataset, role, now)
    if dataset.missing:
        logger.info("dataset waits for files", extra={"missing": dataset.missing})
        return None
    run = TrainingRun(
        run_id=sortable_id(),
        dataset_id=dataset.dataset_id,
        status="queued",
        created_at=now,
        started_by=dataset.created_by,
    )
    if not context.store.start_first_run(run):
        existing = _latest_run(dataset.dataset_id, context)
        if existing is None or existing.finished:
            return None
        run = existing  # an earlier attempt stopped part-way: start it over
    run.attempts += 1
    logger.info("training run starts", extra={"run_id": run.run_id, "attempt": run.attempts})
    finished = execute_run(run, dataset, context)
    logger.info(
        "training run finished",
        extra={"run_id": run.run_id, "status": finished.status, "version": finished.model_version},
    )
    return finished


def _latest_run(dataset_id: str, context: TrainingContext) -> TrainingRun | None:
    dataset = context.store.dataset(dataset_id)
    if dataset is None or not dataset.run_ids:
        return None
    return context.store.run(dataset.run_ids[-1])


def on_dead_letter(key: str, context: TrainingContext) -> None:
    """Marks the unfinished run of `key`'s dataset failed: every attempt crashed or ran
    out of time."""
    match = DATASET_KEY.match(key)
    run = _latest_run(match["dataset_id"], context) if match else None
    if run is None or run.finished:
        logger.warning("dead letter without an unfinished run", extra={"key": key})
        return
    run.status, run.finished_at = "failed", context.clock()
    run.error = (
        f"training stopped unexpectedly in stage {run.stage or 'queued'} on each of "
        f"{run.attempts} attempts (a crash or a timeout); no model version was registered"
    )
    context.store.save_run(run)
    logger.error("training run failed for good", extra={"run_id": run.run_id})


def process(event: dict[str, Any], context: TrainingContext, dead_letter_queue_arn: str) -> None:
    """Handles an SQS batch from the uploads queue or its dead-letter queue. An exception
    leaves the message on its queue for another attempt."""
    for record in event["Records"]:
        dead = record.get("eventSourceARN") == dead_letter_queue_arn
        for key in uploaded_keys(record["body"]):
            if dead:
                on_dead_letter(key, context)
            else:
                on_upload(key, context)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], _context: LambdaContext) -> None:
    """SAM entry point: batches of one message (BatchSize 1)."""
    process(event, training_context(), get_settings().dead_letter_queue_arn)
