"""Who may call what: every route of the committed OpenAPI spec against every kind of caller,
through the local stack's gateway (JWT authorizer) and the handlers (role, scope, ownership).

The cases are generated from `openapi.json`: a route in the spec with no row in EXPECTED
fails, so a new route cannot ship without a rule. Each request is a valid one, so only
the caller decides between 2xx, 401, 403 and 404.

Callers: anonymous; the demo customer and a second customer; agent; supervisor; the machine
client with the scope the route needs and with only `carescore/trends.read`; and three
broken tokens. The bundled-key token carries a valid agent token's claims, signed with the
private key that ships inside the moto package (anyone with pip has it; the local stack
signs with a key of its own). The other-audience token comes from an app client created
here, outside the authorizer's audience. The tampered token is a valid agent token with a
changed signature. The authorizer refuses all of them in API Gateway's own body; the
handlers' refusals use the API's error body.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.e2e.conftest import LocalStack

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SPEC = json.loads((ROOT / "openapi.json").read_text(encoding="utf-8"))
SPEC_ROUTES = sorted(
    (method.upper(), path)
    for path, operations in SPEC["paths"].items()
    for method in operations
    if method in ("get", "post", "put", "patch", "delete")
)

PRINCIPALS = (
    "anonymous",
    "customer",
    "other_customer",
    "agent",
    "supervisor",
    "machine_scoped",
    "machine_unscoped",
    "bundled_key",
    "other_audience",
    "tampered",
)
GATEWAY_REFUSED = ("anonymous", "bundled_key", "other_audience", "tampered")
UNSCOPED = "carescore/trends.read"
OK = "2xx"
TEXT = "My bag never arrived and the desk keeps sending me away. Terrible."


@dataclass(frozen=True)
class Rule:
    """Expected outcome per caller; the broken tokens get 401 unless the route is public."""

    expect: dict[str, int | str]
    scope: str | None = None  # what the machine client needs
    public: bool = False
    body: Callable[[Fixtures], Any] | None = None
    path: Callable[[Fixtures, str], str] = field(default=lambda fx, path: path)
    # For changes behind If-Match: where to read the current ETag (as a supervisor).
    etag_from: Callable[[Fixtures], str] | None = None

    def outcome(self, principal: str) -> int | str:
        if self.public:
            return OK
        if principal in GATEWAY_REFUSED:
            return 401
        return self.expect[principal]


@dataclass
class Fixtures:
    customer_sub: str
    customer_task: str
    follow_up: str = ""
    dataset_id: str = ""
    model_version: str = ""


def _everyone(customer: int | str, other: int | str, staff: int | str = OK) -> dict[str, Any]:
    return {
        "customer": customer,
        "other_customer": other,
        "agent": staff,
        "supervisor": staff,
        "machine_scoped": OK,
        "machine_unscoped": 403,
    }


def _supervisor_only() -> dict[str, Any]:
    """People other than supervisors, and every machine client (no scope allows it): 403."""
    return {
        "customer": 403,
        "other_customer": 403,
        "agent": 403,
        "supervisor": OK,
        "machine_scoped": 403,
        "machine_unscoped": 403,
    }


def _task_path(fx: Fixtures) -> str:
    return f"/v1/tasks/{fx.customer_task}"


def _supervisors(ok_for_trends_readers: bool = False) -> dict[str, Any]:
    """Only supervisors, and machine clients with the route's scope; the unscoped client
    holds trends.read, so it passes where that is the scope."""
    return {
        "customer": 403,
        "other_customer": 403,
        "agent": 403,
        "supervisor": OK,
        "machine_scoped": OK,
        "machine_unscoped": OK if ok_for_trends_readers else 403,
    }


FOLLOW_UP = {"mechanism": "call", "owner": "sam", "due_date": "2015-03-01"}
PERIOD = "?from=2015-02-16&to=2015-02-24"


def _task_body(fx: Fixtures) -> dict[str, str]:
    return {
        "text": TEXT,
        "account_id": fx.customer_sub,
        "category": "Lost Luggage",
        "channel": "web",
    }


def _supervisors_only(supervisor: int | str = OK, **request: Any) -> Rule:
    """A retraining route: supervisors only, with the supervisor's expected status."""
    return Rule(_supervisor_only() | {"supervisor": supervisor}, **request)


