"""Edge helpers: body size before parsing, settings from the environment, error mapping."""

from __future__ import annotations

import base64
from http import HTTPStatus

import pytest

from functions.api.app import body_size
from functions.api.http_errors import STATUS, status_of
from functions.api.settings import Settings
from functions.shared import errors


def test_body_size_counts_utf8_bytes_not_characters() -> None:
    assert body_size({"body": "é" * 10}) == 20


def test_body_size_counts_decoded_bytes_of_a_base64_body() -> None:
    encoded = base64.b64encode(b"x" * 300).decode()
    assert body_size({"body": encoded, "isBase64Encoded": True}) == 300


def test_body_size_of_no_body_is_zero() -> None:
    assert body_size({"body": None}) == 0


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
