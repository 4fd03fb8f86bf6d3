"""One training run, from a dataset whose files have all arrived to a registered version:
validate, train, export, parity, evaluate against the active model, gate, register and,
when the gate passes, activate. The run record is kept up to date at every stage, so a
supervisor can follow it while it runs.

It calls the same pipeline as `carescore train` and `make model` (model_build.dataset.prepare
and model_build.train.build_model); artifacts go to the models bucket, never under the
datasets prefix whose uploads trigger training.
"""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from functions.scoring.model import SentimentModel
from functions.shared.clock import utc_now
from functions.shared.errors import ActiveModelChanged
from functions.shared.lifecycle import (
    Dataset,
    GateResult,
    Lineage,
    Pointer,
    RunStatus,
    StageName,
    StageTiming,
    TrainingRun,
    dataset_sha256,
)
from functions.shared.model_files import (
    download_model,
    read_training_data,
    upload_evaluation,
    upload_model,
    upload_training_data,
)
from functions.shared.models import ReviewedExample
from functions.shared.registry import Registry, entry_for_card
from functions.shared.training_data import TrainingRow, encode_rows
from functions.shared.training_store import TrainingStore
from model_build.comparison import active_on_split, score_reviews
from model_build.dataset import LABELS, ColumnMapping, DatasetError, Labelled, prepare
from model_build.gate import MIN_REVIEWS, ReviewAccuracy, judge, parity_failed
from model_build.lineage import training_rows
from model_build.train import ParityError, TrainParams, build_model, one_blas_thread

logger = logging.getLogger(__name__)
DISAGREEMENT_SAMPLE = 25
# What one invocation (15 minutes) trains with room to spare: bench/training_bench.py
# measured 100,000 rows at 429 CPU seconds, the gate's refit of an active model of the same
# size included (README, "Retraining": sizing).
MAX_TRAINING_ROWS = 100_000
# How the pipeline's progress messages name its steps.
_FOLD = re.compile(r"fold (\d+)/(\d+)")
_MESSAGE_STAGES: tuple[tuple[str, StageName], ...] = (
    ("exporting", "export"),
    ("checking parity", "parity"),
)


class ReviewSource(Protocol):
    def reviewed_examples(self) -> list[ReviewedExample]:
        """Every supervisor-reviewed decision as a labelled text."""
        ...


@dataclass
class TrainingContext:
    """Where a run reads and writes, and how it trains. `reviews` None: the gate's reviews
    rule cannot be applied (it says so)."""

    store: TrainingStore
    registry: Registry
    s3: Any
    datasets_bucket: str
    models_bucket: str
    work_dir: Path
    params: TrainParams = field(default_factory=TrainParams)
    clock: Callable[[], datetime] = utc_now
    reviews: ReviewSource | None = None


class RunRecorder:
    """Moves a run through its statuses and stages, saving it at every change."""

    def __init__(self, run: TrainingRun, context: TrainingContext) -> None:
        self.run = run
        self._context = context

    def _save(self) -> None:
        self._context.store.save_run(self.run)

    def _close_stage(self) -> None:
        if self.run.stages and self.run.stages[-1].finished_at is None:
            self.run.stages[-1].finished_at = self._context.clock()

    def enter(self, status: RunStatus, stage: StageName) -> None:
        self._close_stage()
        self.run.status, self.run.stage, self.run.progress = status, stage, 0.0
        self.run.stages.append(StageTiming(name=stage, started_at=self._context.clock()))
        self._save()

    def advance(self, fraction: float) -> None:
        self.run.progress = round(min(max(fraction, 0.0), 1.0), 3)
        self._save()

    def on_pipeline_message(self, message: str) -> None:
        """Follows the pipeline's progress messages: fold i of n during training, then
        the export and parity steps."""
        for start, stage in _MESSAGE_STAGES:
            if message.startswith(start) and self.run.stage != stage:
                self.enter("training", stage)
                return
        fold = _FOLD.search(message)
        if fold and self.run.stage == "train":
            done, total = int(fold.group(1)) - 1, int(fold.group(2))
            if round(done / total, 3) != self.run.progress:
                self.advance(done / total)

    def finish(self, status: RunStatus, **fields: Any) -> TrainingRun:
        self._close_stage()
        self.run = self.run.model_copy(
            update={"status": status, "progress": 1.0, "finished_at": self._context.clock()}
            | fields
        )
        self._save()
        return self.run


