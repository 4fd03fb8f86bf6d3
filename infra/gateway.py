"""The local API Gateway: routes each request to its function, or to the static portal files.

Before a handler runs, the gateway does what the HTTP API does with the template's
settings (infra/auth.py): answers CORS preflights, runs the JWT authorizer on routes that
name one (a request without a valid token never reaches the handler; the claims go into
`requestContext.authorizer`), and adds CORS headers for the allowed origin only. It also
serves the OAuth token endpoint the Cognito domain would (`POST /oauth2/token`), the built
portal and the portal's `/config.json`, and, to callers on this machine only,
`POST /_local/schedules/<Function>.<Event>`, which fires a schedule of the template now.

Functions run in their workers (infra/workers.py), not in the gateway's process.
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Callable, Mapping
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from infra.auth import (
    ApiSecurity,
    Forbidden,
    KeySource,
    Unauthorized,
    authorizer_context,
    bearer_token,
    check_scopes,
    verify,
)
from infra.http_events import (
    INTEGRATION_TIMEOUT_SECONDS,
    Request,
    Response,
    build_event,
    integration_response,
)
from infra.template import LocalFunction, Route
from infra.workers import Outcome

# How the gateway invokes a function: (function name, event, timeout in seconds).
Invoke = Callable[[str, dict[str, Any], float], Outcome]


def error_response(status: HTTPStatus, code: str, message: str) -> Response:
    """An error in the API's one error body shape, for what the function would answer."""
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    return Response(status.value, [("content-type", "application/json")], body)


def gateway_response(status: HTTPStatus) -> Response:
    """A refusal API Gateway makes itself, in its own body shape (`{"message": ...}`), not
    the function's: no route for the method and path, or a token the JWT authorizer
    refuses. A client must expect both shapes, as it will in AWS."""
    body = json.dumps({"message": GATEWAY_MESSAGES[status]}).encode()
    return Response(status.value, [("content-type", "application/json")], body)


# The messages of API Gateway HTTP API's own refusals.
GATEWAY_MESSAGES = {
    HTTPStatus.BAD_REQUEST: "Bad Request",
    HTTPStatus.UNAUTHORIZED: "Unauthorized",
    HTTPStatus.FORBIDDEN: "Forbidden",
    HTTPStatus.NOT_FOUND: "Not Found",
    HTTPStatus.LENGTH_REQUIRED: "Length Required",
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE: "Request Entity Too Large",
}
TOKEN_PATH = "/oauth2/token"
CONFIG_PATH = "/config.json"
PORTAL_NOT_BUILT = (
    b"<!doctype html><html lang=en><meta charset=utf-8><title>carescore: portal not built"
    b"</title><h1>The portal is not built</h1><p>Run <code>make portal</code> (npm ci and the "
    b"build into web/dist), then reload. <code>make run</code> does it for you.</p></html>"
)
SCHEDULES_PATH = "/_local/schedules/"
LOOPBACK = ("127.0.0.1", "::1")


