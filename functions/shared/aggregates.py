"""The layout of the aggregates table, which only the aggregator writes (design decision 11)
and the API reads by key (docs/access-patterns.md).

Items, all keyed on string ``pk`` / ``sk``:
- ``TREND#category`` / ``<day>#<category>``, ``TREND#product`` / ``<day>#<product>`` and
  ``TREND#category#PRODUCT#<product>`` / ``<day>#<category>``: tasks counted by effective
  label (``negative``, ``neutral``, ``positive``) for one day (``YYYY-MM-DD``, UTC).
- ``ACCOUNT#<account>`` / ``REQUEST#<created_key>``: one request of the account, as of its
  latest task revision (label, support level, category).
- ``ACCOUNT#<account>`` / ``RISK``: the account's risk state; while the account is listed
  as at risk it carries ``at_risk_list`` and ``severity_key`` (the sparse index
  ``at-risk-by-severity``).
- ``EVENT#<stream event id>`` / ``EVENT``: the marker of a counted stream record, expiring
  after ``expires_at`` (beyond the stream's 24-hour retention).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

Dimension = Literal["category", "product"]

COUNTS_PREFIX = "TREND#"
REQUEST_PREFIX = "REQUEST#"
RISK_SORT = "RISK"
EVENT_SORT = "EVENT"
AT_RISK_INDEX = "at-risk-by-severity"
AT_RISK_PARTITION = "AT_RISK"


@dataclass(frozen=True)
class DailyCount:
    """One day's tasks of one category or product, by effective label."""

    day: date
    name: str
    negative: int
    neutral: int
    positive: int


def counts_partition(dimension: Dimension, product: str | None = None) -> str:
    """The partition of one dimension's daily counts; categories may be narrowed to one
    product."""
    if product is not None:
        return f"{COUNTS_PREFIX}{dimension}#PRODUCT#{product}"
    return f"{COUNTS_PREFIX}{dimension}"


def counts_sort(day: str, name: str) -> str:
    """Daily counts sort by day first, so a date range is one key condition."""
    return f"{day}#{name}"


def split_counts_sort(sort: str) -> tuple[str, str]:
    """(day, name) of a counts sort key."""
    day, _, name = sort.partition("#")
    return day, name


def account_partition(account_id: str) -> str:
    return f"ACCOUNT#{account_id}"


def request_sort(created_key: str) -> str:
    return f"{REQUEST_PREFIX}{created_key}"


def event_partition(event_id: str) -> str:
    return f"EVENT#{event_id}"
