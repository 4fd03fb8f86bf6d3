"""The API function's configuration, read once from environment variables at cold start."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Names of the resources the API uses and a few tunables.

    Field names are the environment variable names (case-insensitive): TASKS_TABLE,
    REGISTRY_TABLE, IDEMPOTENCY_TABLE, AGGREGATES_TABLE, MODELS_BUCKET, DATASETS_BUCKET, and
    the optional ones below (e.g. OVERRIDE_WINDOW, OVERRIDE_THRESHOLD).
    """

    model_config = SettingsConfigDict(frozen=True, extra="ignore")

    tasks_table: str = Field(min_length=1)
    registry_table: str = Field(min_length=1)
    idempotency_table: str = Field(min_length=1)
    aggregates_table: str = Field(min_length=1)
    models_bucket: str = Field(min_length=1)
    datasets_bucket: str = Field(min_length=1)
    stage: str = "dev"
    model_cache_dir: Path = Path("/tmp/carescore/models")
    # How stale the active-model pointer and the threshold config may be.
    config_refresh_seconds: float = Field(default=60.0, ge=0)
    idempotency_ttl_seconds: int = Field(default=3600, ge=60)
    # The override alarm: more than this share of corrections among the last reviews.
    override_window: int = Field(default=50, ge=1, le=1000)
    override_threshold: float = Field(default=0.25, gt=0, lt=1)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; read from the environment on first use, then reused."""
    return Settings()  # type: ignore[call-arg]  # pydantic-settings fills fields from env