EXPECTED: dict[tuple[str, str], Rule] = {
    ("GET", "/v1/health"): Rule({}, public=True),
    ("POST", "/v1/sentiment"): Rule(
        _everyone(403, 403), scope="carescore/score", body=lambda fx: {"texts": [TEXT]}
    ),
    ("POST", "/v1/tasks"): Rule(_everyone(OK, 403), scope="carescore/tasks.write", body=_task_body),
    ("GET", "/v1/tasks"): Rule(
        _everyone(OK, 403),
        scope="carescore/tasks.read",
        path=lambda fx, path: f"{path}?account_id={fx.customer_sub}",
    ),
    ("GET", "/v1/tasks/{task_id}"): Rule(
        _everyone(OK, 404),
        scope="carescore/tasks.read",
        path=lambda fx, path: path.replace("{task_id}", fx.customer_task),
    ),
    ("PATCH", "/v1/tasks/{task_id}"): Rule(
        _everyone(403, 403),
        scope="carescore/tasks.write",
        body=lambda fx: {"reply_note": "Looking into it now."},
        path=lambda fx, path: path.replace("{task_id}", fx.customer_task),
        etag_from=_task_path,
    ),
    ("POST", "/v1/tasks/{task_id}/review"): Rule(
        _supervisor_only(),
        body=lambda fx: {"label": "negative", "note": "checked"},
        path=lambda fx, path: path.replace("{task_id}", fx.customer_task),
        etag_from=_task_path,
    ),
    ("GET", "/v1/tasks/{task_id}/reviews"): Rule(
        _everyone(403, 403),
        scope="carescore/tasks.read",
        path=lambda fx, path: path.replace("{task_id}", fx.customer_task),
    ),
    ("GET", "/v1/reviews/queue"): Rule(_supervisor_only()),
    ("GET", "/v1/reviews/stats"): Rule(_supervisor_only()),
    ("GET", "/v1/config/support-levels"): Rule(_supervisor_only()),
    ("PUT", "/v1/config/support-levels"): Rule(
        _supervisor_only(),
        body=lambda fx: {
            "escalate_negative_min": 0.85,
            "priority_negative_min": 0.5,
            "reason": "role matrix",
        },
        etag_from=lambda fx: "/v1/config/support-levels",
    ),
    ("POST", "/v1/config/support-levels/preview"): Rule(
        _supervisor_only(),
        body=lambda fx: {
            "escalate_negative_min": 0.9,
            "priority_negative_min": 0.6,
            "created_from": "2000-01-01T00:00:00Z",
            "created_to": "2100-01-01T00:00:00Z",
        },
    ),
    ("GET", "/v1/model"): Rule(_everyone(403, 403), scope="carescore/score"),
    # Retraining is the supervisors' alone; no scope lets a machine client in. Where the
    # stack holds nothing to act on (no finished run, no second version), the supervisor's
    # valid request ends in the domain's answer, 404 or 409, past every access check.
    ("POST", "/v1/datasets"): _supervisors_only(
        body=lambda fx: {
            "name": "march",
            "files": [{"role": "train", "filename": "train.csv", "size_bytes": 2048}],
        }
    ),
    ("GET", "/v1/datasets"): _supervisors_only(),
    ("GET", "/v1/datasets/{dataset_id}"): _supervisors_only(
        path=lambda fx, path: path.replace("{dataset_id}", fx.dataset_id)
    ),
    ("POST", "/v1/datasets/from-reviews"): _supervisors_only(
        409, body=lambda fx: {"name": "corrections"}
    ),
    ("GET", "/v1/training-runs"): _supervisors_only(
        path=lambda fx, path: f"{path}?dataset_id={fx.dataset_id}"
    ),
    ("GET", "/v1/training-runs/{run_id}"): _supervisors_only(
        404, path=lambda fx, path: path.replace("{run_id}", fx.dataset_id)
    ),
    ("GET", "/v1/models"): _supervisors_only(),
    ("GET", "/v1/models/compare"): _supervisors_only(
        409, path=lambda fx, path: f"{path}?a={fx.model_version}&b={fx.model_version}"
    ),
    ("GET", "/v1/models/{version}"): _supervisors_only(
        path=lambda fx, path: path.replace("{version}", fx.model_version)
    ),
    ("POST", "/v1/models/{version}/promote"): _supervisors_only(
        409,
        body=lambda fx: {"reason": "it is active already"},
        path=lambda fx, path: path.replace("{version}", fx.model_version),
    ),
    ("POST", "/v1/models/rollback"): _supervisors_only(
        409, body=lambda fx: {"reason": "nothing came before it"}
    ),
    ("POST", "/v1/tasks/import"): Rule(
        _supervisors(),
        scope="carescore/tasks.write",
        body=lambda fx: {
            "items": [
                {
                    "external_id": "role-matrix-1",
                    "created_at": "2015-02-17T10:00:00Z",
                    "text": TEXT,
                    "account_id": "role-matrix",
                    "category": "Lost Luggage",
                    "channel": "twitter",
                }
            ]
        },
    ),
    ("GET", "/v1/trends/categories"): Rule(
        _supervisors(True), scope=UNSCOPED, path=lambda fx, path: path + PERIOD
    ),
    ("GET", "/v1/trends/summary"): Rule(
        _supervisors(True), scope=UNSCOPED, path=lambda fx, path: path + PERIOD
    ),
    ("GET", "/v1/config/at-risk"): Rule(_supervisors(True), scope=UNSCOPED),
    ("PUT", "/v1/config/at-risk"): Rule(
        _supervisor_only(),
        body=lambda fx: {
            "streak_length": 3,
            "window_negatives": 3,
            "window_days": 14,
            "reason": "role matrix",
        },
        etag_from=lambda fx: "/v1/config/at-risk",
    ),
    ("GET", "/v1/accounts/at-risk"): Rule(_supervisors(True), scope=UNSCOPED),
    ("GET", "/v1/accounts/{account_id}/timeline"): Rule(
        _supervisors(),
        scope="carescore/tasks.read",
        path=lambda fx, path: path.replace("{account_id}", fx.customer_sub),
    ),
    ("POST", "/v1/accounts/{account_id}/follow-ups"): Rule(
        _supervisor_only(),
        body=lambda fx: FOLLOW_UP,
        path=lambda fx, path: path.replace("{account_id}", fx.customer_sub),
    ),
    ("PATCH", "/v1/accounts/{account_id}/follow-ups/{follow_up_id}"): Rule(
        _supervisor_only(),
        body=lambda fx: {"note": "called, no answer"},
        path=lambda fx, path: path.replace("{account_id}", fx.customer_sub).replace(
            "{follow_up_id}", fx.follow_up
        ),
    ),
}


