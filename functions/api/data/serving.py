"""What serving reads on every request, cached: the active model as the registry pointer
names it, and the support-level thresholds in force. Each is re-read at most once per
refresh period, so a promotion, rollback or threshold change is served within a minute
without redeploying."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError, ClientError

from functions.scoring.model import ModelLoadError, SentimentModel
from functions.shared.config import THRESHOLDS
from functions.shared.errors import ModelUnavailable
from functions.shared.model_files import download_model
from functions.shared.models import Thresholds
from functions.shared.registry import read_active_pointer

T = TypeVar("T")
logger = Logger(child=True)


class Refreshed(Generic[T]):
    """A value read through `read` at most once per `max_age` seconds. Thread-safe."""

    def __init__(
        self, read: Callable[[], T], max_age: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._read = read
        self._max_age = max_age
        self._clock = clock
        self._lock = threading.Lock()
        self._value: T
        self._read_at: float | None = None

    def get(self) -> T:
        with self._lock:
            now = self._clock()
            if self._read_at is None or now - self._read_at >= self._max_age:
                self._value = self._read()
                self._read_at = now
            return self._value


class ModelRegistry:
    """The active model (implements ModelSource). Downloads a version's files to
    `cache_dir` once and keeps the loaded version, and the one before it, in memory.

    When the pointer names a version that cannot be fetched or loaded, the last version
    that loaded keeps scoring (`unloadable_version` says which one failed) and the load is
    tried again once per refresh period, not on every request. An instance that has loaded
    none yet falls back to the version active before it (the pointer's previous version).
    """

    def __init__(
        self,
        registry_table: str,
        models_bucket: str,
        cache_dir: Path,
        refresh_seconds: float,
        *,
        dynamodb: Any,
        s3: Any,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._models_bucket = models_bucket
        self._cache_dir = cache_dir
        self._s3 = s3
        self._refresh_seconds = refresh_seconds
        self._clock = clock
        self._pointer = Refreshed(
            lambda: read_active_pointer(dynamodb, registry_table), refresh_seconds, clock
        )
        self._lock = threading.Lock()
        self._models: dict[str, SentimentModel] = {}
        self._last_good: tuple[dict[str, Any], SentimentModel] | None = None
        self._failed: tuple[str, float] | None = None

    def active_pointer(self) -> dict[str, Any] | None:
        """The pointer item (version, activated_at), at most one refresh period old."""
        return self._pointer.get()

    def active_version(self) -> str | None:
        """The active version as the pointer names it (no model is loaded), or None."""
        pointer = self.active_pointer()
        return str(pointer["version"]) if pointer else None

    def active_model(self) -> SentimentModel:
        """The loaded active model, or the last good one while the active one cannot be
        loaded. Raises ModelUnavailable when no version is active or none has loaded."""
        return self.active()[1]

    def active(self) -> tuple[dict[str, Any], SentimentModel]:
        """The pointer (version, activated_at) and the model it names, from one read of the
        pointer; while that version cannot be loaded, the last good pair. Raises
        ModelUnavailable like `active_model`."""
        pointer = self.active_pointer()
        if pointer is None:
            raise ModelUnavailable("no model is active yet")
        version = str(pointer["version"])
        with self._lock:
            model = self._models.get(version)
            if model is None:
                model = self._load_or_none(version)
                if model is None:
                    if self._last_good is None:
                        self._last_good = self._previous_or_none(pointer)
                    if self._last_good is None:
                        raise ModelUnavailable(f"model {version} could not be loaded")
                    return self._last_good
                # Keep the previous version too: requests in flight may still hold it.
                previous = self._last_good[1].version if self._last_good else None
                self._models = {v: m for v, m in self._models.items() if v == previous} | {
                    version: model
                }
            self._failed = None
            self._last_good = (pointer, model)
            return pointer, model

    def unloadable_version(self) -> str | None:
        """The active version that could not be loaded while an older one keeps scoring,
        or None when the active version is the one being served."""
        with self._lock:
            return self._failed[0] if self._failed else None

    def _load_or_none(self, version: str) -> SentimentModel | None:
        """Loads `version`, or None when it failed (now, or within the last refresh period:
        a broken version is not fetched again on every request)."""
        now = self._clock()
        if (
            self._failed is not None
            and self._failed[0] == version
            and now - self._failed[1] < self._refresh_seconds
        ):
            return None
        try:
            return self._load(version)
        except (ModelUnavailable, BotoCoreError, ClientError, OSError) as error:
            logger.warning(
                "model could not be loaded",
                extra={"model_version": version, "error_type": type(error).__name__},
            )
            self._failed = (version, now)
            return None

    def _previous_or_none(
        self, pointer: dict[str, Any]
    ) -> tuple[dict[str, Any], SentimentModel] | None:
        """The version active before `pointer`'s, loaded, for an instance that has never
        loaded a good one (a cold start while the active version's files are missing);
        None when there is none or it cannot be loaded either."""
        previous = pointer.get("previous_version")
        if not previous:
            return None
        try:
            model = self._load(str(previous))
        except (ModelUnavailable, BotoCoreError, ClientError, OSError) as error:
            logger.warning(
                "previous model could not be loaded either",
                extra={"model_version": previous, "error_type": type(error).__name__},
            )
            return None
        self._models[model.version] = model
        return {"version": model.version}, model

    def _load(self, version: str) -> SentimentModel:
        target = self._cache_dir / version
        if not target.is_dir():
            download_model(self._s3, self._models_bucket, version, target)
        try:
            return SentimentModel.load(target)
        except ModelLoadError:
            shutil.rmtree(target, ignore_errors=True)
            raise ModelUnavailable(f"model {version} could not be loaded") from None


class ThresholdConfig:
    """The support-level thresholds in force (implements ThresholdSource)."""

    def __init__(
        self,
        registry_table: str,
        refresh_seconds: float,
        *,
        dynamodb: Any,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._thresholds = Refreshed(
            lambda: THRESHOLDS.read_value(dynamodb, registry_table), refresh_seconds, clock
        )

    def current_thresholds(self) -> Thresholds:
        return self._thresholds.get()
