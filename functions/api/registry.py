"""Data access for the model registry and versioned config (the registry table) and the
model files (the models bucket).

Keys in the registry table:
- ``MODEL`` / ``VERSION#<version>``: one entry per model version (status, card summary).
- ``MODEL`` / ``ACTIVE``: the pointer naming the active version; promotion moves it.
- ``CONFIG#thresholds`` / ``CURRENT``: the support-level thresholds in force, with their
  version; ``CONFIG#thresholds`` / ``VERSION#<n>`` keeps every version ever used.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from functions.api.aws import dynamodb_client, s3_client
from functions.api.dynamo import from_item, item_key, to_item
from functions.api.errors import ModelUnavailable
from functions.api.logic.models import Thresholds
from functions.api.logic.support import DEFAULT_THRESHOLDS
from functions.api.settings import Settings
from functions.scoring.model import CARD_FILE, MODEL_FILE, ModelLoadError, SentimentModel

MODEL_PARTITION = "MODEL"
ACTIVE_SORT = "ACTIVE"
THRESHOLDS_PARTITION = "CONFIG#thresholds"
CURRENT_SORT = "CURRENT"


def model_prefix(version: str) -> str:
    return f"models/{version}/"


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class ModelRegistry:
    """The active model, as the registry pointer names it (implements ModelSource).

    Re-reads the pointer at most once per `settings.config_refresh_seconds`, downloads a
    version's files to `settings.model_cache_dir` once, and keeps each loaded version in
    memory, so a promotion or rollback is served within a minute without redeploying.
    Thread-safe.
    """

    def __init__(
        self,
        settings: Settings,
        dynamodb: Any = None,
        s3: Any = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._dynamodb = dynamodb
        self._s3 = s3
        self._clock = clock
        self._lock = threading.Lock()
        self._pointer: dict[str, Any] | None = None
        self._pointer_read_at: float | None = None
        self._models: dict[str, SentimentModel] = {}
        self._last_version: str | None = None

    @property
    def dynamodb(self) -> Any:
        return self._dynamodb or dynamodb_client()

    @property
    def s3(self) -> Any:
        return self._s3 or s3_client()

    def active_pointer(self) -> dict[str, Any] | None:
        """The pointer item (version, activated_at), at most `refresh` seconds old."""
        with self._lock:
            now = self._clock()
            stale = (
                self._pointer_read_at is None
                or now - self._pointer_read_at >= self._settings.config_refresh_seconds
            )
            if stale:
                response = self.dynamodb.get_item(
                    TableName=self._settings.registry_table,
                    Key=item_key(MODEL_PARTITION, ACTIVE_SORT),
                    ConsistentRead=True,
                )
                item = response.get("Item")
                self._pointer = from_item(item) if item else None
                self._pointer_read_at = now
            return self._pointer

    def active_model(self) -> SentimentModel:
        """The loaded active model. Raises ModelUnavailable when no version is active or its
        files cannot be fetched or loaded."""
        return self.active()[1]

    def active(self) -> tuple[dict[str, Any], SentimentModel]:
        """The pointer (version, activated_at) and the model it names, from one read of the
        pointer. Raises ModelUnavailable like `active_model`."""
        pointer = self.active_pointer()
        if pointer is None:
            raise ModelUnavailable("no model is active yet")
        version = str(pointer["version"])
        with self._lock:
            model = self._models.get(version)
            if model is None:
                model = self._load(version)
                # Keep the previous version too: requests in flight may still hold it.
                self._models = {
                    v: m for v, m in self._models.items() if v == self._last_version
                } | {version: model}
                self._last_version = version
            return pointer, model

    def _load(self, version: str) -> SentimentModel:
        target = self._settings.model_cache_dir / version
        if not target.is_dir():
            self._download(version, target)
        try:
            return SentimentModel.load(target)
        except ModelLoadError:
            shutil.rmtree(target, ignore_errors=True)
            raise ModelUnavailable(f"model {version} could not be loaded") from None

    def _download(self, version: str, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{version}-"))
        try:
            for name in (MODEL_FILE, CARD_FILE):
                self.s3.download_file(
                    self._settings.models_bucket, model_prefix(version) + name, str(staging / name)
                )
            # A rename is atomic: a concurrent process sees the whole directory or none.
            staging.rename(target)
        except ClientError:
            raise ModelUnavailable(f"model {version} files are missing") from None
        except OSError:
            if not target.is_dir():
                raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)


class ThresholdConfig:
    """The support-level thresholds in force (implements ThresholdSource), re-read at most
    once per `settings.config_refresh_seconds`. Writes the defaults as version 1 the first
    time it finds none."""

    def __init__(
        self,
        settings: Settings,
        dynamodb: Any = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._dynamodb = dynamodb
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: Thresholds | None = None
        self._read_at: float | None = None

    def current_thresholds(self) -> Thresholds:
        with self._lock:
            now = self._clock()
            if (
                self._cached is None
                or self._read_at is None
                or now - self._read_at >= self._settings.config_refresh_seconds
            ):
                self._cached = read_thresholds(self._settings, self._dynamodb)
                self._read_at = now
            return self._cached


def read_thresholds(settings: Settings, dynamodb: Any = None) -> Thresholds:
    """Reads the current thresholds; seeds the defaults when there are none yet."""
    client = dynamodb or dynamodb_client()
    response = client.get_item(
        TableName=settings.registry_table,
        Key=item_key(THRESHOLDS_PARTITION, CURRENT_SORT),
        ConsistentRead=True,
    )
    item = response.get("Item")
    if item is None:
        return seed_thresholds(settings, client)
    data = from_item(item)
    return Thresholds.model_validate({name: data[name] for name in Thresholds.model_fields})


def seed_thresholds(settings: Settings, dynamodb: Any = None) -> Thresholds:
    """Writes the default thresholds as version 1 unless some version exists already;
    returns whichever is current afterwards."""
    client = dynamodb or dynamodb_client()
    values = DEFAULT_THRESHOLDS.model_dump() | {"updated_at": _now_iso(), "updated_by": "system"}
    try:
        client.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": settings.registry_table,
                        "Item": to_item(values | {"pk": THRESHOLDS_PARTITION, "sk": CURRENT_SORT}),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {
                    "Put": {
                        "TableName": settings.registry_table,
                        "Item": to_item(
                            values
                            | {
                                "pk": THRESHOLDS_PARTITION,
                                "sk": f"VERSION#{DEFAULT_THRESHOLDS.version:06d}",
                            }
                        ),
                    }
                },
            ]
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "TransactionCanceledException":
            raise
        return read_thresholds(settings, client)
    return DEFAULT_THRESHOLDS


def install_model(model_dir: Path, settings: Settings, dynamodb: Any = None, s3: Any = None) -> str:
    """Uploads `model_dir` (model.onnx + model_card.json) to ``models/<version>/`` in the
    models bucket, records the version in the registry and makes it the active one.

    Side effects: two S3 objects, the registry entry, the active pointer (the previous
    active entry is marked ``retired``), and the default thresholds if none exist.
    Raises ModelLoadError when the directory is not a loadable model. Returns the version.
    """
    model = SentimentModel.load(model_dir)  # refuses a directory whose files disagree
    version = model.version
    dynamo = dynamodb or dynamodb_client()
    storage = s3 or s3_client()
    for name in (MODEL_FILE, CARD_FILE):
        storage.upload_file(
            str(model_dir / name), settings.models_bucket, model_prefix(version) + name
        )
    card = model.card
    now = _now_iso()
    previous = dynamo.get_item(
        TableName=settings.registry_table, Key=item_key(MODEL_PARTITION, ACTIVE_SORT)
    ).get("Item")
    previous_version = from_item(previous)["version"] if previous else None
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
    dynamo.put_item(TableName=settings.registry_table, Item=to_item(entry))
    dynamo.put_item(
        TableName=settings.registry_table,
        Item=to_item(
            {
                "pk": MODEL_PARTITION,
                "sk": ACTIVE_SORT,
                "version": version,
                "previous_version": previous_version,
                "activated_at": now,
                "reason": "installed",
            }
        ),
    )
    if previous_version and previous_version != version:
        dynamo.update_item(
            TableName=settings.registry_table,
            Key=item_key(MODEL_PARTITION, f"VERSION#{previous_version}"),
            UpdateExpression="SET #s = :retired",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":retired": {"S": "retired"}},
        )
    seed_thresholds(settings, dynamo)
    return version