def _claims(token: str) -> dict[str, Any]:
    """A token's claims, read without checking the signature."""
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return claims


def _bundled_key(stack: LocalStack) -> str:
    from joserfc import jwt
    from joserfc.jwk import RSAKey
    from moto.utilities.utils import load_resource

    key = RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))
    return jwt.encode({"kid": "dummy", "alg": "RS256"}, _claims(stack.token("agent")), key)


def _other_audience(stack: LocalStack) -> str:
    from infra.stack import emulator_client
    from infra.state import user_token

    state = stack.state
    cognito = emulator_client("cognito-idp", state.moto_endpoint, state.region)
    created = cognito.create_user_pool_client(
        UserPoolId=state.user_pool_id,
        ClientName=f"not-in-the-audience-{uuid.uuid4().hex[:6]}",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
    )
    return user_token(state, "agent", client_id=created["UserPoolClient"]["ClientId"])


def _tampered(stack: LocalStack) -> str:
    header, payload, signature = stack.token("agent").split(".")
    middle = len(signature) // 2
    flipped = "A" if signature[middle] != "A" else "B"
    return f"{header}.{payload}.{signature[:middle]}{flipped}{signature[middle + 1 :]}"


@pytest.fixture(scope="module")
def fixtures(local_stack: LocalStack) -> Fixtures:
    sub = local_stack.state.user("customer").sub
    created = local_stack.call(
        "POST",
        "/v1/tasks",
        body=_task_body(Fixtures(sub, "")),
        token=local_stack.token("customer"),
    )
    assert created.status == 201, created.body
    supervisor = local_stack.token("supervisor")
    follow_up = local_stack.call(
        "POST", f"/v1/accounts/{sub}/follow-ups", body=FOLLOW_UP, token=supervisor
    )
    assert follow_up.status == 201, follow_up.body
    dataset = local_stack.call(
        "POST",
        "/v1/datasets",
        body={"name": "e2e", "files": [{"role": "train", "filename": "t.csv", "size_bytes": 9}]},
        token=supervisor,
    )
    assert dataset.status == 201, dataset.body
    model = local_stack.call("GET", "/v1/model", token=supervisor)
    assert model.status == 200, model.body
    return Fixtures(
        customer_sub=sub,
        customer_task=created.json()["id"],
        dataset_id=dataset.json()["dataset_id"],
        model_version=model.json()["version"],
        follow_up=follow_up.json()["id"],
    )


