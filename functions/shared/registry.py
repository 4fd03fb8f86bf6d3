"""Data access for the model registry (the registry table) and model activation.

Keys in the registry table:
- ``MODEL`` / ``VERSION#<version>``: one entry per model version (status, card summary).
- ``MODEL`` / ``ACTIVE``: the pointer naming the active version; promotion moves it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from functions.scoring.model import SentimentModel
from functions.shared.clock import now_iso
from functions.shared.config import seed_thresholds
from functions.shared.dynamo import from_item, item_key, to_item
from functions.shared.model_files import model_prefix, upload_model

MODEL_PARTITION = "MODEL"
ACTIVE_SORT = "ACTIVE"


def read_active_pointer(dynamodb: Any, table: str) -> dict[str, Any] | None:
    """The pointer item (version, activated_at, ...), or None when no version is active."""
    response = dynamodb.get_item(
        TableName=table, Key=item_key(MODEL_PARTITION, ACTIVE_SORT), ConsistentRead=True
    )
    item = response.get("Item")
    return from_item(item) if item else None


def install_model(
    model_dir: Path, registry_table: str, models_bucket: str, dynamodb: Any, s3: Any
) -> str:
    """Uploads `model_dir` (model.onnx + model_card.json) to ``models/<version>/``,
    records the version in the registry and makes it the active one.

    Side effects: two S3 objects, the registry entry, the active pointer (the previous
    active entry is marked ``retired``), and the default thresholds if none exist.
    Raises ModelLoadError when the directory is not a loadable model. Returns the version.
    """
    model = SentimentModel.load(model_dir)  # refuses a directory whose files disagree
    version = model.version
    upload_model(s3, models_bucket, model_dir, version)
    card = model.card
    now = now_iso()
    previous = read_active_pointer(dynamodb, registry_table)
    previous_version = previous["version"] if previous else None
    entry = {
        "pk": MODEL_PARTITION,
        "sk": f"VERSION#{version}",
        "version": version,
        "status": "active",
        "s3_prefix": model_prefix(version),
        "onnx_sha256": card.get("onnx_sha256"),
        "metrics": {key: card.get("metrics", {}).get(key) for key in ("accuracy", "macro_f1")},
        "created_at": card.get("created_at", now),
        "registered_at": now,
    }
    dynamodb.put_item(TableName=registry_table, Item=to_item(entry))
    pointer = {
        "pk": MODEL_PARTITION,
        "sk": ACTIVE_SORT,
        "version": version,
        "previous_version": previous_version,
        "activated_at": now,
        "reason": "installed",
    }
    dynamodb.put_item(TableName=registry_table, Item=to_item(pointer))
    if previous_version and previous_version != version:
        dynamodb.update_item(
            TableName=registry_table,
            Key=item_key(MODEL_PARTITION, f"VERSION#{previous_version}"),
            UpdateExpression="SET #s = :retired",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":retired": {"S": "retired"}},
        )
    seed_thresholds(dynamodb, registry_table)
    return version
