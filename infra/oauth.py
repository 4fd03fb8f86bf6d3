"""The Cognito domain's OAuth 2.0 token endpoint, client-credentials grant only.

moto has no `/oauth2/token`; the local gateway serves it as the user pool's domain would:
HTTP Basic (or form) client id and secret, checked against the app client in the emulator;
requested scopes must be among the client's allowed scopes (none requested: all of them);
the access token is signed with the user pool's key (made fresh at start), so the JWT
authorizer verifies it against the JWKS the emulator serves. Errors are OAuth JSON
(RFC 6749 section 5.2).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, unquote

from infra.cognito import CLIENT_CREDENTIALS_TTL_SECONDS, client_credentials_claims
from infra.http_events import Request, Response

CLIENT_CREDENTIALS = "client_credentials"


@dataclass(frozen=True)
class ClientRecord:
    """What the endpoint needs to know of an app client."""

    client_id: str
    secret: str | None
    flows: tuple[str, ...]
    scopes: tuple[str, ...]
    oauth_enabled: bool


def _error(status: HTTPStatus, error: str) -> Response:
    headers = [("content-type", "application/json"), ("cache-control", "no-store")]
    if status == HTTPStatus.UNAUTHORIZED:
        headers.append(("www-authenticate", 'Basic realm="carescore"'))
    return Response(status.value, headers, json.dumps({"error": error}).encode())


def _credentials(request: Request, form: dict[str, str]) -> tuple[str, str] | None:
    authorization = request.header("authorization") or ""
    if authorization[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        client_id, separator, secret = decoded.partition(":")
        return (unquote(client_id), unquote(secret)) if separator else None
    if "client_id" in form and "client_secret" in form:
        return form["client_id"], form["client_secret"]
    return None


class TokenEndpoint:
    """`POST /oauth2/token` for one user pool. `lookup` reads an app client from the
    emulator (None when there is none); `sign` signs claims with the pool's key."""

    def __init__(
        self,
        issuer: str,
        lookup: Callable[[str], ClientRecord | None],
        sign: Callable[[dict[str, Any]], str],
    ) -> None:
        self.issuer = issuer
        self.lookup = lookup
        self.sign = sign

    def __call__(self, request: Request) -> Response:
        if request.method != "POST":
            return _error(HTTPStatus.METHOD_NOT_ALLOWED, "invalid_request")
        try:
            form = dict(parse_qsl(request.body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            return _error(HTTPStatus.BAD_REQUEST, "invalid_request")
        client = self._client(request, form)
        if isinstance(client, Response):
            return client
        requested = form.get("scope", "").split()
        if any(scope not in client.scopes for scope in requested):
            return _error(HTTPStatus.BAD_REQUEST, "invalid_scope")
        granted = requested or list(client.scopes)
        token = self.sign(client_credentials_claims(self.issuer, client.client_id, granted))
        body = {
            "access_token": token,
            "expires_in": CLIENT_CREDENTIALS_TTL_SECONDS,
            "token_type": "Bearer",
        }
        headers = [("content-type", "application/json"), ("cache-control", "no-store")]
        return Response(HTTPStatus.OK.value, headers, json.dumps(body).encode())

    def _client(self, request: Request, form: dict[str, str]) -> ClientRecord | Response:
        """The authenticated client allowed the client-credentials grant, or the error."""
        credentials = _credentials(request, form)
        if credentials is None:
            return _error(HTTPStatus.UNAUTHORIZED, "invalid_client")
        client = self.lookup(credentials[0])
        if (
            client is None
            or client.secret is None
            or not hmac.compare_digest(client.secret.encode(), credentials[1].encode())
        ):
            return _error(HTTPStatus.UNAUTHORIZED, "invalid_client")
        if form.get("grant_type") != CLIENT_CREDENTIALS:
            return _error(HTTPStatus.BAD_REQUEST, "unsupported_grant_type")
        if not client.oauth_enabled or CLIENT_CREDENTIALS not in client.flows:
            return _error(HTTPStatus.BAD_REQUEST, "unauthorized_client")
        return client


def emulator_lookup(cognito: Any, pool_id: str) -> Callable[[str], ClientRecord | None]:
    """Reads app clients through the cognito-idp API of the emulator (cached: the local
    stack does not change them)."""
    cache: dict[str, ClientRecord | None] = {}

    def lookup(client_id: str) -> ClientRecord | None:
        if client_id not in cache:
            try:
                found = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
            except Exception:  # not found; moto answers some unknown ids with other errors
                return None
            app = found["UserPoolClient"]
            cache[client_id] = ClientRecord(
                client_id=client_id,
                secret=app.get("ClientSecret"),
                flows=tuple(app.get("AllowedOAuthFlows") or ()),
                scopes=tuple(app.get("AllowedOAuthScopes") or ()),
                oauth_enabled=bool(app.get("AllowedOAuthFlowsUserPoolClient", False)),
            )
        return cache[client_id]

    return lookup
