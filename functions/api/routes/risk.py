"""Accounts at risk: the rule (/v1/config/at-risk), the list, one account's timeline and
its follow-ups (/v1/accounts)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from functions.api import deps
from functions.api.auth import (
    CHANGE_AT_RISK_RULE,
    FOLLOW_UP_ACCOUNT,
    READ_ACCOUNT_TIMELINE,
    READ_TRENDS,
    Principal,
    allow,
    secured,
)
from functions.api.data.aggregates import AggregateReader
from functions.api.data.follow_ups import FollowUpStore
from functions.api.data.risk_rules import AtRiskRuleStore
from functions.api.data.task_store import TaskStore
from functions.api.etags import IfMatch, expected_revision, with_etag
from functions.api.http_errors import documented
from functions.api.logic import accounts as logic
from functions.api.schemas import (
    AccountAtRisk,
    AccountInPath,
    AccountsAtRisk,
    AccountTimeline,
    AtRiskRule,
    AtRiskRuleChange,
    CreateFollowUpRequest,
    FollowUp,
    Task,
    UpdateFollowUpRequest,
)
from functions.shared.risk import AtRiskRuleRecord, FollowUpChanges, NewFollowUp, RiskState

router = Router()  # type: ignore[no-untyped-call]
logger = Logger(child=True)

FollowUpId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(min_length=1, max_length=2048)]


def _rule_response(record: AtRiskRuleRecord) -> Response[AtRiskRule]:
    body = AtRiskRule(
        **record.rule.model_dump(),
        updated_at=record.updated_at,
        updated_by=record.updated_by,
        reason=record.reason,
    )
    return with_etag(body, record.rule.version)


def _at_risk(state: RiskState) -> AccountAtRisk:
    return AccountAtRisk.model_validate(
        {
            "account_id": state.account_id,
            "rule_fired": state.assessment.rule_fired,
            "rule_version": state.rule_version,
            "streak": state.assessment.streak,
            "window_negatives": state.assessment.window_negatives,
            "at_risk_since": state.at_risk_since,
            "requests": state.assessment.requests,
            "follow_up": state.follow_up,
        },
        from_attributes=True,
    )


@router.get(
    "/config/at-risk",
    summary="The rule that puts an account at risk",
    description="N consecutive negative requests, or K negatives within D days. The ETag "
    "header carries the version for If-Match.",
    tags=["accounts"],
    responses=documented(200, AtRiskRule, "The rule in force", 401, 403, 503),
    **secured(READ_TRENDS),
)
def handle_get_at_risk_rule(
    rules: Annotated[AtRiskRuleStore, Depends(deps.at_risk_rule_store)],
    _caller: Annotated[Principal, Depends(allow(READ_TRENDS))],
) -> Response[AtRiskRule]:
    return _rule_response(logic.current_at_risk_rule(rules))


@router.put(
    "/config/at-risk",
    summary="Change the at-risk rule",
    description="Puts a new version in force if If-Match names the current one (428 "
    "without it, 412 when another version is in force since); each account is judged by "
    "it as its next request or follow-up arrives. Every version is kept.",
    tags=["accounts"],
    responses=documented(
        200, AtRiskRule, "The new version", 400, 401, 403, 412, 413, 415, 422, 428, 503
    ),
    **secured(CHANGE_AT_RISK_RULE),
)
def handle_put_at_risk_rule(
    request: Annotated[AtRiskRuleChange, Body()],
    rules: Annotated[AtRiskRuleStore, Depends(deps.at_risk_rule_store)],
    caller: Annotated[Principal, Depends(allow(CHANGE_AT_RISK_RULE))],
    if_match: IfMatch = None,
) -> Response[AtRiskRule]:
    record = logic.change_at_risk_rule(
        request.streak_length,
        request.window_negatives,
        request.window_days,
        expected_version=expected_revision(if_match),
        by=caller.subject,
        reason=request.reason,
        repository=rules,
    )
    logger.info("at-risk rule changed", extra={"version": record.rule.version})
    return _rule_response(record)


@router.get(
    "/accounts/at-risk",
    summary="Accounts at risk, most severe first",
    description="Severity: streak length, then negatives in the window, then escalated "
    "requests, then the latest request's time. Each with the rule that fired, the requests "
    "behind it and its follow-up. An account leaves the list when its follow-up is "
    "resolved, and comes back when a new series starts.",
    tags=["accounts"],
    responses=documented(200, AccountsAtRisk, "One page of accounts", 400, 401, 403, 422, 503),
    **secured(READ_TRENDS),
)
def handle_list_accounts_at_risk(
    source: Annotated[AggregateReader, Depends(deps.aggregate_reader)],
    _caller: Annotated[Principal, Depends(allow(READ_TRENDS))],
    limit: Limit = 25,
    cursor: Cursor = None,
) -> AccountsAtRisk:
    page = logic.accounts_at_risk(limit, cursor, source)
    return AccountsAtRisk(
        items=[_at_risk(state) for state in page.items], next_cursor=page.next_cursor
    )


@router.get(
    "/accounts/<account_id>/timeline",
    summary="Every request of one account, with its risk and follow-ups",
    tags=["accounts"],
    responses=documented(200, AccountTimeline, "The account's timeline", 400, 401, 403, 422, 503),
    **secured(READ_ACCOUNT_TIMELINE),
)
def handle_get_account_timeline(  # noqa: PLR0917  # powertools passes parameters by name
    account_id: Annotated[AccountInPath, Path()],
    tasks: Annotated[TaskStore, Depends(deps.task_store)],
    follow_ups: Annotated[FollowUpStore, Depends(deps.follow_up_store)],
    aggregates: Annotated[AggregateReader, Depends(deps.aggregate_reader)],
    caller: Annotated[Principal, Depends(allow(READ_ACCOUNT_TIMELINE))],
    limit: Limit = 50,
    cursor: Cursor = None,
) -> AccountTimeline:
    timeline = logic.account_timeline(
        account_id,
        limit,
        cursor,
        reader=caller.key,
        tasks=tasks,
        follow_ups=follow_ups,
        aggregates=aggregates,
    )
    risk = timeline.risk
    return AccountTimeline(
        account_id=account_id,
        risk=_at_risk(risk) if risk is not None and risk.listed else None,
        follow_ups=[FollowUp.model_validate(item) for item in timeline.follow_ups],
        tasks=[Task.model_validate(task) for task in timeline.tasks.items],
        next_cursor=timeline.tasks.next_cursor,
    )


@router.post(
    "/accounts/<account_id>/follow-ups",
    summary="Follow up an account",
    tags=["accounts"],
    responses=documented(201, FollowUp, "The open follow-up", 400, 401, 403, 413, 415, 422, 503),
    **secured(FOLLOW_UP_ACCOUNT),
)
def handle_create_follow_up(
    account_id: Annotated[AccountInPath, Path()],
    request: Annotated[CreateFollowUpRequest, Body()],
    store: Annotated[FollowUpStore, Depends(deps.follow_up_store)],
    caller: Annotated[Principal, Depends(allow(FOLLOW_UP_ACCOUNT))],
) -> Response[FollowUp]:
    follow_up = logic.create_follow_up(
        account_id,
        NewFollowUp.model_validate(request.model_dump()),
        by=caller.subject,
        repository=store,
    )
    logger.info("follow-up opened", extra={"follow_up_id": follow_up.id})
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=FollowUp.model_validate(follow_up),
        headers={"Location": f"/v1/accounts/{account_id}/follow-ups/{follow_up.id}"},
    )


@router.patch(
    "/accounts/<account_id>/follow-ups/<follow_up_id>",
    summary="Move a follow-up on, or change its owner, due date or note",
    description="open -> contacted -> resolved (or open -> resolved); each change is kept "
    "in its history. Resolving it takes the account off the at-risk list.",
    tags=["accounts"],
    responses=documented(
        200, FollowUp, "The follow-up", 400, 401, 403, 404, 409, 413, 415, 422, 503
    ),
    **secured(FOLLOW_UP_ACCOUNT),
)
def handle_update_follow_up(
    account_id: Annotated[AccountInPath, Path()],
    follow_up_id: FollowUpId,
    request: Annotated[UpdateFollowUpRequest, Body()],
    store: Annotated[FollowUpStore, Depends(deps.follow_up_store)],
    caller: Annotated[Principal, Depends(allow(FOLLOW_UP_ACCOUNT))],
) -> FollowUp:
    follow_up = logic.update_follow_up(
        account_id,
        follow_up_id,
        FollowUpChanges.model_validate(request.model_dump(exclude_unset=True)),
        by=caller.subject,
        repository=store,
    )
    logger.info("follow-up updated", extra={"follow_up_id": follow_up_id, "state": follow_up.state})
    return FollowUp.model_validate(follow_up)
