"""Data access for the model registry (the registry table) and the active-model pointer.

Keys in the registry table:
- ``MODEL`` / ``VERSION#<version>``: one entry per model version (status, card, metrics,
  lineage, gate result, and every pointer move that named it).
- ``MODEL`` / ``ACTIVE``: the pointer naming the active version. It moves only by one
  conditional transaction (`Registry.move_pointer`), which fails when the pointer moved
  since it was read.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from functions.scoring.model import SentimentModel
from functions.shared.aws import cancellation_codes, refused_by_condition, transact_write
from functions.shared.clock import utc_now
from functions.shared.config import THRESHOLDS
from functions.shared.dynamo import from_item, item_key, to_item
from functions.shared.errors import ActiveModelChanged, ModelVersionNotFound
from functions.shared.lifecycle import (
    Activation,
    Lineage,
    ModelVersion,
    Pointer,
    PointerMove,
    VersionStatus,
    dataset_sha256,
    headline_metrics,
)
from functions.shared.model_files import model_prefix, upload_model, upload_training_data

MODEL_PARTITION = "MODEL"
ACTIVE_SORT = "ACTIVE"
VERSION_PREFIX = "VERSION#"


def read_active_pointer(dynamodb: Any, table: str) -> dict[str, Any] | None:
    """The pointer item (version, activated_at, ...), or None when no version is active."""
    response = dynamodb.get_item(
        TableName=table, Key=item_key(MODEL_PARTITION, ACTIVE_SORT), ConsistentRead=True
    )
    item = response.get("Item")
    return from_item(item) if item else None


def _version_key(version: str) -> dict[str, Any]:
    return item_key(MODEL_PARTITION, VERSION_PREFIX + version)


class Registry:
    """Model versions and the active pointer in one registry table."""

    def __init__(self, table: str, dynamodb: Any) -> None:
        self._table = table
        self._dynamodb = dynamodb

    def pointer(self) -> Pointer | None:
        """The active pointer, read consistently; None before any version is active."""
        data = read_active_pointer(self._dynamodb, self._table)
        return Pointer.model_validate(data) if data else None

    def register(self, entry: ModelVersion) -> bool:
        """Stores `entry` unless the version is registered already (versions are content
        hashes: the same model trained twice is one version). Returns whether it was new."""
        item = to_item(
            entry.model_dump(mode="json")
            | {"pk": MODEL_PARTITION, "sk": VERSION_PREFIX + entry.version}
        )
        try:
            self._dynamodb.put_item(
                TableName=self._table, Item=item, ConditionExpression="attribute_not_exists(pk)"
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def get(self, version: str) -> ModelVersion | None:
        response = self._dynamodb.get_item(
            TableName=self._table, Key=_version_key(version), ConsistentRead=True
        )
        item = response.get("Item")
        return ModelVersion.model_validate(from_item(item)) if item else None

    def versions(self) -> list[ModelVersion]:
        """Every registered version, newest registration first (one Query on the MODEL
        partition's VERSION# keys, all pages)."""
        found: list[ModelVersion] = []
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {
                ":pk": {"S": MODEL_PARTITION},
                ":prefix": {"S": VERSION_PREFIX},
            },
        }
        while True:
            page = self._dynamodb.query(**request)
            found += [ModelVersion.model_validate(from_item(i)) for i in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return sorted(found, key=lambda entry: entry.registered_at, reverse=True)

    def move_pointer(
        self,
        to_version: str,
        expected: Pointer | None,
        *,
        kind: PointerMove,
        by: str,
        reason: str,
        override: bool = False,
    ) -> Pointer:
        """Makes `to_version` active, in one transaction that also marks it `active`,
        marks the version it replaces `retired`, and appends the move to both entries'
        activation history.

        Raises ActiveModelChanged when the pointer is no longer `expected` (another move
        won) and ModelVersionNotFound when `to_version` is not registered.
        """
        now = utc_now()
        move = Activation(
            kind=kind,
            from_version=expected.version if expected else None,
            to_version=to_version,
            by=by,
            at=now,
            reason=reason,
            override=override,
        )
        pointer = Pointer(
            version=to_version,
            previous_version=move.from_version,
            sequence=(expected.sequence if expected else 0) + 1,
            activated_at=now,
            activated_by=by,
            reason=reason,
        )
        pointer_put: dict[str, Any] = {
            "TableName": self._table,
            "Item": to_item(
                pointer.model_dump(mode="json") | {"pk": MODEL_PARTITION, "sk": ACTIVE_SORT}
            ),
        }
        if expected is None:
            pointer_put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            pointer_put["ConditionExpression"] = "#seq = :seq AND #version = :version"
            pointer_put["ExpressionAttributeNames"] = {"#seq": "sequence", "#version": "version"}
            pointer_put["ExpressionAttributeValues"] = {
                ":seq": {"N": str(expected.sequence)},
                ":version": {"S": expected.version},
            }
        items = [{"Put": pointer_put}, {"Update": self._status_update(to_version, "active", move)}]
        if expected is not None and expected.version != to_version:
            items.append({"Update": self._status_update(expected.version, "retired", move)})
        try:
            transact_write(self._dynamodb, items)
        except ClientError as error:
            if not refused_by_condition(error):
                raise
            codes = cancellation_codes(error)
            if len(codes) > 1 and codes[0] == "None" and codes[1] == "ConditionalCheckFailed":
                raise ModelVersionNotFound(f"model {to_version} is not registered") from None
            raise ActiveModelChanged(
                "the active model changed meanwhile; read it again and retry"
            ) from None
        return pointer

    def _status_update(
        self, version: str, status: VersionStatus, move: Activation
    ) -> dict[str, Any]:
        return {
            "TableName": self._table,
            "Key": _version_key(version),
            "UpdateExpression": (
                "SET #status = :status, "
                "activations = list_append(if_not_exists(activations, :none), :move)"
            ),
            "ConditionExpression": "attribute_exists(pk)",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": to_item(
                {":status": status, ":none": [], ":move": [move.model_dump(mode="json")]}
            ),
        }

    def set_status(self, version: str, status: VersionStatus) -> None:
        """Sets a registered version's status (a candidate that was not activated)."""
        self._dynamodb.update_item(
            TableName=self._table,
            Key=_version_key(version),
            UpdateExpression="SET #status = :status",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":status": {"S": status}},
        )


