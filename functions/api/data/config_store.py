"""Data access for the support-level thresholds as a supervisor edits them (implements
ThresholdsRepository): always the version in force, read consistently, never cached."""

from __future__ import annotations

from typing import Any

from functions.shared.config import THRESHOLDS
from functions.shared.models import ThresholdsRecord


class ThresholdsStore:
    def __init__(self, registry_table: str, client: Any) -> None:
        self._table = registry_table
        self._client = client

    def current(self) -> ThresholdsRecord:
        """The version in force (seeding the defaults when there is none)."""
        return THRESHOLDS.read(self._client, self._table)

    def replace(self, record: ThresholdsRecord) -> None:
        """Makes `record` the version in force; raises ConcurrentUpdate when the version
        before it is no longer current."""
        THRESHOLDS.replace(self._client, self._table, record)
