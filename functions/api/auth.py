"""Who is calling, and what each route lets them do: the one place for authorization rules.

API Gateway's JWT authorizer has already checked the token's signature, issuer, audience
and expiry; it passes the claims on in the payload-2.0 event under
``requestContext.authorizer.jwt``. The handler trusts nothing else (no header is read) and
checks role and scope again (design decision 6). Ownership, what a customer may see of
other accounts, is a domain rule in `functions.api.logic.tasks`; this module only says
which account a caller is confined to.

A route declares its rule with a dependency that yields the caller:

    caller: Annotated[Principal, Depends(allow(UPDATE_TASK))]
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler.request import Request

from functions.shared.errors import Forbidden, Unauthenticated

logger = Logger(child=True)

# Deliberately vague: a caller learns neither which claim failed nor what would pass.
UNAUTHENTICATED_MESSAGE = "sign in to use this API"
FORBIDDEN_MESSAGE = "you are not allowed to do this"


class Role(StrEnum):
    """A person's role: the Cognito group of the same name."""

    CUSTOMER = "customer"
    AGENT = "agent"
    SUPERVISOR = "supervisor"


class Scope(StrEnum):
    """What a machine client (client-credentials token) may do."""

    SCORE = "carescore/score"
    TASKS_READ = "carescore/tasks.read"
    TASKS_WRITE = "carescore/tasks.write"
    TRENDS_READ = "carescore/trends.read"


STAFF = frozenset({Role.AGENT, Role.SUPERVISOR})


@dataclass(frozen=True)
class Principal:
    """The verified caller: a signed-in person (roles from groups) or a machine client
    (scopes). `subject` is the token's `sub`: a person's id, which is also a customer's
    account id, or a machine client's id."""

    subject: str
    client_id: str | None
    is_user: bool
    roles: frozenset[Role] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF)

    @property
    def confined_to_account(self) -> str | None:
        """The one account a customer may act on (their own); None for staff and machines,
        who work across accounts."""
        if self.is_user and not self.is_staff:
            return self.subject
        return None

    @property
    def key(self) -> str:
        """A stable, caller-unique prefix, e.g. to keep callers' idempotency keys apart."""
        return f"{'user' if self.is_user else 'client'}:{self.subject}"


@dataclass(frozen=True)
class Rule:
    """Who may call a route: people in any of `roles`, machine clients holding `scope`."""

    roles: frozenset[Role]
    scope: Scope | None = None

    def permits(self, principal: Principal) -> bool:
        if principal.is_user:
            return bool(principal.roles & self.roles)
        return self.scope is not None and self.scope.value in principal.scopes


# The rules, one per kind of action. Customers are confined to their own account by the
# task logic; the rule only lets them in.
SCORE_TEXTS = Rule(STAFF, Scope.SCORE)
READ_MODEL = Rule(STAFF, Scope.SCORE)
CREATE_TASK = Rule(frozenset(Role), Scope.TASKS_WRITE)
READ_TASKS = Rule(frozenset(Role), Scope.TASKS_READ)
UPDATE_TASK = Rule(STAFF, Scope.TASKS_WRITE)
# Retraining is the supervisors' alone: datasets, runs and the model registry.
UPLOAD_DATASET = Rule(frozenset({Role.SUPERVISOR}))
REVIEW_DECISIONS = Rule(frozenset({Role.SUPERVISOR}))
READ_REVIEWS = Rule(STAFF, Scope.TASKS_READ)
SET_SUPPORT_LEVELS = Rule(frozenset({Role.SUPERVISOR}))
READ_DATASETS = Rule(frozenset({Role.SUPERVISOR}))
READ_TRAINING_RUNS = Rule(frozenset({Role.SUPERVISOR}))
READ_REGISTRY = Rule(frozenset({Role.SUPERVISOR}))
MOVE_ACTIVE_MODEL = Rule(frozenset({Role.SUPERVISOR}))
# Trends and account risk; a timeline shows the account's tasks, so it takes tasks.read.
IMPORT_TASKS = Rule(frozenset({Role.SUPERVISOR}), Scope.TASKS_WRITE)
READ_TRENDS = Rule(frozenset({Role.SUPERVISOR}), Scope.TRENDS_READ)
READ_ACCOUNT_TIMELINE = Rule(frozenset({Role.SUPERVISOR}), Scope.TASKS_READ)
CHANGE_AT_RISK_RULE = Rule(frozenset({Role.SUPERVISOR}))
FOLLOW_UP_ACCOUNT = Rule(frozenset({Role.SUPERVISOR}))