def entry_for_card(
    card: dict[str, Any],
    status: VersionStatus,
    lineage: Lineage,
    registered_at: datetime | None = None,
) -> ModelVersion:
    """The registry entry of the model a card describes."""
    version = str(card["version"])
    return ModelVersion(
        version=version,
        status=status,
        s3_prefix=model_prefix(version),
        registered_at=registered_at or utc_now(),
        metrics=headline_metrics(card.get("metrics", {})),
        parameters=card.get("parameters", {}),
        card=card,
        lineage=lineage,
    )


def install_model(
    model_dir: Path,
    registry_table: str,
    models_bucket: str,
    dynamodb: Any,
    s3: Any,
    *,
    training_data: bytes | None = None,
) -> str:
    """Uploads `model_dir` (model.onnx + model_card.json) to ``models/<version>/``,
    registers the version and makes it the active one (a pointer move of kind `install`,
    unless it is active already). `training_data` (functions/shared/training_data.py), when
    given, is stored beside the files: datasets built from reviews start from it, and the
    gate reads which texts the model was trained on.

    Side effects: two or three S3 objects, the registry entry, the pointer move, and the
    default thresholds if none exist. Raises ModelLoadError when the directory is not a
    loadable model. Returns the version.
    """
    model = SentimentModel.load(model_dir)  # refuses a directory whose files disagree
    if training_data is not None:
        upload_training_data(s3, models_bucket, model.version, training_data)
    upload_model(s3, models_bucket, model_dir, model.version)
    registry = Registry(registry_table, dynamodb)
    hashes = model.card.get("dataset", {}).get("sha256", {})
    registry.register(
        entry_for_card(model.card, "candidate", Lineage(dataset_sha256=dataset_sha256(hashes)))
    )
    current = registry.pointer()
    if current is None or current.version != model.version:
        registry.move_pointer(
            model.version, current, kind="install", by="system", reason="installed"
        )
    THRESHOLDS.seed(dynamodb, registry_table)
    return model.version
