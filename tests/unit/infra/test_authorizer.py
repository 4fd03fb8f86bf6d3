"""The local gateway's JWT authorizer and token endpoint, in process, with a locally made RSA
key standing in for the user pool's (no emulator, no network)."""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from infra.auth import (
    ApiSecurity,
    JwtAuthorizer,
    KeySource,
    RouteAuth,
    Unauthorized,
    authorizer_context,
    verify,
)
from infra.cognito import client_credentials_claims
from infra.gateway import Gateway
from infra.http_events import Request
from infra.oauth import ClientRecord, TokenEndpoint
from infra.template import LocalFunction, make_route
from infra.workers import Outcome

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_local"
PORTAL, MACHINE = "portal-client", "machine-client"
AUTHORIZER = JwtAuthorizer("Cognito", ISSUER, (PORTAL, MACHINE), "authorization")
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})
OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})


def _keys() -> KeySource:
    public = KEY.as_dict(private=False) | {"kid": "k1", "alg": "RS256", "use": "sig"}
    return KeySource(lambda issuer: {"keys": [public]})


def _claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "sub": "user-1",
        "client_id": PORTAL,
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "cognito:groups": ["agent"],
        "iat": now,
        "exp": now + 3600,
        "username": "demo-agent",
    }
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not None}


def _token(key: RSAKey = KEY, alg: str = "RS256", **changes: Any) -> str:
    return jwt.encode({"kid": "k1", "alg": alg}, _claims(**changes), key)


def test_valid_access_token_yields_its_claims() -> None:
    claims = verify(_token(), AUTHORIZER, _keys())
    assert claims["sub"] == "user-1"


def test_signature_by_another_key_is_rejected() -> None:
    with pytest.raises(Unauthorized):
        verify(_token(OTHER_KEY), AUTHORIZER, _keys())


def test_tampered_payload_is_rejected() -> None:
    header, _, signature = _token().split(".")
    forged = base64.urlsafe_b64encode(json.dumps(_claims(sub="admin")).encode()).rstrip(b"=")
    with pytest.raises(Unauthorized):
        verify(f"{header}.{forged.decode()}.{signature}", AUTHORIZER, _keys())


def test_unsigned_token_is_rejected() -> None:
    header = base64.urlsafe_b64encode(b'{"alg":"none","kid":"k1"}').rstrip(b"=").decode()
    body = base64.urlsafe_b64encode(json.dumps(_claims()).encode()).rstrip(b"=").decode()
    with pytest.raises(Unauthorized):
        verify(f"{header}.{body}.", AUTHORIZER, _keys())


@dataclass(frozen=True)
class FromNow:
    """A claim time relative to when the test runs, not to when the cases were collected."""

    seconds: int


@pytest.mark.parametrize(
    "changes",
    [
        {"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"},
        {"exp": FromNow(-1)},
        {"exp": None},
        {"nbf": FromNow(600)},
        {"iat": FromNow(600)},
        {"client_id": "someone-else"},
        {"token_use": "refresh"},
        {"token_use": "id", "client_id": None, "aud": "someone-else"},
        # An ID token is judged by `aud`, even when it also carries an accepted client_id.
        {"token_use": "id", "aud": "someone-else", "client_id": PORTAL},
    ],
    ids=[
        "wrong-issuer",
        "expired",
        "no-expiry",
        "not-yet-valid",
        "issued-in-the-future",
        "wrong-client-id",
        "refresh-token-use",
        "id-token-other-audience",
        "id-token-judged-by-aud",
    ],
)
def test_token_failing_a_check_is_rejected(changes: dict[str, Any]) -> None:
    now = int(time.time())
    claims = {k: now + v.seconds if isinstance(v, FromNow) else v for k, v in changes.items()}
    with pytest.raises(Unauthorized):
        verify(_token(**claims), AUTHORIZER, _keys())


def test_id_token_for_an_audience_client_is_accepted() -> None:
    claims = verify(_token(token_use="id", client_id=None, aud=PORTAL), AUTHORIZER, _keys())
    assert claims["aud"] == PORTAL


def test_claims_are_rendered_as_api_gateway_renders_them() -> None:
    context = authorizer_context(
        _claims(**{"cognito:groups": ["agent", "supervisor"], "exp": 1700000000})
    )
    claims = context["jwt"]["claims"]
    assert claims["cognito:groups"] == "[agent supervisor]"
    assert claims["exp"] == "1700000000"
    assert all(isinstance(value, str) for value in claims.values())
    assert context["jwt"]["scopes"] == ["aws.cognito.signin.user.admin"]
    assert authorizer_context({"sub": "x"})["jwt"]["scopes"] is None


