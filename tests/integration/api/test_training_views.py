"""Datasets and training runs as supervisors list them: newest first, by key and index
reads only, pages that continue where they stopped."""

from __future__ import annotations

import pytest

from tests.fixtures.registry import finished_run
from tests.integration.api.conftest import Call

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics")


@pytest.fixture
def three_runs(api: Call) -> list[tuple[str, str]]:
    """(dataset_id, run_id) of three datasets with one run each, oldest first."""
    from functions.api import deps

    return [finished_run(deps.training_store()) for _ in range(3)]


def test_runs_are_listed_newest_first_a_page_at_a_time(
    api: Call, three_runs: list[tuple[str, str]]
) -> None:
    newest_first = [run_id for _, run_id in reversed(three_runs)]
    first = api("GET", "/v1/training-runs", query={"limit": "2"}).body
    assert [run["run_id"] for run in first["items"]] == newest_first[:2]
    rest = api(
        "GET", "/v1/training-runs", query={"limit": "2", "cursor": first["next_cursor"]}
    ).body
    assert [run["run_id"] for run in rest["items"]] == newest_first[2:]
    assert rest.get("next_cursor") is None


def test_runs_filtered_by_dataset_are_that_datasets_only(
    api: Call, three_runs: list[tuple[str, str]]
) -> None:
    dataset_id, run_id = three_runs[1]
    listed = api("GET", "/v1/training-runs", query={"dataset_id": dataset_id}).body
    assert [run["run_id"] for run in listed["items"]] == [run_id]
    unknown = api("GET", "/v1/training-runs", query={"dataset_id": "f" * 32})
    assert unknown.status == 404
    assert unknown.error_code == "dataset_not_found"


def test_datasets_are_listed_newest_first_with_their_runs(
    api: Call, three_runs: list[tuple[str, str]]
) -> None:
    listed = api("GET", "/v1/datasets").body["items"]
    assert [d["dataset_id"] for d in listed] == [d for d, _ in reversed(three_runs)]
    assert [[r["run_id"] for r in d["runs"]] for d in listed] == [
        [r] for _, r in reversed(three_runs)
    ]
