"""History import: a contact centre's earlier requests, scored and stored through the same
path as new tasks, each at its original time and at most once per external id."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from functions.api.logic.ports import (
    AccountRiskSource,
    ModelSource,
    TaskRepository,
    ThresholdSource,
)
from functions.api.logic.tasks import create_task
from functions.scoring.model import InvalidText
from functions.shared.errors import TaskExists
from functions.shared.models import NewTask


@dataclass(frozen=True)
class HistoricalRequest:
    external_id: str
    created_at: datetime
    task: NewTask


@dataclass(frozen=True)
class Imported:
    index: int
    external_id: str
    task_id: str
    created: bool  # False: an earlier import made it


@dataclass(frozen=True)
class ImportFailure:
    index: int
    external_id: str
    code: str
    message: str


@dataclass(frozen=True)
class ImportOutcome:
    imported: list[Imported] = field(default_factory=list)
    errors: list[ImportFailure] = field(default_factory=list)


def import_task_id(external_id: str) -> str:
    """The task id an external id always maps to, which makes an import idempotent."""
    return hashlib.sha256(f"import:{external_id}".encode()).hexdigest()[:32]


def import_tasks(
    requests: list[HistoricalRequest],
    *,
    models: ModelSource,
    thresholds: ThresholdSource,
    repository: TaskRepository,
    accounts: AccountRiskSource,
) -> ImportOutcome:
    """Creates a task for each request whose external id was never imported (one write
    each, refused when the id is taken); one that was is reported with its task, and one
    whose text cannot be scored becomes an error with its index without stopping the
    others. Raises ModelUnavailable."""
    outcome = ImportOutcome()
    for index, request in enumerate(requests):
        task_id = import_task_id(request.external_id)
        try:
            create_task(
                request.task,
                models=models,
                thresholds=thresholds,
                repository=repository,
                accounts=accounts,
                created_at=request.created_at,
                make_id=lambda: task_id,  # noqa: B023  # called before the next iteration
            )
        except InvalidText as error:
            outcome.errors.append(ImportFailure(index, request.external_id, error.code, str(error)))
        except TaskExists:
            outcome.imported.append(Imported(index, request.external_id, task_id, created=False))
        else:
            outcome.imported.append(Imported(index, request.external_id, task_id, created=True))
    return outcome
