"""Edge helpers: request bodies before parsing, settings from the environment, error mapping."""

from __future__ import annotations

import base64
import json
from http import HTTPStatus
from typing import Any

import pytest

from functions.api.http_errors import STATUS, status_of
from functions.api.request_body import MAX_JSON_DEPTH, check_body, json_depth_exceeds
from functions.api.schemas import MAX_BODY_BYTES
from functions.api.settings import Settings
from functions.shared import errors

JSON = {"content-type": "application/json"}


def _event(body: str | None, headers: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"body": body, "headers": JSON if headers is None else headers, **extra}


def test_a_body_over_the_limit_counts_utf8_bytes_not_characters() -> None:
    with pytest.raises(errors.PayloadTooLarge):
        check_body(_event('"' + "é" * (MAX_BODY_BYTES // 2) + '"'))


def test_a_base64_body_is_measured_decoded() -> None:
    encoded = base64.b64encode(b"[" + b"1," * 1000 + b"1]").decode()
    check_body(_event(encoded, isBase64Encoded=True))


def test_no_body_passes_whatever_its_content_type() -> None:
    check_body(_event(None, headers={}))
    check_body(_event("", headers={"content-type": "text/plain"}))


@pytest.mark.parametrize(
    "content_type",
    [None, "application/x-www-form-urlencoded", "text/plain", "application/json; charset=latin-1"],
)
def test_a_body_not_declared_as_utf8_json_is_unsupported(content_type: str | None) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    with pytest.raises(errors.UnsupportedMediaType):
        check_body(_event('{"texts": ["hi"]}', headers=headers))


def test_json_with_a_utf8_charset_parameter_is_accepted() -> None:
    check_body(_event("{}", headers={"Content-Type": "Application/JSON; charset=UTF-8"}))


@pytest.mark.parametrize(
    "event",
    [
        _event(base64.b64encode(b'{"texts": ["\xff\xfe"]}').decode(), isBase64Encoded=True),
        _event('{"texts": ["\ud800"]}'),
        _event("not base64!", isBase64Encoded=True),
        _event("[" * 1100 + "]" * 1100),
        _event('{"a":' * 33 + "1" + "}" * 33),
    ],
    ids=["not-utf8", "raw-lone-surrogate", "bad-base64", "1100-deep", "33-deep"],
)
def test_bodies_that_are_not_utf8_json_of_bounded_depth_are_malformed(
    event: dict[str, Any],
) -> None:
    with pytest.raises(errors.MalformedBody):
        check_body(event)


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    check_body(_event(json.dumps({"texts": ["[" * 5000, '\\"{' * 100]})))
    assert not json_depth_exceeds('[[["]]]]]]\\"]]]"]]]', 3)
    assert json_depth_exceeds("[" * 33, MAX_JSON_DEPTH)


def test_settings_read_resource_names_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in {
        "TASKS_TABLE": "t",
        "REGISTRY_TABLE": "r",
        "IDEMPOTENCY_TABLE": "i",
        "AGGREGATES_TABLE": "a",
        "MODELS_BUCKET": "b",
        "DATASETS_BUCKET": "d",
        "CONFIG_REFRESH_SECONDS": "5",
    }.items():
        monkeypatch.setenv(name, value)
    settings = Settings()  # type: ignore[call-arg]
    assert (settings.tasks_table, settings.models_bucket) == ("t", "b")
    assert settings.config_refresh_seconds == 5


def test_settings_without_a_table_name_fail_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TASKS_TABLE", raising=False)
    with pytest.raises(ValueError, match="tasks_table"):
        Settings()  # type: ignore[call-arg]


def test_every_domain_error_has_a_client_or_service_status() -> None:
    kinds = [
        k for k in vars(errors).values() if isinstance(k, type) and k is not errors.DomainError
    ]
    for kind in kinds:
        if issubclass(kind, errors.DomainError):
            assert kind in STATUS, kind.__name__
            assert status_of(kind("x")) != HTTPStatus.INTERNAL_SERVER_ERROR
