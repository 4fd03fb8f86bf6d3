"""Revisions on the wire: an `ETag` on reads and writes, `If-Match` on changes."""

from __future__ import annotations

from typing import Annotated, TypeVar

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Header
from pydantic import BaseModel

Body = TypeVar("Body", bound=BaseModel)

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        pattern=r'^"[1-9][0-9]{0,17}"$',
        description=(
            "The ETag of the last read. Required: without it the change is refused (428); "
            "when the record changed since, it is refused too (412)."
        ),
    ),
]


def etag(revision: int) -> str:
    """The strong entity tag of a revision, e.g. ``"3"``."""
    return f'"{revision}"'


def expected_revision(if_match: str | None) -> int | None:
    """The revision an If-Match header names (validated by `IfMatch`), or None when absent."""
    return int(if_match.strip('"')) if if_match else None


def with_etag(body: Body, revision: int, status_code: int = 200) -> Response[Body]:
    """`body` as a JSON response with `revision` as its ETag."""
    return Response(
        status_code=status_code,
        content_type=content_types.APPLICATION_JSON,
        body=body,
        headers={"ETag": etag(revision)},
    )
