"""Time and identifiers, injectable so tests can pin them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    """A random 32-hex-digit identifier."""
    return uuid.uuid4().hex


def sortable_id() -> str:
    """A 32-character identifier that sorts by creation time: the UTC time to the
    microsecond, then 12 random hex digits (so newest first is a reverse key order)."""
    return f"{utc_now():%Y%m%d%H%M%S%f}{uuid.uuid4().hex[:12]}"


def now_iso() -> str:
    """The current UTC time to the second, as stored in registry and config items."""
    return utc_now().isoformat(timespec="seconds")