class _Recorder:
    """Stands in for the function's workers: records each event, answers 200."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def __call__(self, function: str, event: dict[str, Any], timeout: float) -> Outcome:
        self.events.append(event)
        return Outcome(result={"statusCode": 200, "body": "{}"})


def _gateway(handler: _Recorder) -> Gateway:
    routes = (
        make_route("GET", "/v1/private", "Fn"),
        make_route("GET", "/v1/public", "Fn"),
        make_route("GET", "/v1/scoped", "Fn"),
    )
    security = ApiSecurity(
        routes={
            ("GET", "/v1/private"): RouteAuth(AUTHORIZER),
            ("GET", "/v1/public"): RouteAuth(None),
            ("GET", "/v1/scoped"): RouteAuth(AUTHORIZER, ("carescore/score",)),
        }
    )
    function = LocalFunction("Fn", "x.y", None, {}, 3, 128)
    return Gateway(routes, handler, {"Fn": function}, None, security=security, keys=_keys())


def _get(gateway: Gateway, path: str, token: str | None = None) -> Any:
    headers = [("Authorization", f"Bearer {token}")] if token else []
    return gateway.handle(Request("GET", path, headers, b"", "127.0.0.1"))


def test_missing_header_is_401_and_the_handler_is_not_called() -> None:
    handler = _Recorder()
    response = _get(_gateway(handler), "/v1/private")
    assert response.status == 401
    assert json.loads(response.body) == {"message": "Unauthorized"}
    assert handler.events == []


def test_every_rejection_reads_the_same() -> None:
    gateway = _gateway(_Recorder())
    bodies = {
        _get(gateway, "/v1/private", token).body
        for token in (None, "garbage", _token(OTHER_KEY), _token(exp=1), _token(iss="x"))
    }
    assert len(bodies) == 1


def test_valid_token_reaches_the_handler_with_claims_in_the_event() -> None:
    handler = _Recorder()
    assert _get(_gateway(handler), "/v1/private", _token()).status == 200
    jwt_context = handler.events[0]["requestContext"]["authorizer"]["jwt"]
    assert jwt_context["claims"]["cognito:groups"] == "[agent]"


def test_public_route_passes_without_a_token_and_ignores_a_bad_one() -> None:
    handler = _Recorder()
    gateway = _gateway(handler)
    assert _get(gateway, "/v1/public").status == 200
    assert _get(gateway, "/v1/public", "garbage").status == 200
    assert all("authorizer" not in event["requestContext"] for event in handler.events)


def test_route_scopes_need_one_of_them_in_the_token() -> None:
    handler = _Recorder()
    gateway = _gateway(handler)
    assert _get(gateway, "/v1/scoped", _token()).status == 403
    assert _get(gateway, "/v1/scoped", _token(scope="carescore/score x")).status == 200
    assert len(handler.events) == 1


def _endpoint() -> TokenEndpoint:
    records = {
        MACHINE: ClientRecord(
            MACHINE, "s3cret", ("client_credentials",), ("carescore/score", "carescore/x"), True
        ),
        PORTAL: ClientRecord(PORTAL, None, ("code",), ("openid",), True),
    }
    return TokenEndpoint(
        ISSUER, records.get, lambda claims: jwt.encode({"kid": "k1", "alg": "RS256"}, claims, KEY)
    )


def _ask(endpoint: TokenEndpoint, client: str, secret: str, form: str) -> tuple[int, Any]:
    basic = base64.b64encode(f"{client}:{secret}".encode()).decode()
    headers = [("Authorization", f"Basic {basic}")]
    response = endpoint(Request("POST", "/oauth2/token", headers, form.encode(), "127.0.0.1"))
    return response.status, json.loads(response.body)


def test_client_credentials_token_carries_the_granted_scopes_and_verifies() -> None:
    status, body = _ask(
        _endpoint(), MACHINE, "s3cret", "grant_type=client_credentials&scope=carescore%2Fscore"
    )
    assert status == 200
    claims = verify(body["access_token"], AUTHORIZER, _keys())
    assert claims["scope"] == "carescore/score"
    assert claims["sub"] == claims["client_id"] == MACHINE


@pytest.mark.parametrize(
    ("client", "secret", "form", "status", "error"),
    [
        (MACHINE, "wrong", "grant_type=client_credentials", 401, "invalid_client"),
        ("nobody", "s3cret", "grant_type=client_credentials", 401, "invalid_client"),
        (PORTAL, "", "grant_type=client_credentials", 401, "invalid_client"),
        (MACHINE, "s3cret", "grant_type=password", 400, "unsupported_grant_type"),
        (MACHINE, "s3cret", "grant_type=client_credentials&scope=admin", 400, "invalid_scope"),
    ],
)
def test_token_endpoint_refuses_in_oauth_terms(
    client: str, secret: str, form: str, status: int, error: str
) -> None:
    assert _ask(_endpoint(), client, secret, form) == (status, {"error": error})


def test_client_credentials_claims_follow_cognito() -> None:
    claims = client_credentials_claims(ISSUER, MACHINE, ["a", "b"], now=1000)
    assert claims["token_use"] == "access"
    assert claims["scope"] == "a b"
    assert claims["exp"] == 1000 + 3600
