"""Training runs as supervisors follow them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from functions.shared.errors import DatasetNotFound, TrainingRunNotFound
from functions.shared.lifecycle import Dataset, TrainingRun


class RunRepository(Protocol):
    def dataset(self, dataset_id: str) -> Dataset | None: ...

    def run(self, run_id: str) -> TrainingRun | None: ...

    def runs(self, limit: int, after: str | None) -> tuple[list[TrainingRun], str | None]: ...

    def runs_by_id(self, run_ids: Sequence[str]) -> list[TrainingRun]: ...


def list_runs(
    dataset_id: str | None, limit: int, after: str | None, repository: RunRepository
) -> tuple[list[TrainingRun], str | None]:
    """A page of runs, newest first; with `dataset_id`, every run of that dataset. Raises
    DatasetNotFound."""
    if dataset_id is None:
        return repository.runs(limit, after)
    dataset = repository.dataset(dataset_id)
    if dataset is None:
        raise DatasetNotFound(f"no dataset {dataset_id}")
    return repository.runs_by_id(dataset.run_ids), None


def get_run(run_id: str, repository: RunRepository) -> TrainingRun:
    run = repository.run(run_id)
    if run is None:
        raise TrainingRunNotFound(f"no training run {run_id}")
    return run
