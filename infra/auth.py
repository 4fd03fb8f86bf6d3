"""What API Gateway does before a handler runs: the JWT authorizer and CORS, read from the
transformed template's HTTP API definition (the OpenAPI body SAM generates, which is what
API Gateway itself reads).

JWT checks, as the HTTP API authorizer makes them: a token in the identity source (with or
without `Bearer `), RS256 signed by a key of the issuer's JWKS (found by `kid`), `iss`
equal to the configured issuer, `aud` (else `client_id`) in the configured audience,
`exp` in the future, `nbf` and `iat` not in the future, and, when the route names
authorization scopes, one of them in the token's `scope`. Cognito tokens also carry
`token_use`; only `access` and `id` tokens are accepted, each with its own audience claim.
Any failure is a 401 that does not say which check failed.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from infra.intrinsics import Known, resolve

ANY_METHOD = "x-amazon-apigateway-any-method"
LEEWAY_SECONDS = 0
JWKS_REFRESH_SECONDS = 60.0

Claims = dict[str, Any]


class Unauthorized(Exception):
    """The request carries no acceptable token. The message is for logs only."""


class Forbidden(Exception):
    """The token is valid but lacks every authorization scope the route names."""


@dataclass(frozen=True)
class JwtAuthorizer:
    name: str
    issuer: str
    audience: tuple[str, ...]
    header: str  # lower-case header name of the identity source


@dataclass(frozen=True)
class RouteAuth:
    authorizer: JwtAuthorizer | None
    scopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cors:
    allow_origins: tuple[str, ...]
    allow_methods: tuple[str, ...] = ()
    allow_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age: int | None = None
    allow_credentials: bool = False

    def allows_origin(self, origin: str) -> bool:
        return "*" in self.allow_origins or origin in self.allow_origins

    def origin_header(self, origin: str) -> str:
        return "*" if "*" in self.allow_origins and not self.allow_credentials else origin


@dataclass(frozen=True)
class ApiSecurity:
    """Per route (method, path) the authorizer and scopes it requires; CORS for the API."""

    routes: dict[tuple[str, str], RouteAuth] = field(default_factory=dict)
    cors: Cors | None = None

    def for_route(self, method: str, path: str) -> RouteAuth:
        return self.routes.get((method, path)) or RouteAuth(None)


def _authorizers(body: Mapping[str, Any], known: Known) -> dict[str, JwtAuthorizer]:
    found: dict[str, JwtAuthorizer] = {}
    schemes = (body.get("components") or {}).get("securitySchemes") or {}
    for name, scheme in schemes.items():
        config = scheme.get("x-amazon-apigateway-authorizer") or {}
        if config.get("type") != "jwt":
            continue  # Lambda and IAM authorizers are not played locally
        jwt_config = resolve(config.get("jwtConfiguration") or {}, known)
        source = str(config.get("identitySource", "$request.header.Authorization"))
        audience = jwt_config.get("audience") or []
        found[name] = JwtAuthorizer(
            name=name,
            issuer=str(jwt_config.get("issuer", "")),
            audience=tuple(str(item) for item in audience),
            header=source.rsplit(".", 1)[-1].lower(),
        )
    return found


def _cors(body: Mapping[str, Any], known: Known) -> Cors | None:
    config = body.get("x-amazon-apigateway-cors")
    if not config:
        return None
    config = resolve(config, known)

    def names(key: str) -> tuple[str, ...]:
        return tuple(str(item) for item in config.get(key) or ())

    max_age = config.get("maxAge")
    return Cors(
        allow_origins=names("allowOrigins"),
        allow_methods=tuple(item.upper() for item in names("allowMethods")),
        allow_headers=tuple(item.lower() for item in names("allowHeaders")),
        expose_headers=names("exposeHeaders"),
        max_age=int(max_age) if max_age is not None else None,
        allow_credentials=bool(config.get("allowCredentials", False)),
    )


def api_security(template: Mapping[str, Any], known: Known) -> ApiSecurity:
    """The authorizer, scopes and CORS of every route of every HTTP API in the transformed
    `template`; references (issuer, audience, origins) resolved through `known`."""
    routes: dict[tuple[str, str], RouteAuth] = {}
    cors: Cors | None = None
    for resource in template.get("Resources", {}).values():
        if resource.get("Type") != "AWS::ApiGatewayV2::Api":
            continue
        body = (resource.get("Properties") or {}).get("Body") or {}
        authorizers = _authorizers(body, known)
        cors = cors or _cors(body, known)
        default = body.get("security")
        for path, operations in (body.get("paths") or {}).items():
            for method, operation in operations.items():
                if not isinstance(operation, dict):
                    continue
                requirements = operation.get("security", default) or []
                auth = RouteAuth(None)
                for requirement in requirements:
                    for name, scopes in requirement.items():
                        if name in authorizers:
                            auth = RouteAuth(authorizers[name], tuple(scopes or ()))
                key = "ANY" if method == ANY_METHOD else method.upper()
                routes[(key, path)] = auth
    return ApiSecurity(routes, cors)


class KeySource:
    """The issuer's JWKS, fetched on first use and again when a token names an unknown key
    (at most once a minute), as API Gateway caches it."""

    def __init__(self, fetch: Callable[[str], dict[str, Any]]) -> None:
        self._fetch = fetch
        self._cache: dict[str, tuple[Any, float]] = {}
        self._lock = threading.Lock()

    def key_set(self, issuer: str, kid: str | None) -> Any:
        from joserfc.jwk import KeySet

        with self._lock:
            cached = self._cache.get(issuer)
            stale = cached is None or (
                kid is not None
                and not any(key.kid == kid for key in cached[0].keys)
                and time.monotonic() - cached[1] > JWKS_REFRESH_SECONDS
            )
            if stale:
                cached = (KeySet.import_key_set(self._fetch(issuer)), time.monotonic())  # type: ignore[arg-type]
                self._cache[issuer] = cached
            assert cached is not None
            return cached[0]


def bearer_token(headers: Mapping[str, str], authorizer: JwtAuthorizer) -> str:
    value = headers.get(authorizer.header, "").strip()
    if value[:7].lower() == "bearer ":
        value = value[7:].strip()
    if not value:
        raise Unauthorized("no token")
    return value


def _header(token: str) -> dict[str, Any]:
    try:
        encoded = token.split(".", 1)[0]
        header = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    except (ValueError, UnicodeDecodeError) as error:
        raise Unauthorized("malformed token") from error
    if not isinstance(header, dict):
        raise Unauthorized("malformed token")
    return header


def verify(
    token: str, authorizer: JwtAuthorizer, keys: KeySource, now: float | None = None
) -> Claims:
    """The token's claims when it passes every check of the JWT authorizer; raises
    Unauthorized (with the failing check, for logs) otherwise."""
    from joserfc import jwt
    from joserfc.errors import JoseError

    kid = _header(token).get("kid")
    try:
        key_set = keys.key_set(authorizer.issuer, kid)
        decoded = jwt.decode(token, key_set, algorithms=["RS256"])
    except (JoseError, OSError, ValueError, TypeError, KeyError) as error:
        raise Unauthorized(f"signature: {type(error).__name__}") from error
    claims: Claims = dict(decoded.claims)
    check_claims(claims, authorizer, time.time() if now is None else now)
    return claims


def check_claims(claims: Mapping[str, Any], authorizer: JwtAuthorizer, now: float) -> None:
    """Issuer, audience / client id, token use and time checks on verified claims."""
    if claims.get("iss") != authorizer.issuer:
        raise Unauthorized("issuer")
    token_use = claims.get("token_use")
    if token_use not in (None, "access", "id"):
        raise Unauthorized("token_use")
    audience = claims.get("aud")
    if token_use == "id" or (token_use is None and audience is not None):
        presented = audience if isinstance(audience, list) else [audience]
    else:
        presented = [claims.get("client_id")]
    if not any(item in authorizer.audience for item in presented):
        raise Unauthorized("audience")
    expires = claims.get("exp")
    if not isinstance(expires, int | float) or expires <= now - LEEWAY_SECONDS:
        raise Unauthorized("expired")
    for name in ("nbf", "iat"):
        value = claims.get(name)
        if value is not None and (
            not isinstance(value, int | float) or value > now + LEEWAY_SECONDS
        ):
            raise Unauthorized(f"{name} in the future")


def token_scopes(claims: Mapping[str, Any]) -> list[str] | None:
    scope = claims.get("scope")
    return str(scope).split() if scope else None


def check_scopes(claims: Mapping[str, Any], route: RouteAuth) -> None:
    if route.scopes and not set(route.scopes) & set(token_scopes(claims) or ()):
        raise Forbidden("scope")


def render_claim(value: Any) -> str:
    """A claim value as API Gateway puts it in the event: strings throughout, arrays as
    `[a b]`, numbers and booleans as their JSON text."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "[" + " ".join(render_claim(item) for item in value) + "]"
    return json.dumps(value, separators=(",", ":"))


def authorizer_context(claims: Mapping[str, Any]) -> dict[str, Any]:
    """`requestContext.authorizer` of a payload-2.0 event for a request with these claims."""
    return {
        "jwt": {
            "claims": {name: render_claim(value) for name, value in claims.items()},
            "scopes": token_scopes(claims),
        }
    }
