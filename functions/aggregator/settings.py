"""The aggregator's configuration, read once from environment variables at cold start."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """AGGREGATES_TABLE, REGISTRY_TABLE (the at-risk rule), EVENT_BUS_NAME and how stale
    the rule may be."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore")

    aggregates_table: str = Field(min_length=1)
    registry_table: str = Field(min_length=1)
    event_bus_name: str = Field(min_length=1)
    config_refresh_seconds: float = Field(default=60.0, ge=0)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()  # type: ignore[call-arg]  # pydantic-settings fills fields from env
