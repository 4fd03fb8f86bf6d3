"""Suite-wide fixtures: tier markers from folders, and the shared data set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TIERS = ("unit", "integration", "contract", "e2e", "browser")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks each test with the tier named by its top folder under tests/."""
    for item in items:
        parts = Path(str(item.fspath)).relative_to(ROOT / "tests").parts
        if parts and parts[0] in TIERS:
            item.add_marker(getattr(pytest.mark, parts[0]))


def shared_data_path() -> Path | None:
    """The airline tweets CSV: $CARESCORE_DATA, else ../shared/data beside the repo."""
    candidate = Path(
        os.environ.get("CARESCORE_DATA", ROOT.parent / "shared" / "data" / "airline_tweets.csv")
    )
    return candidate if candidate.is_file() else None


@pytest.fixture(scope="session")
def shared_data_csv() -> Path:
    path = shared_data_path()
    if path is None:
        pytest.skip("airline_tweets.csv not found: set CARESCORE_DATA or put ../shared/data beside")
    return path
