"""Data access for datasets and training runs, kept in the registry table.

Keys (ids are `clock.sortable_id`, so key order is creation order):
- ``DATASET`` / ``DATASET#<dataset_id>``: a dataset, its declared files and when each
  arrived, its fingerprint once validated, and the ids of its runs.
- ``RUN`` / ``RUN#<run_id>``: a training run, its status, stages and results.

Listing either is one Query on its partition, newest first; a dataset's runs are a
BatchGetItem of the ids it records. Datasets and runs are a supervisor's actions, a few a
day, so one partition each holds them comfortably.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from botocore.exceptions import ClientError

from functions.shared.aws import refused_by_condition, transact_write
from functions.shared.dynamo import from_item, item_key, to_item
from functions.shared.lifecycle import Dataset, FileRole, Record, TrainingRun

DATASET_PARTITION = "DATASET"
RUN_PARTITION = "RUN"
R = TypeVar("R", bound=Record)


def _dataset_key(dataset_id: str) -> dict[str, Any]:
    return item_key(DATASET_PARTITION, f"DATASET#{dataset_id}")


def _run_key(run_id: str) -> dict[str, Any]:
    return item_key(RUN_PARTITION, f"RUN#{run_id}")


class TrainingStore:
    """Datasets and training runs in the registry table."""

    def __init__(self, table: str, dynamodb: Any) -> None:
        self._table = table
        self._dynamodb = dynamodb

    def _item(self, record: Record, key: dict[str, Any]) -> dict[str, Any]:
        return to_item(record.model_dump(mode="json", exclude_none=True)) | key

    def _get(self, key: dict[str, Any], kind: type[R]) -> R | None:
        response = self._dynamodb.get_item(TableName=self._table, Key=key, ConsistentRead=True)
        item = response.get("Item")
        return kind.model_validate(from_item(item)) if item else None

    def _page(
        self, partition: str, kind: type[R], limit: int, after: str | None
    ) -> tuple[list[R], str | None]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": partition}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if after is not None:
            request["ExclusiveStartKey"] = item_key(partition, f"{partition}#{after}")
        page = self._dynamodb.query(**request)
        records = [kind.model_validate(from_item(item)) for item in page.get("Items", [])]
        last = page.get("LastEvaluatedKey")
        return records, last["sk"]["S"].split("#", 1)[1] if last else None

    def create_dataset(self, dataset: Dataset) -> None:
        self._dynamodb.put_item(
            TableName=self._table,
            Item=self._item(dataset, _dataset_key(dataset.dataset_id)),
            ConditionExpression="attribute_not_exists(pk)",
        )

    def dataset(self, dataset_id: str) -> Dataset | None:
        return self._get(_dataset_key(dataset_id), Dataset)

    def datasets(self, limit: int, after: str | None) -> tuple[list[Dataset], str | None]:
        """A page of datasets, newest first, and the id to continue after (None at the end)."""
        return self._page(DATASET_PARTITION, Dataset, limit, after)

    def record_arrival(self, dataset: Dataset, role: FileRole, at: datetime) -> Dataset:
        """Marks the file of `role` arrived at `at` (the first arrival counts); returns the
        dataset as stored afterwards."""
        index = next(i for i, f in enumerate(dataset.files) if f.role == role)
        response = self._dynamodb.update_item(
            TableName=self._table,
            Key=_dataset_key(dataset.dataset_id),
            UpdateExpression=f"SET files[{index}].arrived_at = "
            f"if_not_exists(files[{index}].arrived_at, :at)",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":at": {"S": at.isoformat()}},
            ReturnValues="ALL_NEW",
        )
        return Dataset.model_validate(from_item(response["Attributes"]))

    def set_fingerprint(self, dataset_id: str, fingerprint: dict[str, Any]) -> None:
        self._dynamodb.update_item(
            TableName=self._table,
            Key=_dataset_key(dataset_id),
            UpdateExpression="SET fingerprint = :fingerprint",
            ExpressionAttributeValues=to_item({":fingerprint": fingerprint}),
        )

    def start_first_run(self, run: TrainingRun) -> bool:
        """Stores `run` as its dataset's first run, in one transaction with the dataset's
        run list. Returns False when the dataset has a run already (a repeated
        notification), so a dataset starts training once."""
        try:
            transact_write(
                self._dynamodb,
                [
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": _dataset_key(run.dataset_id),
                            "UpdateExpression": "SET run_ids = list_append(run_ids, :run)",
                            "ConditionExpression": "size(run_ids) = :none",
                            "ExpressionAttributeValues": {
                                ":run": {"L": [{"S": run.run_id}]},
                                ":none": {"N": "0"},
                            },
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": self._item(run, _run_key(run.run_id)),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                ],
            )
        except ClientError as error:
            if not refused_by_condition(error):
                raise
            return False
        return True

    def save_run(self, run: TrainingRun) -> None:
        """Stores the run as it is now. Only the training function writes runs, one
        invocation at a time (reserved concurrency 1), so the last write is the truth."""
        self._dynamodb.put_item(TableName=self._table, Item=self._item(run, _run_key(run.run_id)))

    def run(self, run_id: str) -> TrainingRun | None:
        return self._get(_run_key(run_id), TrainingRun)

    def runs(self, limit: int, after: str | None) -> tuple[list[TrainingRun], str | None]:
        """A page of runs, newest first, and the id to continue after (None at the end)."""
        return self._page(RUN_PARTITION, TrainingRun, limit, after)

    def runs_by_id(self, run_ids: Sequence[str]) -> list[TrainingRun]:
        """The runs named, newest first (BatchGetItem, 100 keys per call)."""
        found: list[TrainingRun] = []
        for start in range(0, len(run_ids), 100):
            request: dict[str, Any] = {
                self._table: {
                    "Keys": [_run_key(run_id) for run_id in run_ids[start : start + 100]],
                    "ConsistentRead": True,
                }
            }
            while request:
                response = self._dynamodb.batch_get_item(RequestItems=request)
                items = response.get("Responses", {}).get(self._table, [])
                found += [TrainingRun.model_validate(from_item(item)) for item in items]
                request = response.get("UnprocessedKeys") or {}
        return sorted(found, key=lambda run: run.run_id, reverse=True)
