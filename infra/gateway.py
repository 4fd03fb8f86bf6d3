"""The local API Gateway: HTTP requests in, HTTP API payload-2.0 events to the handler, back out.

Each request becomes the event the real HTTP API would send (same routeKey, path
parameters, lower-cased headers, cookies, base64 for binary bodies), and the handler's
result is mapped back the way API Gateway maps it. Requests are served concurrently.
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

from infra.template import ACCOUNT_ID, LocalFunction, Route

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
        return f"arn:aws:lambda:us-east-1:{ACCOUNT_ID}:function:{self.function_name}"

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


class Gateway:
    """Routes requests to handlers, or to the static portal files."""

    def __init__(
        self,
        routes: tuple[Route, ...],
        handlers: Mapping[str, Handler],
        functions: Mapping[str, LocalFunction],
        static_dir: Path | None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.routes = tuple(route for route in routes if route.function in handlers)
        self.handlers = handlers
        self.functions = functions
        self.static_dir = static_dir.resolve() if static_dir else None
        self._log = log

    def handle(self, request: Request) -> Response:
        path = urlsplit(request.target).path
        matched = self._route(request.method, path)
        if request.method in ("GET", "HEAD") and (matched is None or matched[0].catch_all):
            # The portal's files take precedence over a catch-all route, as on the CDN.
            static = self._static_file(path)
            if static is not None:
                content_type = mimetypes.guess_type(static.name)[0] or "application/octet-stream"
                return Response(200, [("content-type", content_type)], static.read_bytes())
        if matched is None:
            return error_response(
                HTTPStatus.NOT_FOUND, "not_found", f"no route for {request.method} {path}"
            )
        route, parameters = matched
        return self._invoke(route, build_event(request, route, parameters))

    def _route(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:  # most specific first
            parameters = route.match(method, path)
            if parameters is not None:
                return route, parameters
        return None

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
        if self.server.access_log:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")


class GatewayServer(ThreadingHTTPServer):
    """A threaded HTTP server in front of a Gateway; one thread per connection."""

    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog of 5 drops bursts of connections into 1 s SYN retries.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], gateway: Gateway, access_log: bool) -> None:
        super().__init__(address, _RequestHandler)
        self.gateway = gateway
        self.access_log = access_log

    def serve_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="gateway", daemon=True)
        thread.start()
        return thread
