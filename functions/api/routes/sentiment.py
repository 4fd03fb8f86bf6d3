"""POST /v1/sentiment: score a batch of texts, optionally recording each decision."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.metrics import MetricUnit

from functions.api import deps
from functions.api.auth import SCORE_TEXTS, Principal, allow, secured
from functions.api.data.serving import ModelRegistry, ThresholdConfig
from functions.api.data.task_store import TaskStore
from functions.api.http_errors import documented
from functions.api.logic.scoring import score_batch
from functions.api.schemas import ItemError, SentimentRequest, SentimentResponse, SentimentResult
from functions.shared.models import Decision, DecisionMetadata

router = Router()  # type: ignore[no-untyped-call]
logger = Logger(child=True)
metrics = Metrics()

# A result repeats the decision's fields it declares (not the input hash or decision time).
DECISION_FIELDS_IN_RESULT = set(SentimentResult.model_fields) & set(Decision.model_fields)


@router.post(
    "/sentiment",
    summary="Score 1 to 100 texts",
    description=(
        "Per text: label, probabilities, confidence, top terms, support level and model "
        "version. A bad text is reported in `errors` with its index; the others are scored. "
        "With `store: true` each scored text is recorded as a decision."
    ),
    tags=["sentiment"],
    responses=documented(
        200, SentimentResponse, "Results and per-item errors", 400, 401, 403, 413, 415, 422, 503
    ),
    **secured(SCORE_TEXTS),
)
def handle_score_texts(
    request: Annotated[SentimentRequest, Body()],
    _caller: Annotated[Principal, Depends(allow(SCORE_TEXTS))],
    models: Annotated[ModelRegistry, Depends(deps.model_registry)],
    thresholds: Annotated[ThresholdConfig, Depends(deps.threshold_config)],
    store: Annotated[TaskStore, Depends(deps.task_store)],
) -> SentimentResponse:
    outcome = score_batch(
        request.texts,
        models=models,
        thresholds_source=thresholds,
        repository=store if request.store else None,
        metadata=(
            DecisionMetadata.model_validate(request.metadata.model_dump())
            if request.metadata
            else None
        ),
    )
    metrics.add_metric(name="TextsScored", unit=MetricUnit.Count, value=len(outcome.results))
    metrics.add_metric(name="TextsRefused", unit=MetricUnit.Count, value=len(outcome.errors))
    logger.info(
        "scored batch",
        extra={
            "texts": len(request.texts),
            "refused": len(outcome.errors),
            "stored": request.store,
            "model_version": outcome.model_version,
        },
    )
    return SentimentResponse(
        model_version=outcome.model_version,
        thresholds_version=outcome.thresholds_version,
        results=[
            SentimentResult(
                index=item.index,
                decision_id=item.decision_id,
                **item.decision.model_dump(include=DECISION_FIELDS_IN_RESULT),
            )
            for item in outcome.results
        ],
        errors=[ItemError(index=e.index, code=e.code, message=e.message) for e in outcome.errors],
    )
