"""The local API Gateway: HTTP requests in, HTTP API payload-2.0 events to the handler, back out.

Each request becomes the event the real HTTP API would send (same routeKey, path
parameters, lower-cased headers, cookies, base64 for binary bodies), and the handler's
result is mapped back the way API Gateway maps it. Requests are served concurrently.

Before a handler runs, the gateway does what the HTTP API does with the template's
settings (infra/auth.py): answers CORS preflights, runs the JWT authorizer on routes that
name one (a request without a valid token never reaches the handler; the claims go into
`requestContext.authorizer`), and adds CORS headers for the allowed origin only. It also
serves the OAuth token endpoint the Cognito domain would (`POST /oauth2/token`), the built
portal and the portal's `/config.json`.
"""

from __future__ import annotations

import base64
import importlib
import json
import mimetypes
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

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
from infra.template import ACCOUNT_ID, REGION, LocalFunction, Route

Handler = Callable[[dict[str, Any], Any], Any]

API_ID = "local"
# API Gateway's own payload limit for HTTP APIs.
MAX_PAYLOAD_BYTES = 10 * 1024 * 1024
TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript")
TEXT_SUFFIXES = ("+json", "+xml", "x-www-form-urlencoded")


@dataclass
class LambdaContext:
    """The attributes of the Lambda context object that handlers and powertools read."""

    function_name: str
    memory_limit_in_mb: int
    timeout_seconds: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = "local"
    _deadline: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self._deadline = time.monotonic() + self.timeout_seconds

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def load_handler(function: LocalFunction, root: Path) -> Handler:
    """Imports the handler named in the template ("package.module.attribute").

    The function's CodeUri directory goes on sys.path first, as Lambda puts the package
    root there; for a CodeUri of the repository root that is already the case.
    """
    if function.code_uri:
        code_dir = str((root / function.code_uri).resolve())
        if code_dir not in sys.path:
            sys.path.insert(0, code_dir)
    module_name, _, attribute = function.handler.rpartition(".")
    handler: Handler = getattr(importlib.import_module(module_name), attribute)
    return handler


def _is_text(content_type: str) -> bool:
    content_type = content_type.split(";", 1)[0].strip().lower()
    return content_type.startswith(TEXT_TYPES) or content_type.endswith(TEXT_SUFFIXES)


@dataclass(frozen=True)
class Request:
    method: str
    target: str  # path and query, as sent
    headers: list[tuple[str, str]]
    body: bytes
    source_ip: str

    def header(self, name: str) -> str | None:
        """The first value of header `name` (lower case), in any case as sent."""
        return next((value for key, value in self.headers if key.lower() == name), None)


