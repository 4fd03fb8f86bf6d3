"""HTTP requests as API Gateway HTTP API payload-2.0 events, and handler results back as
HTTP responses, the way the real HTTP API maps them.

Each request becomes the event the real HTTP API would send (same routeKey, path
parameters, lower-cased headers, cookies, base64 for binary bodies).
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from infra.template import ACCOUNT_ID, Route
from infra.workers import Outcome

API_ID = "local"
TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript")
TEXT_SUFFIXES = ("+json", "+xml", "x-www-form-urlencoded")


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


# The HTTP API gives a Lambda integration at most this long, whatever the function's timeout.
INTEGRATION_TIMEOUT_SECONDS = 30.0


def _gateway_message(status: HTTPStatus) -> Response:
    body = json.dumps({"message": status.phrase}).encode()
    return Response(status.value, [("content-type", "application/json")], body)


def integration_response(outcome: Outcome, function_timeout: float) -> Response:
    """What the HTTP API answers for an invocation's outcome: the result mapped to HTTP; for
    a function error (a timeout included) its own 500 `{"message":"Internal Server Error"}`;
    and 503 `{"message":"Service Unavailable"}` when the function was still running at the
    integration's 30 s limit."""
    if not outcome.failed:
        return map_result(outcome.result)
    if outcome.timed_out and function_timeout > INTEGRATION_TIMEOUT_SECONDS:
        return _gateway_message(HTTPStatus.SERVICE_UNAVAILABLE)
    return _gateway_message(HTTPStatus.INTERNAL_SERVER_ERROR)
