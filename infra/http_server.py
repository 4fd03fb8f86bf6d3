"""The local stack's HTTP server: a threaded server in front of the Gateway."""

from __future__ import annotations

import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from infra.gateway import Gateway, error_response
from infra.http_events import Request

# API Gateway's own payload limit for HTTP APIs.
MAX_PAYLOAD_BYTES = 10 * 1024 * 1024


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
