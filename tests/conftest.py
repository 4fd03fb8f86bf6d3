"""Suite-wide fixtures: tier markers from folders, and the shared data set."""

from __future__ import annotations

from pathlib import Path

import pytest

from model_build import shared_data_file

ROOT = Path(__file__).resolve().parent.parent
TIERS = ("unit", "integration", "contract", "e2e", "browser")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks each test with the tier named by its top folder under tests/."""
    for item in items:
        parts = Path(str(item.fspath)).relative_to(ROOT / "tests").parts
        if parts and parts[0] in TIERS:
            item.add_marker(getattr(pytest.mark, parts[0]))


@pytest.fixture(scope="session")
def shared_data_csv() -> Path:
    path = shared_data_file()
    if path is None:
        pytest.skip("airline_tweets.csv not found: set CARESCORE_DATA or put ../shared/data beside")
    return path
