"""Production providers for route dependencies (`Depends`), created on first use and
reused across invocations. Tests replace them with `app.dependency_overrides`."""

from __future__ import annotations

from functools import lru_cache

from functions.api.data.aggregates import AggregateReader
from functions.api.data.config_store import ThresholdsStore
from functions.api.data.evaluations import Evaluations, TrainingData
from functions.api.data.follow_ups import FollowUpStore
from functions.api.data.risk_rules import AtRiskRuleStore
from functions.api.data.serving import ModelRegistry, ThresholdConfig
from functions.api.data.task_store import TaskStore
from functions.api.data.uploads import DatasetUploads
from functions.api.idempotency import reset_idempotency
from functions.api.logic.ports import AccountRiskSource
from functions.api.logic.reviews import OverridePolicy
from functions.api.settings import get_settings
from functions.shared.aws import dynamodb_client, reset_clients, s3_client
from functions.shared.config import read_cursor_key
from functions.shared.registry import Registry
from functions.shared.training_store import TrainingStore


@lru_cache(maxsize=1)
def cursor_key() -> bytes:
    """The stage's cursor-signing secret, read (or made) once per process."""
    return read_cursor_key(dynamodb_client(), get_settings().registry_table)


@lru_cache(maxsize=1)
def task_store() -> TaskStore:
    return TaskStore(get_settings().tasks_table, dynamodb_client(), cursor_key)


@lru_cache(maxsize=1)
def model_registry() -> ModelRegistry:
    settings = get_settings()
    return ModelRegistry(
        settings.registry_table,
        settings.models_bucket,
        settings.model_cache_dir,
        settings.config_refresh_seconds,
        dynamodb=dynamodb_client(),
        s3=s3_client(),
    )


@lru_cache(maxsize=1)
def threshold_config() -> ThresholdConfig:
    settings = get_settings()
    return ThresholdConfig(
        settings.registry_table, settings.config_refresh_seconds, dynamodb=dynamodb_client()
    )


@lru_cache(maxsize=1)
def thresholds_store() -> ThresholdsStore:
    return ThresholdsStore(get_settings().registry_table, dynamodb_client())


def account_risk() -> AccountRiskSource:
    """Account risk as the aggregator keeps it."""
    return aggregate_reader()


def override_policy() -> OverridePolicy:
    settings = get_settings()
    return OverridePolicy(settings.override_window, settings.override_threshold)


@lru_cache(maxsize=1)
def dataset_uploads() -> DatasetUploads:
    return DatasetUploads(get_settings().datasets_bucket, s3_client())


@lru_cache(maxsize=1)
def training_store() -> TrainingStore:
    return TrainingStore(get_settings().registry_table, dynamodb_client())


@lru_cache(maxsize=1)
def registry() -> Registry:
    return Registry(get_settings().registry_table, dynamodb_client())


@lru_cache(maxsize=1)
def evaluations() -> Evaluations:
    return Evaluations(get_settings().models_bucket, s3_client())


@lru_cache(maxsize=1)
def aggregate_reader() -> AggregateReader:
    return AggregateReader(get_settings().aggregates_table, dynamodb_client(), cursor_key)


@lru_cache(maxsize=1)
def follow_up_store() -> FollowUpStore:
    return FollowUpStore(get_settings().tasks_table, dynamodb_client())


@lru_cache(maxsize=1)
def at_risk_rule_store() -> AtRiskRuleStore:
    return AtRiskRuleStore(get_settings().registry_table, dynamodb_client())


@lru_cache(maxsize=1)
def training_data() -> TrainingData:
    return TrainingData(get_settings().models_bucket, s3_client())


def reset() -> None:
    """Forgets settings, clients, caches and loaded models (for tests and the local stack)."""
    get_settings.cache_clear()
    reset_clients()
    reset_idempotency()
    for provider in (
        cursor_key,
        task_store,
        model_registry,
        threshold_config,
        thresholds_store,
        dataset_uploads,
        training_store,
        registry,
        evaluations,
        aggregate_reader,
        follow_up_store,
        at_risk_rule_store,
        training_data,
    ):
        provider.cache_clear()
