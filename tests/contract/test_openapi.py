"""The committed openapi.json is the contract: it must match what the code generates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from samtranslator.yaml_helper import yaml_parse

from functions.api.openapi import openapi_document, render

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "openapi.json"
REGENERATE = "python -m functions.api.openapi > openapi.json"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return openapi_document()


def test_committed_spec_matches_the_code() -> None:
    assert SPEC.read_text(encoding="utf-8") == render(), f"openapi.json drifted; run {REGENERATE}"


def test_spec_is_openapi_3_1(spec: dict[str, Any]) -> None:
    assert spec["openapi"].startswith("3.1")


ERROR = {"$ref": "#/components/schemas/ErrorResponse"}
GATEWAY = {"$ref": "#/components/schemas/GatewayError"}
# API Gateway refuses these itself, before the function, in its own shape.
GATEWAY_STATUSES = {"401", "413"}


def test_every_error_response_has_the_one_error_shape_or_also_the_gateways(
    spec: dict[str, Any],
) -> None:
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if int(status) < 400:
                    continue
                schema = response["content"]["application/json"]["schema"]
                where = f"{method.upper()} {path} {status}"
                if status in GATEWAY_STATUSES:
                    assert schema["anyOf"] == [ERROR, GATEWAY], where
                else:
                    assert schema == ERROR, where


def test_the_gateways_own_body_is_documented(spec: dict[str, Any]) -> None:
    gateway = spec["components"]["schemas"]["GatewayError"]
    assert gateway["required"] == ["message"]
    assert '{"message": "Not Found"}' in spec["info"]["description"]


def test_every_operation_documents_a_success_response(spec: dict[str, Any]) -> None:
    for operations in spec["paths"].values():
        for operation in operations.values():
            assert any(200 <= int(status) < 300 for status in operation["responses"])


def test_routes_in_the_spec_are_the_routes_in_the_template(spec: dict[str, Any]) -> None:
    template = yaml_parse((ROOT / "template.yaml").read_text(encoding="utf-8"))
    events = template["Resources"]["ApiFunction"]["Properties"]["Events"].values()
    routed = {
        (e["Properties"]["Method"].lower(), e["Properties"]["Path"])
        for e in events
        if e["Type"] == "HttpApi"
    }
    documented = {(method, path) for path, ops in spec["paths"].items() for method in ops}
    assert documented <= routed
    assert routed - documented == {("get", "/v1/docs")}


def test_request_limits_are_stated(spec: dict[str, Any]) -> None:
    request = spec["components"]["schemas"]["SentimentRequest"]["properties"]["texts"]
    assert (request["minItems"], request["maxItems"]) == (1, 100)
    create = spec["components"]["schemas"]["CreateTaskRequest"]
    assert create["properties"]["text"]["maxLength"] == 5000
    assert create["additionalProperties"] is False


PUBLIC_OPERATIONS = {("get", "/v1/health")}


def test_secured_operations_name_the_bearer_scheme_and_document_401_and_403(
    spec: dict[str, Any],
) -> None:
    scheme = spec["components"]["securitySchemes"]["cognito"]
    assert (scheme["type"], scheme["scheme"], scheme["bearerFormat"]) == ("http", "bearer", "JWT")
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if (method, path) in PUBLIC_OPERATIONS:
                assert "security" not in operation
                assert not {"401", "403"} & set(operation["responses"])
                continue
            assert operation["security"] == [{"cognito": []}], f"{method} {path}"
            assert {"401", "403"} <= set(operation["responses"]), f"{method} {path}"
            access = operation["x-carescore-access"]
            assert access["roles"] or access["scopes"], f"{method} {path}"


def test_public_operations_in_the_spec_are_public_in_the_template(spec: dict[str, Any]) -> None:
    template = yaml_parse((ROOT / "template.yaml").read_text(encoding="utf-8"))
    events = template["Resources"]["ApiFunction"]["Properties"]["Events"].values()
    public = {
        (e["Properties"]["Method"].lower(), e["Properties"]["Path"])
        for e in events
        if e["Properties"].get("Auth", {}).get("Authorizer") == "NONE"
    }
    assert public == PUBLIC_OPERATIONS | {("get", "/v1/docs")}