_LIST_SEPARATORS = re.compile(r"[\s,]+")


def _as_list(value: Any) -> list[str]:
    """A claim that should be a list of strings, in any form a gateway renders it: a JSON
    array, API Gateway's ``"[agent supervisor]"``, or a space/comma-separated string."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(item) for item in value if item is not None]
    if not isinstance(value, str):
        return []
    text = value.strip()
    if text.startswith("[") and text.endswith("]"):
        try:
            parsed = json.loads(text)
        except ValueError:
            text = text[1:-1]
        else:
            if isinstance(parsed, list):
                return [str(item) for item in parsed if item is not None]
    return [part.strip("\"'") for part in _LIST_SEPARATORS.split(text) if part.strip("\"'")]


def _jwt_context(event: Mapping[str, Any]) -> Mapping[str, Any]:
    context = event.get("requestContext")
    authorizer = context.get("authorizer") if isinstance(context, Mapping) else None
    jwt = authorizer.get("jwt") if isinstance(authorizer, Mapping) else None
    return jwt if isinstance(jwt, Mapping) else {}


def principal_from_event(event: Mapping[str, Any]) -> Principal | None:
    """The caller named by the authorizer's claims in a payload-2.0 event, or None when the
    event carries no usable identity (no claims, no `sub`, or a `token_use` other than
    `access`)."""
    jwt = _jwt_context(event)
    claims = jwt.get("claims")
    if not isinstance(claims, Mapping):
        return None
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        return None
    if claims.get("token_use") != "access":
        # An ID token passes the authorizer's audience check but carries no scopes and is
        # not meant for APIs; a token that does not say what it is, is not trusted as one.
        return None
    groups = _as_list(claims.get("cognito:groups"))
    client_id = claims.get("client_id")
    is_user = bool(claims.get("username") or claims.get("cognito:username") or groups)
    known_roles = {role.value for role in Role}
    return Principal(
        subject=subject,
        client_id=client_id if isinstance(client_id, str) else None,
        is_user=is_user,
        roles=frozenset(Role(group) for group in groups if group in known_roles),
        scopes=frozenset(_as_list(jwt.get("scopes")) + _as_list(claims.get("scope"))),
    )


def authorize(rule: Rule, event: Mapping[str, Any]) -> Principal:
    """The caller, if `rule` lets them in. Raises Unauthenticated (no identity) and
    Forbidden (wrong role or missing scope)."""
    principal = principal_from_event(event)
    if principal is None:
        raise Unauthenticated(UNAUTHENTICATED_MESSAGE)
    if not rule.permits(principal):
        logger.info(
            "caller not allowed",
            extra={"caller_is_user": principal.is_user, "caller_roles": sorted(principal.roles)},
        )
        raise Forbidden(FORBIDDEN_MESSAGE)
    return principal


def allow(rule: Rule) -> Callable[[Request], Principal]:
    """A route dependency that yields the caller once `rule` lets them in."""

    def caller(request: Request) -> Principal:
        return authorize(rule, request.resolved_event.raw_event)

    return caller


# The spec's name for the bearer token the JWT authorizer checks.
SECURITY_SCHEME = "cognito"


def secured(rule: Rule) -> dict[str, Any]:
    """Route decorator arguments that document `rule` in the spec: the bearer-token
    security requirement and who may call (`x-carescore-access`)."""
    return {
        "security": [{SECURITY_SCHEME: []}],
        "openapi_extensions": {
            "x-carescore-access": {
                "roles": [role.value for role in Role if role in rule.roles],
                "scopes": [rule.scope.value] if rule.scope else [],
            }
        },
    }
