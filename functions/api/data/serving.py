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

from functions.scoring.model import ModelLoadError, SentimentModel
from functions.shared.config import read_thresholds
from functions.shared.errors import ModelUnavailable
from functions.shared.model_files import download_model
from functions.shared.models import Thresholds
from functions.shared.registry import read_active_pointer

T = TypeVar("T")


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
    `cache_dir` once and keeps the loaded version, and the one before it, in memory."""

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
        self._pointer = Refreshed(
            lambda: read_active_pointer(dynamodb, registry_table), refresh_seconds, clock
        )
        self._lock = threading.Lock()
        self._models: dict[str, SentimentModel] = {}
        self._last_version: str | None = None

    def active_pointer(self) -> dict[str, Any] | None:
        """The pointer item (version, activated_at), at most one refresh period old."""
        return self._pointer.get()

    def active_version(self) -> str | None:
        """The active version as the pointer names it (no model is loaded), or None."""
        pointer = self.active_pointer()
        return str(pointer["version"]) if pointer else None

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
            lambda: read_thresholds(dynamodb, registry_table), refresh_seconds, clock
        )

    def current_thresholds(self) -> Thresholds:
        return self._thresholds.get()
