"""What every request body must be before a route sees it: within the size limit, JSON
(`application/json`, UTF-8) and nested no deeper than MAX_JSON_DEPTH.

Checked on the raw event, before powertools parses anything, so no body can reach a parser
that would fail in a way the API does not describe (a recursion limit, a decode error).
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from functions.api.schemas import MAX_BODY_BYTES
from functions.shared.errors import MalformedBody, PayloadTooLarge, UnsupportedMediaType

# Far deeper than any body of this API (3 levels), far shallower than any parser's limit.
MAX_JSON_DEPTH = 32
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_JSON_MEDIA_TYPE = "application/json"


def _header(event: dict[str, Any], name: str) -> str | None:
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == name:
            return str(value)
    return None


def _raw_body(event: dict[str, Any]) -> bytes:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise MalformedBody("the request body is not valid base64") from None
    # API Gateway hands text bodies over as text; they were UTF-8 on the wire.
    return str(body).encode("utf-8", errors="surrogatepass")


def _is_json(content_type: str | None) -> bool:
    if content_type is None:
        return False
    media_type, *parameters = (part.strip().lower() for part in content_type.split(";"))
    charsets = [p.partition("=")[2].strip('"') for p in parameters if p.startswith("charset=")]
    return media_type == _JSON_MEDIA_TYPE and all(c in ("utf-8", "utf8") for c in charsets)


def json_depth_exceeds(text: str, limit: int) -> bool:
    """Whether the JSON text `text` nests arrays and objects deeper than `limit` (strings,
    and the brackets inside them, are skipped; the text need not be valid JSON)."""
    depth = 0
    for bracket in _NOT_BRACKETS.sub("", _STRINGS.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > limit:
            return True
    return False


def check_body(event: dict[str, Any]) -> None:
    """Raises PayloadTooLarge, UnsupportedMediaType (a body that is not declared as JSON)
    or MalformedBody (not base64 when flagged so, not UTF-8, nested too deep). A request
    without a body passes: the route decides whether it needed one."""
    raw = _raw_body(event)
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"the request body is over the {MAX_BODY_BYTES}-byte limit")
    if not raw:
        return
    if not _is_json(_header(event, "content-type")):
        raise UnsupportedMediaType("send the body as application/json (UTF-8)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedBody("the request body is not UTF-8") from None
    if json_depth_exceeds(text, MAX_JSON_DEPTH):
        raise MalformedBody(f"the request body nests deeper than {MAX_JSON_DEPTH} levels")