class Gateway:
    """Routes requests to functions, or to the static portal files."""

    def __init__(
        self,
        routes: tuple[Route, ...],
        invoke: Invoke,
        functions: Mapping[str, LocalFunction],
        static_dir: Path | None,
        log: Callable[[str], None] | None = None,
        *,
        security: ApiSecurity | None = None,
        keys: KeySource | None = None,
        token_endpoint: Callable[[Request], Response] | None = None,
        fire_schedule: Callable[[str], Outcome] | None = None,
        access_log: bool = False,
        portal_config: Mapping[str, str] | None = None,
    ) -> None:
        self.routes = tuple(route for route in routes if route.function in functions)
        self.invoke = invoke
        self.functions = functions
        self.static_dir = static_dir.resolve() if static_dir else None
        self._log = log
        self.security = security or ApiSecurity()
        self.keys = keys
        self.token_endpoint = token_endpoint
        self.fire_schedule = fire_schedule
        # One line per request on stderr, and the failing check of each refused token.
        self.access_log = access_log
        # Served as /config.json from memory: the built files stay the same for every stage.
        self.portal_config = dict(portal_config) if portal_config is not None else None

    def handle(self, request: Request) -> Response:
        origin = request.header("origin")
        cors = self.security.cors
        if cors is not None and request.method == "OPTIONS" and origin is not None:
            requested = request.header("access-control-request-method")
            if requested is not None:
                return self._preflight(origin, requested, request)
        response = self._dispatch(request)
        if cors is None:
            return response
        # API Gateway replaces whatever CORS headers the integration returned.
        headers = [h for h in response.headers if not h[0].lower().startswith("access-control-")]
        if origin is not None and cors.allows_origin(origin):
            headers.append(("access-control-allow-origin", cors.origin_header(origin)))
            if cors.allow_credentials:
                headers.append(("access-control-allow-credentials", "true"))
            if cors.expose_headers:
                headers.append(("access-control-expose-headers", ",".join(cors.expose_headers)))
            headers.append(("vary", "origin"))
        return Response(response.status, headers, response.body)

    def _preflight(self, origin: str, method: str, request: Request) -> Response:
        """API Gateway answers preflights itself when CORS is configured: 204, with the CORS
        headers only for an allowed origin, method and set of headers."""
        cors = self.security.cors
        assert cors is not None
        asked = request.header("access-control-request-headers") or ""
        asked_headers = {name.strip().lower() for name in asked.split(",") if name.strip()}
        allowed = (
            cors.allows_origin(origin)
            and ("*" in cors.allow_methods or method.upper() in cors.allow_methods)
            and ("*" in cors.allow_headers or asked_headers <= set(cors.allow_headers))
        )
        headers: list[tuple[str, str]] = []
        if allowed:
            headers = [
                ("access-control-allow-origin", cors.origin_header(origin)),
                ("access-control-allow-methods", ",".join(cors.allow_methods)),
                ("vary", "origin"),
            ]
            if asked_headers:
                shown = sorted(asked_headers) if "*" in cors.allow_headers else cors.allow_headers
                headers.append(("access-control-allow-headers", ",".join(shown)))
            if cors.max_age is not None:
                headers.append(("access-control-max-age", str(cors.max_age)))
            if cors.allow_credentials:
                headers.append(("access-control-allow-credentials", "true"))
        return Response(HTTPStatus.NO_CONTENT.value, headers, b"")

    def _authorize(self, route: Route, request: Request) -> dict[str, Any] | Response | None:
        """The event's `authorizer` context, None for a public route, or the 401/403."""
        route_auth = self.security.for_route(route.method, route.path)
        if route_auth.authorizer is None:
            return None
        headers = {name.lower(): value for name, value in request.headers}
        try:
            if self.keys is None:
                raise Unauthorized("no key source")
            claims = verify(
                bearer_token(headers, route_auth.authorizer), route_auth.authorizer, self.keys
            )
            check_scopes(claims, route_auth)
        except Unauthorized as error:
            if self._log and self.access_log:
                self._log(f"401 {route.route_key}: {error}")
            response = gateway_response(HTTPStatus.UNAUTHORIZED)
            response.headers.append(("www-authenticate", "Bearer"))
            return response
        except Forbidden:
            return gateway_response(HTTPStatus.FORBIDDEN)
        return authorizer_context(claims)

    def _dispatch(self, request: Request) -> Response:
        path = urlsplit(request.target).path
        if self.token_endpoint is not None and path == TOKEN_PATH:
            return self.token_endpoint(request)
        if path.startswith(SCHEDULES_PATH) and request.method == "POST":
            return self._fire(unquote(path[len(SCHEDULES_PATH) :]), request)
        matched = self._route(request.method, path)
        if request.method in ("GET", "HEAD") and (matched is None or matched[0].catch_all):
            # The portal's files take precedence over a catch-all route, as on the CDN.
            portal = self._portal(path)
            if portal is not None:
                return portal
        if matched is None:
            return gateway_response(HTTPStatus.NOT_FOUND)
        route, parameters = matched
        authorized = self._authorize(route, request)
        if isinstance(authorized, Response):
            return authorized
        event = build_event(request, route, parameters)
        if authorized is not None:
            event["requestContext"]["authorizer"] = authorized
        return self._invoke(route, event)

    def _route(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:  # most specific first
            parameters = route.match(method, path)
            if parameters is not None:
                return route, parameters
        return None

    def _portal(self, path: str) -> Response | None:
        """The portal's config, one of its built files, or why there are none to serve."""
        if path == CONFIG_PATH and self.portal_config is not None:
            body = json.dumps(self.portal_config).encode()
            return Response(200, [("content-type", "application/json")], body)
        static = self._static_file(path)
        if static is not None:
            content_type = mimetypes.guess_type(static.name)[0] or "application/octet-stream"
            return Response(200, [("content-type", content_type)], static.read_bytes())
        if self.static_dir is not None and path in ("/", "/index.html") and not self.portal_built:
            return Response(503, [("content-type", "text/html")], PORTAL_NOT_BUILT)
        return None

    @property
    def portal_built(self) -> bool:
        return self.static_dir is not None and (self.static_dir / "index.html").is_file()

    def _static_file(self, path: str) -> Path | None:
        if self.static_dir is None:
            return None
        relative = unquote(path).lstrip("/") or "index.html"
        candidate = (self.static_dir / relative).resolve()
        if candidate.is_dir():
            candidate = candidate / "index.html"
        if not candidate.is_relative_to(self.static_dir) or not candidate.is_file():
            return None
        return candidate

    def _invoke(self, route: Route, event: dict[str, Any]) -> Response:
        """Invokes the route's function in its worker, waiting no longer than the HTTP API
        would; the function's own log says why an invocation failed."""
        timeout = self.functions[route.function].timeout
        outcome = self.invoke(route.function, event, min(timeout, INTEGRATION_TIMEOUT_SECONDS))
        return integration_response(outcome, timeout)

    def _fire(self, key: str, request: Request) -> Response:
        """Fires the schedule `Function.Event` now, for callers on this machine."""
        if self.fire_schedule is None or request.source_ip not in LOOPBACK:
            return error_response(HTTPStatus.NOT_FOUND, "not_found", "no such schedule")
        try:
            outcome = self.fire_schedule(key)
        except KeyError:
            return error_response(HTTPStatus.NOT_FOUND, "not_found", f"no schedule {key}")
        body = {"schedule": key} | (
            {"error": outcome.error} if outcome.error else {"result": outcome.result}
        )
        return Response(200, [("content-type", "application/json")], json.dumps(body).encode())