@pytest.fixture(scope="module")
def broken_tokens(local_stack: LocalStack) -> dict[str, str]:
    return {
        "bundled_key": _bundled_key(local_stack),
        "other_audience": _other_audience(local_stack),
        "tampered": _tampered(local_stack),
    }


def _token(stack: LocalStack, principal: str, rule: Rule, broken: dict[str, str]) -> str | None:
    if principal == "anonymous":
        return None
    if principal in broken:
        return broken[principal]
    if principal == "other_customer":
        return stack.token("customer-2")
    if principal == "machine_scoped":
        return stack.machine_token(*([rule.scope] if rule.scope else []))
    if principal == "machine_unscoped":
        return stack.machine_token(UNSCOPED)
    return stack.token(principal)


def test_every_route_in_the_spec_has_a_rule() -> None:
    missing = [route for route in SPEC_ROUTES if route not in EXPECTED]
    assert not missing, f"routes without a role rule: {missing}"


def test_each_broken_token_breaks_one_check_only(
    local_stack: LocalStack, broken_tokens: dict[str, str]
) -> None:
    from joserfc import jwt
    from joserfc.errors import BadSignatureError
    from joserfc.jwk import KeySet

    from infra.local import emulator_jwks

    state = local_stack.state
    keys = KeySet.import_key_set(emulator_jwks(state.moto_endpoint, state.issuer))
    # The bundled-key token is a valid agent token in all but its key.
    assert _claims(broken_tokens["bundled_key"]) == _claims(local_stack.token("agent"))
    with pytest.raises(BadSignatureError):
        jwt.decode(broken_tokens["bundled_key"], keys)
    other = jwt.decode(broken_tokens["other_audience"], keys).claims
    assert other["iss"] == state.issuer
    assert other["exp"] > time.time()
    assert other["client_id"] not in (state.portal_client_id, state.machine_client_id)
    with pytest.raises(BadSignatureError):
        jwt.decode(broken_tokens["tampered"], keys)
    assert broken_tokens["tampered"].split(".")[1] == local_stack.token("agent").split(".")[1]


@pytest.mark.parametrize("principal", PRINCIPALS)
@pytest.mark.parametrize("route", SPEC_ROUTES, ids=[f"{m} {p}" for m, p in SPEC_ROUTES])
def test_route_answers_each_caller_as_the_rules_say(
    local_stack: LocalStack,
    fixtures: Fixtures,
    broken_tokens: dict[str, str],
    route: tuple[str, str],
    principal: str,
) -> None:
    method, path = route
    rule = EXPECTED.get((method, path))
    if rule is None:
        pytest.fail(f"{method} {path} is in openapi.json but has no rule in EXPECTED")
    # GIVEN a valid request from this caller
    token = _token(local_stack, principal, rule, broken_tokens)
    body = rule.body(fixtures) if rule.body else None
    headers = None
    if rule.etag_from:
        read = local_stack.call(
            "GET", rule.etag_from(fixtures), token=local_stack.token("supervisor")
        )
        headers = {"If-Match": read.headers["ETag"]}
    # WHEN it is sent
    reply = local_stack.call(
        method, rule.path(fixtures, path), body=body, headers=headers, token=token
    )
    # THEN the status is exactly the rule's, and refusals use the one error body
    expected = rule.outcome(principal)
    if expected == OK:
        assert 200 <= reply.status < 300, (principal, reply.status, reply.body[:300])
        return
    assert reply.status == expected, (principal, reply.body[:300])
    if principal in GATEWAY_REFUSED:
        # Refused by the JWT authorizer, in API Gateway's own body, as in AWS.
        assert reply.json() == {"message": "Unauthorized"}
        return
    error = reply.json()["error"]
    if reply.status == 404 and "{task_id}" in path:
        # Someone else's task reads exactly like one that does not exist.
        unknown = local_stack.call(method, path.replace("{task_id}", uuid.uuid4().hex), token=token)
        assert unknown.json()["error"]["code"] == error["code"]
    elif reply.status in (401, 403):
        assert error["code"] == {401: "unauthenticated", 403: "forbidden"}[reply.status]
