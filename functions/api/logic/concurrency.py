"""Optimistic concurrency: a change that could overwrite someone else's names the revision
it was made against (design decision 12)."""

from __future__ import annotations

from functions.shared.errors import ConcurrentUpdate, PreconditionRequired


def check_expected_revision(current: int, expected: int | None, what: str) -> None:
    """Raises PreconditionRequired when `expected` is missing and ConcurrentUpdate when it
    is not `current`: `what` changed since the caller read it."""
    if expected is None:
        raise PreconditionRequired(f"send If-Match with the ETag of the {what} you last read")
    if expected != current:
        raise ConcurrentUpdate(
            f"the {what} changed since it was read; read it again and retry with its ETag"
        )