def _local_name(text: str, work_dir: Path) -> str:
    """Messages and reports name files as the supervisor knows them, not by scratch path."""
    return text.replace(f"{work_dir}/", "")


def _download(dataset: Dataset, context: TrainingContext, work_dir: Path) -> dict[str, Path]:
    paths: dict[str, Path] = {}
    for declared in dataset.files:
        path = work_dir / f"{declared.role}.csv"
        context.s3.download_file(context.datasets_bucket, declared.key, str(path))
        paths[declared.role] = path
    return paths


def _disagreements(test: Labelled, candidate: np.ndarray, active: np.ndarray) -> dict[str, Any]:
    by_candidate, by_active = candidate.argmax(axis=1), active.argmax(axis=1)
    differ = np.flatnonzero(by_candidate != by_active)
    return {
        "count": len(differ),
        "sample": [
            {
                "text": test.texts[i],
                "label": test.labels[i],
                "candidate": LABELS[by_candidate[i]],
                "active": LABELS[by_active[i]],
            }
            for i in differ[:DISAGREEMENT_SAMPLE]
        ],
    }


@one_blas_thread
def execute_run(run: TrainingRun, dataset: Dataset, context: TrainingContext) -> TrainingRun:
    """Runs the pipeline on `dataset` and records every step in `run`.

    Data that cannot be trained on ends the run `failed` with its validation report; a
    candidate that fails the gate is registered `rejected` with every reason. Anything
    unexpected propagates, leaving no registry entry and the run unfinished, so the
    queue's retry (and at last its dead-letter queue) decides. Returns the finished run.
    """
    work_dir = context.work_dir / run.run_id
    shutil.rmtree(work_dir, ignore_errors=True)
    work_dir.mkdir(parents=True)
    try:
        return _execute(RunRecorder(run, context), dataset, context, work_dir)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


