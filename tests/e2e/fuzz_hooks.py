"""schemathesis hooks for the contract fuzz (loaded through SCHEMATHESIS_HOOKS).

Some rules of the API are not expressible in OpenAPI, so a request valid by the schema
alone could still be refused, correctly. These hooks keep generated requests that the
schema calls valid valid in those respects too, and leave invalid ones invalid:
- `cursor` is opaque: only the API issues cursors (signed for the caller and filter), so a
  generated one is dropped;
- `created_from` must not be after `created_to`: the two are put in order;
- a trend's `from` must not be after its `to`, and the range spans at most
  MAX_RANGE_DAYS: the two are put in order and `from` moved up to fit;
- an Idempotency-Key names one request: a generated key gets a unique suffix, so two
  different generated bodies never share one by chance;
- only a customer may leave out a new task's account_id (it is then their own): for any
  other caller (CARESCORE_FUZZ_ROLE) a body without one, or with null, gets one;
- the priority threshold must not exceed the escalate threshold: the two are put in order,
  in a change and in a preview, whose period is put in order too;
- a dataset declares one train file and at most one test file: generated file lists get
  those roles;
- when several identities take turns (CARESCORE_FUZZ_OWN_ACCOUNT=1, the stateful run), a
  task is created and listed without a valid `account_id`, so a customer's calls stay within their
  own account (naming another is refused, 403, and tested in the single-role runs) and the
  customers keep the task routes whose objects must stay private to each of them;
- an HTTP header has no null: a header generated as JSON null (the schema's optional
  `If-Match`) is left out, which the API answers with 428.
The refusals themselves are tested in tests/integration/api/test_hostile_input.py.
"""

from __future__ import annotations

import os
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import schemathesis

from functions.api.logic.trends import MAX_RANGE_DAYS

MAX_CURSOR = 2048
IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
ACCOUNT_ID = re.compile(r"^[A-Za-z0-9_.@:+-]{1,128}$")


def _valid_account(value: Any) -> bool:
    """Whether `value` is an account id the schema accepts (an invalid one stays, to be
    refused)."""
    return isinstance(value, str) and ACCOUNT_ID.fullmatch(value) is not None


def _when(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    # The API reads a time without a zone as UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _in_order(query: dict[str, Any]) -> None:
    low, high = _when(query.get("created_from")), _when(query.get("created_to"))
    if low is not None and high is not None and low > high:
        query["created_from"], query["created_to"] = query["created_to"], query["created_from"]


def _trend_range(query: dict[str, Any]) -> None:
    try:
        first, last = date.fromisoformat(query["from"]), date.fromisoformat(query["to"])
    except (KeyError, TypeError, ValueError):
        return  # a missing or malformed date stays as generated
    first, last = min(first, last), max(first, last)
    if (last - date.min).days >= MAX_RANGE_DAYS:
        first = max(first, last - timedelta(days=MAX_RANGE_DAYS - 1))
    query["from"], query["to"] = first.isoformat(), last.isoformat()


def _thresholds_in_order(body: dict[str, Any]) -> None:
    escalate, priority = body.get("escalate_negative_min"), body.get("priority_negative_min")
    numbers = (int, float)
    if (
        isinstance(escalate, numbers)
        and isinstance(priority, numbers)
        and not isinstance(escalate, bool)
        and not isinstance(priority, bool)
        and priority > escalate
    ):
        body["escalate_negative_min"], body["priority_negative_min"] = priority, escalate


def _one_train_file(body: dict[str, Any]) -> None:
    files = body.get("files")
    if isinstance(files, list) and 1 <= len(files) <= 2 and all(isinstance(f, dict) for f in files):
        for file, role in zip(files, ("train", "test"), strict=False):
            if file.get("role") in ("train", "test"):  # a missing or bad role stays invalid
                file["role"] = role


def _map_query(case: Any, query: dict[str, Any]) -> None:
    cursor = query.get("cursor")
    if isinstance(cursor, str) and 1 <= len(cursor) <= MAX_CURSOR:
        del query["cursor"]
    _in_order(query)
    if case.operation.path.startswith("/v1/trends/"):
        _trend_range(query)


def _map_headers(case: Any) -> None:
    for name, value in list((case.headers or {}).items()):
        if value is None or (name.lower() == "if-match" and value == "null"):
            del case.headers[name]
            continue
        if (
            name.lower() == "idempotency-key"
            and isinstance(value, str)
            and IDEMPOTENCY_KEY.match(value)
        ):
            case.headers[name] = f"{value}-{uuid.uuid4().hex}"


@schemathesis.hook
def map_case(ctx: Any, case: Any) -> Any:
    """Applied to every generated case, in every phase."""
    query = case.query
    if query:
        _map_query(case, query)
    body = case.body
    if isinstance(body, dict):
        if case.operation.path.startswith("/v1/config/support-levels"):
            _thresholds_in_order(body)
            _in_order(body)
        if case.operation.method.upper() == "POST" and case.operation.path == "/v1/datasets":
            _one_train_file(body)
    if os.environ.get("CARESCORE_FUZZ_OWN_ACCOUNT") == "1" and case.operation.path == "/v1/tasks":
        for fields in (body, query):
            if isinstance(fields, dict) and _valid_account(fields.get("account_id")):
                del fields["account_id"]
    elif (
        os.environ.get("CARESCORE_FUZZ_ROLE") != "customer"
        and case.operation.method.upper() == "POST"
        and case.operation.path == "/v1/tasks"
        and isinstance(body, dict)
        and body.get("account_id") is None
    ):
        body["account_id"] = "fuzz-account"
    _map_headers(case)
    return case
