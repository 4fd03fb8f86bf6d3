"""Turning model predictions into decisions, one text or a batch with per-item errors."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from functions.api.logic.ports import ModelSource, TaskRepository, ThresholdSource
from functions.scoring.model import InvalidText, Prediction, SentimentModel, check_text
from functions.shared.clock import new_id, utc_now
from functions.shared.models import (
    Decision,
    DecisionMetadata,
    Probabilities,
    StoredDecision,
    TermWeight,
    Thresholds,
)
from functions.shared.support import support_level
from functions.shared.text import UNSAFE_CHARACTERS_MESSAGE, has_unsafe_characters


def input_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def to_decision(
    text: str, prediction: Prediction, thresholds: Thresholds, decided_at: datetime
) -> Decision:
    """The decision record for one prediction under the given thresholds."""
    probabilities = Probabilities.model_validate(prediction.probabilities)
    return Decision(
        label=prediction.label,  # type: ignore[arg-type]  # the model card fixes the labels
        probabilities=probabilities,
        confidence=prediction.confidence,
        top_terms=[TermWeight(term=t.term, weight=t.weight) for t in prediction.top_terms],
        support_level=support_level(probabilities, thresholds),
        model_version=prediction.model_version,
        thresholds_version=thresholds.version,
        input_sha256=input_sha256(text),
        decided_at=decided_at,
    )


def check_scorable(text: str) -> None:
    """Raises InvalidText when `text` is blank, too long, or holds control characters or
    unpaired surrogates."""
    check_text(text)
    if has_unsafe_characters(text):
        raise InvalidText("invalid_characters", UNSAFE_CHARACTERS_MESSAGE)


def decide_one(
    text: str, model: SentimentModel, thresholds: Thresholds, now: Callable[[], datetime]
) -> Decision:
    """Scores one text. Raises InvalidText when `check_scorable` refuses it."""
    check_scorable(text)
    (prediction,) = model.score([text])
    return to_decision(text, prediction, thresholds, now())


@dataclass(frozen=True)
class ScoredItem:
    index: int
    decision: Decision
    decision_id: str | None = None


@dataclass(frozen=True)
class ItemError:
    index: int
    code: str
    message: str


@dataclass(frozen=True)
class BatchOutcome:
    model_version: str
    thresholds_version: int
    results: list[ScoredItem] = field(default_factory=list)
    errors: list[ItemError] = field(default_factory=list)


def score_batch(
    texts: Sequence[str],
    *,
    models: ModelSource,
    thresholds_source: ThresholdSource,
    repository: TaskRepository | None = None,
    metadata: DecisionMetadata | None = None,
    now: Callable[[], datetime] = utc_now,
    make_id: Callable[[], str] = new_id,
) -> BatchOutcome:
    """Scores every valid text; an invalid one becomes an error with its index and does not
    stop the others. With a repository and metadata, each decision is also stored.

    Raises ModelUnavailable when no model is active.
    """
    model = models.active_model()
    thresholds = thresholds_source.current_thresholds()
    valid: list[int] = []
    errors: list[ItemError] = []
    for index, text in enumerate(texts):
        try:
            check_scorable(text)
        except InvalidText as error:
            errors.append(ItemError(index, error.code, str(error)))
        else:
            valid.append(index)
    predictions = model.score([texts[i] for i in valid]) if valid else []
    decided_at = now()
    results = [
        ScoredItem(index, to_decision(texts[index], prediction, thresholds, decided_at))
        for index, prediction in zip(valid, predictions, strict=True)
    ]
    if repository is not None and metadata is not None and results:
        stored = [
            StoredDecision(
                id=make_id(),
                text=texts[item.index],
                batch_index=item.index,
                metadata=metadata,
                decision=item.decision,
                created_at=decided_at,
            )
            for item in results
        ]
        repository.put_decisions(stored)
        results = [
            ScoredItem(item.index, item.decision, record.id)
            for item, record in zip(results, stored, strict=True)
        ]
    return BatchOutcome(model.version, thresholds.version, results, errors)
