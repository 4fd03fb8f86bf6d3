"""Production providers for route dependencies (`Depends`), created on first use and
reused across invocations. Tests replace them with `app.dependency_overrides`."""

from __future__ import annotations

from functools import lru_cache

from functions.api.aws import dynamodb_client, reset_clients, s3_client
from functions.api.datasets import DatasetUploads
from functions.api.idempotency import reset_idempotency
from functions.api.registry import ModelRegistry, ThresholdConfig
from functions.api.settings import get_settings
from functions.api.store import TaskStore


@lru_cache(maxsize=1)
def task_store() -> TaskStore:
    return TaskStore(get_settings().tasks_table, dynamodb_client())


@lru_cache(maxsize=1)
def model_registry() -> ModelRegistry:
    return ModelRegistry(get_settings())


@lru_cache(maxsize=1)
def threshold_config() -> ThresholdConfig:
    return ThresholdConfig(get_settings())


@lru_cache(maxsize=1)
def dataset_uploads() -> DatasetUploads:
    return DatasetUploads(get_settings().datasets_bucket, s3_client())


def reset() -> None:
    """Forgets settings, clients, caches and loaded models (for tests and the local stack)."""
    get_settings.cache_clear()
    reset_clients()
    reset_idempotency()
    for provider in (task_store, model_registry, threshold_config, dataset_uploads):
        provider.cache_clear()