def build_event(
    request: Request, route: Route, path_parameters: Mapping[str, str]
) -> dict[str, Any]:
    """The API Gateway HTTP API payload-2.0 event for `request` on `route`."""
    split = urlsplit(request.target)
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers:
        key = name.lower()
        if key == "cookie":
            cookies.extend(part.strip() for part in value.split(";") if part.strip())
            continue
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    headers.setdefault("x-forwarded-for", request.source_ip)
    headers.setdefault("x-forwarded-proto", "http")
    query: dict[str, str] = {}
    for name, value in parse_qsl(split.query, keep_blank_values=True):
        query[name] = f"{query[name]},{value}" if name in query else value
    now = datetime.now(UTC)
    request_id = str(uuid.uuid4())
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": split.path,
        "rawQueryString": split.query,
        "headers": headers,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": API_ID,
            "domainName": headers.get("host", "localhost"),
            "domainPrefix": headers.get("host", "localhost").split(".", 1)[0],
            "http": {
                "method": request.method,
                "path": split.path,
                "protocol": "HTTP/1.1",
                "sourceIp": request.source_ip,
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": request_id,
            "routeKey": route.route_key,
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    parameters = {
        name: unquote(value) for name, value in path_parameters.items() if name != "__all"
    }
    if parameters:
        event["pathParameters"] = parameters
    if request.body:
        if _is_text(headers.get("content-type", "")):
            try:
                event["body"] = request.body.decode("utf-8")
            except UnicodeDecodeError:
                event["body"] = base64.b64encode(request.body).decode("ascii")
                event["isBase64Encoded"] = True
        else:
            event["body"] = base64.b64encode(request.body).decode("ascii")
            event["isBase64Encoded"] = True
    return event


@dataclass(frozen=True)
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def map_result(result: Any) -> Response:
    """Maps a handler's return value to HTTP the way the HTTP API does for payload 2.0."""
    if not isinstance(result, dict) or "statusCode" not in result:
        # A bare value is taken as a JSON body with status 200.
        return Response(200, [("content-type", "application/json")], json.dumps(result).encode())
    headers = [(str(k), str(v)) for k, v in (result.get("headers") or {}).items()]
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.extend((str(name), str(value)) for value in values)
    headers.extend(("set-cookie", str(cookie)) for cookie in result.get("cookies") or [])
    body = result.get("body") or ""
    raw = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode("utf-8")
    return Response(int(result["statusCode"]), headers, raw)


def error_response(status: HTTPStatus, code: str, message: str) -> Response:
    """A gateway-made error, in the API's one error body shape."""
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    return Response(status.value, [("content-type", "application/json")], body)


UNAUTHENTICATED_MESSAGE = "A valid bearer token is required"
FORBIDDEN_MESSAGE = "Not allowed"
TOKEN_PATH = "/oauth2/token"
CONFIG_PATH = "/config.json"
PORTAL_NOT_BUILT = (
    b"<!doctype html><html lang=en><meta charset=utf-8><title>carescore: portal not built"
    b"</title><h1>The portal is not built</h1><p>Run <code>make portal</code> (npm ci and the "
    b"build into web/dist), then reload. <code>make run</code> does it for you.</p></html>"
)


class Gateway:
    """Routes requests to handlers, or to the static portal files."""

    def __init__(
        self,
        routes: tuple[Route, ...],
        handlers: Mapping[str, Handler],
        functions: Mapping[str, LocalFunction],
        static_dir: Path | None,
        log: Callable[[str], None] | None = None,
        *,
        security: ApiSecurity | None = None,
        keys: KeySource | None = None,
        token_endpoint: Callable[[Request], Response] | None = None,
        access_log: bool = False,
        portal_config: Mapping[str, str] | None = None,
    ) -> None:
        self.routes = tuple(route for route in routes if route.function in handlers)
        self.handlers = handlers
        self.functions = functions
        self.static_dir = static_dir.resolve() if static_dir else None
        self._log = log
        self.security = security or ApiSecurity()
        self.keys = keys
        self.token_endpoint = token_endpoint
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
            response = error_response(
                HTTPStatus.UNAUTHORIZED, "unauthenticated", UNAUTHENTICATED_MESSAGE
            )
            response.headers.append(("www-authenticate", "Bearer"))
            return response
        except Forbidden:
            return error_response(HTTPStatus.FORBIDDEN, "forbidden", FORBIDDEN_MESSAGE)
        return authorizer_context(claims)

    def _dispatch(self, request: Request) -> Response:
        path = urlsplit(request.target).path
        if self.token_endpoint is not None and path == TOKEN_PATH:
            return self.token_endpoint(request)
        matched = self._route(request.method, path)
        if request.method in ("GET", "HEAD") and (matched is None or matched[0].catch_all):
            # The portal's files take precedence over a catch-all route, as on the CDN.
            portal = self._portal(path)
            if portal is not None:
                return portal
        if matched is None:
            return error_response(
                HTTPStatus.NOT_FOUND, "not_found", f"no route for {request.method} {path}"
            )
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
        function = self.functions[route.function]
        context = LambdaContext(function.logical_id, function.memory, function.timeout)
        try:
            result = self.handlers[route.function](event, context)
        except Exception:  # an unhandled error in Lambda surfaces as a bare 500 at the gateway
            if self._log:
                import traceback

                self._log(f"{route.function} raised:\n{traceback.format_exc()}")
            return error_response(
                HTTPStatus.INTERNAL_SERVER_ERROR, "internal_error", "Internal Server Error"
            )
        return map_result(result)


class _RequestHandler(BaseHTTPRequestHandler):
    server: GatewayServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle on, the client's delayed ACK
    # would add ~40 ms to every keep-alive response.
    disable_nagle_algorithm = True

    def _serve(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        if length > MAX_PAYLOAD_BYTES:
            response = error_response(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large", "Request too large"
            )
            self.close_connection = True
        else:
            body = self.rfile.read(length) if length else b""
            request = Request(
                method=self.command,
                target=self.path,
                headers=list(self.headers.items()),
                body=body,
                source_ip=self.client_address[0],
            )
            response = self.server.gateway.handle(request)
        self.send_response(response.status)
        for name, value in response.headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("content-length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.gateway.access_log:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")


class GatewayServer(ThreadingHTTPServer):
    """A threaded HTTP server in front of a Gateway; one thread per connection."""

    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog of 5 drops bursts of connections into 1 s SYN retries.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], gateway: Gateway) -> None:
        super().__init__(address, _RequestHandler)
        self.gateway = gateway

    def serve_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="gateway", daemon=True)
        thread.start()
        return thread
