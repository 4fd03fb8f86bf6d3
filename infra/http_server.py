"""The local stack's HTTP server: a threaded server in front of the Gateway."""

from __future__ import annotations

import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from infra.gateway import Gateway, gateway_response
from infra.http_events import Request

# API Gateway's own payload limit for HTTP APIs.
MAX_PAYLOAD_BYTES = 10 * 1024 * 1024


# Methods whose requests carry a body, and so must say how long it is.
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class FramingError(Exception):
    """A request whose body cannot be delimited safely; carries the refusal's status."""

    def __init__(self, status: HTTPStatus) -> None:
        super().__init__(status.phrase)
        self.status = status


def body_length(method: str, headers: list[tuple[str, str]]) -> int:
    """How many body bytes follow the headers. Raises FramingError: 411 for a chunked body
    (not supported: every client here can send a length) or a body method without a
    length, 400 for a length that is not one non-negative decimal number, 413 over
    MAX_PAYLOAD_BYTES (before a byte of the body is read)."""
    if any(name.lower() == "transfer-encoding" for name, _ in headers):
        raise FramingError(HTTPStatus.LENGTH_REQUIRED)
    lengths = {value.strip() for name, value in headers if name.lower() == "content-length"}
    if not lengths:
        if method in BODY_METHODS:
            raise FramingError(HTTPStatus.LENGTH_REQUIRED)
        return 0
    if len(lengths) > 1:
        raise FramingError(HTTPStatus.BAD_REQUEST)
    (text,) = lengths
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        raise FramingError(HTTPStatus.BAD_REQUEST)
    length = int(text)
    if length > MAX_PAYLOAD_BYTES:
        raise FramingError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
    return length


class _RequestHandler(BaseHTTPRequestHandler):
    server: GatewayServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle on, the client's delayed ACK
    # would add ~40 ms to every keep-alive response.
    disable_nagle_algorithm = True

    def _serve(self) -> None:
        headers = list(self.headers.items())
        try:
            length = body_length(self.command, headers)
        except FramingError as error:
            # The body, if any, is left unread: the connection cannot be reused.
            response = gateway_response(error.status)
            self.close_connection = True
        else:
            body = self.rfile.read(length) if length else b""
            request = Request(
                method=self.command,
                target=self.path,
                headers=headers,
                body=body,
                source_ip=self.client_address[0],
            )
            response = self.server.gateway.handle(request)
        self.send_response(response.status)
        for name, value in response.headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("content-length", str(len(response.body)))
        if self.close_connection:
            self.send_header("connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def __getattr__(self, name: str) -> Any:
        # Every method reaches the gateway, which answers an unknown one as API Gateway
        # does (404), instead of the server's own 501.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

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