def _execute(
    recorder: RunRecorder, dataset: Dataset, context: TrainingContext, work_dir: Path
) -> TrainingRun:
    run = recorder.run
    recorder.enter("validating", "validate")
    paths = _download(dataset, context, work_dir)
    try:
        data = prepare(
            paths["train"],
            paths.get("test"),
            mapping=ColumnMapping(text=dataset.text_column, label=dataset.label_column),
            seed=context.params.seed,
        )
    except DatasetError as error:
        report = error.report.to_dict() if error.report else None
        return recorder.finish(
            "failed",
            error=_local_name(str(error), work_dir),
            validation_report=_without_scratch_paths(report, work_dir),
        )
    rows = len(data.train.texts) + len(data.test.texts)
    if rows > MAX_TRAINING_ROWS:
        return recorder.finish(
            "failed",
            error=f"{rows} usable rows are more than the training function trains in one run "
            f"({MAX_TRAINING_ROWS}); sample the data down, or train it with `carescore train` "
            "and install the model",
            validation_report=_without_scratch_paths(data.report.to_dict(), work_dir),
        )
    fingerprint = data.fingerprint() | {"split": data.report.split}
    fingerprint["sha256"] = {
        _local_name(path, work_dir): sha for path, sha in fingerprint["sha256"].items()
    }
    context.store.set_fingerprint(dataset.dataset_id, fingerprint)
    run.validation_report = _without_scratch_paths(data.report.to_dict(), work_dir)

    recorder.enter("training", "train")
    model_dir = work_dir / "model"
    try:
        card = build_model(data, model_dir, context.params, recorder.on_pipeline_message)
    except ParityError as error:
        return recorder.finish("rejected", gate=parity_failed(str(error)))

    recorder.enter("evaluating", "evaluate")
    candidate = SentimentModel.load(model_dir)
    candidate_rows = training_rows(data)
    pointer = context.registry.pointer()
    active, active_rows, on_split, evaluation = None, None, None, None
    if pointer is not None:
        active_dir = work_dir / "active"
        download_model(context.s3, context.models_bucket, pointer.version, active_dir)
        active = SentimentModel.load(active_dir)
        active_rows = read_training_data(context.s3, context.models_bucket, pointer.version)
        on_split = active_on_split(data.test, active, active_rows, logger.info)
        evaluation = {
            "dataset_id": dataset.dataset_id,
            "rows": len(data.test.texts),
            "metrics": {candidate.version: card["metrics"], pointer.version: on_split.metrics},
            "active_basis": on_split.basis,
            "active_as_served": on_split.as_served,
            "note": on_split.note,
            "disagreements": _disagreements(
                data.test, candidate.probabilities(data.test.texts), on_split.probabilities
            ),
        }

    recorder.enter("evaluating", "gate")
    reviews = _review_accuracy(context, candidate, candidate_rows, active, active_rows)
    gate = judge(
        card["metrics"],
        on_split.metrics if on_split else None,
        card["parity"],
        reviews,
        notes=[on_split.note] if on_split else [],
    )

    recorder.enter("evaluating", "register")
    upload_training_data(
        context.s3, context.models_bucket, candidate.version, encode_rows(candidate_rows)
    )
    upload_model(context.s3, context.models_bucket, model_dir, candidate.version)
    if pointer is not None and evaluation is not None:
        upload_evaluation(
            context.s3, context.models_bucket, candidate.version, pointer.version, evaluation
        )
    lineage = Lineage(
        dataset_id=dataset.dataset_id,
        dataset_sha256=dataset_sha256(fingerprint["sha256"]),
        parent_version=pointer.version if pointer else None,
        run_id=run.run_id,
        started_by=run.started_by,
    )
    entry = entry_for_card(card, "candidate" if gate.passed else "rejected", lineage)
    context.registry.register(entry.model_copy(update={"gate": gate}))
    if gate.passed:
        _activate(context.registry, run, candidate.version, pointer, gate)
    return recorder.finish(
        "succeeded" if gate.passed else "rejected",
        gate=gate,
        model_version=candidate.version,
        parent_version=lineage.parent_version,
    )


def _review_accuracy(
    context: TrainingContext,
    candidate: SentimentModel,
    candidate_rows: list[TrainingRow],
    active: SentimentModel | None,
    active_rows: list[TrainingRow] | None,
) -> ReviewAccuracy | None:
    """The gate's reviews figures: None when reviews cannot be read; the count alone below
    MIN_REVIEWS or without an active model; else both models scored on every review."""
    if context.reviews is None:
        return None
    examples = context.reviews.reviewed_examples()
    if len(examples) < MIN_REVIEWS or active is None:
        return ReviewAccuracy(reviews=len(examples))
    return score_reviews(examples, candidate, candidate_rows, active, active_rows)


def _activate(
    registry: Registry, run: TrainingRun, version: str, pointer: Pointer | None, gate: GateResult
) -> None:
    """Makes a passing candidate active unless the pointer moved while it trained (then
    it stays a candidate, for a supervisor to promote)."""
    if pointer is not None and pointer.version == version:
        return
    try:
        registry.move_pointer(
            version,
            pointer,
            kind="gate",
            by=run.started_by,
            reason=f"passed the gate ({len(gate.checks)} checks) in training run {run.run_id}",
        )
    except ActiveModelChanged:
        logger.warning(
            "active model changed during training; candidate left for a supervisor",
            extra={"run_id": run.run_id, "model_version": version},
        )


def _without_scratch_paths(report: dict[str, Any] | None, work_dir: Path) -> dict[str, Any] | None:
    if report is None:
        return None
    report = dict(report)
    report["errors"] = [_local_name(e, work_dir) for e in report.get("errors", [])]
    report["files"] = [
        dict(f) | {"path": _local_name(str(f.get("path", "")), work_dir)}
        for f in report.get("files", [])
    ]
    report["split"] = _local_name(str(report.get("split", "")), work_dir)
    return report
