"""template.yaml transforms with aws-sam-translator (offline) into the resources we expect."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from samtranslator.parser.parser import Parser
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

ROOT = Path(__file__).resolve().parents[3]


class NoManagedPolicies:
    def load(self) -> dict[str, str]:
        return {}


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    template: dict[str, Any] = yaml_parse((ROOT / "template.yaml").read_text(encoding="utf-8"))
    return template


@pytest.fixture(scope="module")
def transformed(raw: dict[str, Any]) -> Iterator[dict[str, Any]]:
    template = copy.deepcopy(raw)
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = "s3://carescore-artifacts/api.zip"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
        yield transform(template, {}, NoManagedPolicies(), Parser())


def of_type(template: dict[str, Any], kind: str) -> dict[str, Any]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def test_api_function_is_a_zip_on_python_3_13_with_the_tested_handler(
    transformed: dict[str, Any],
) -> None:
    function = transformed["Resources"]["ApiFunction"]["Properties"]
    assert function["Runtime"] == "python3.13"
    assert function["Handler"] == "functions.api.app.lambda_handler"
    assert function.get("PackageType", "Zip") == "Zip"
    from functions.api import app

    assert callable(app.lambda_handler)


def test_routes_are_the_http_api_routes_under_v1(transformed: dict[str, Any]) -> None:
    routes = {
        r["Properties"]["RouteKey"]
        for r in of_type(transformed, "AWS::ApiGatewayV2::Route").values()
    }
    if not routes:  # SAM inlines routes into the API's OpenAPI body
        api = next(iter(of_type(transformed, "AWS::ApiGatewayV2::Api").values()))
        paths = api["Properties"]["Body"]["paths"]
        routes = {f"{m.upper()} {p}" for p, ops in paths.items() for m in ops}
    assert routes == {
        "POST /v1/sentiment",
        "POST /v1/tasks",
        "GET /v1/tasks",
        "GET /v1/tasks/{task_id}",
        "PATCH /v1/tasks/{task_id}",
        "GET /v1/health",
        "GET /v1/model",
        "GET /v1/docs",
    }


def test_tables_have_pitr_and_the_tasks_table_streams_both_images(
    transformed: dict[str, Any],
) -> None:
    tables = of_type(transformed, "AWS::DynamoDB::Table")
    assert set(tables) == {"TasksTable", "RegistryTable", "IdempotencyTable"}
    for table in tables.values():
        props = table["Properties"]
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    tasks = tables["TasksTable"]["Properties"]
    assert tasks["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert tables["IdempotencyTable"]["Properties"]["TimeToLiveSpecification"]["Enabled"] is True


def test_buckets_are_private_encrypted_and_versioned(transformed: dict[str, Any]) -> None:
    buckets = of_type(transformed, "AWS::S3::Bucket")
    assert set(buckets) == {"ModelsBucket", "DatasetsBucket"}
    for bucket in buckets.values():
        props = bucket["Properties"]
        assert all(props["PublicAccessBlockConfiguration"].values())
        assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert props["VersioningConfiguration"]["Status"] == "Enabled"


def test_function_environment_names_its_resources_by_ref(raw: dict[str, Any]) -> None:
    variables = raw["Resources"]["ApiFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["TASKS_TABLE"] == {"Ref": "TasksTable"}
    assert variables["REGISTRY_TABLE"] == {"Ref": "RegistryTable"}
    assert variables["IDEMPOTENCY_TABLE"] == {"Ref": "IdempotencyTable"}
    assert variables["MODELS_BUCKET"] == {"Ref": "ModelsBucket"}


def test_api_role_reads_models_but_cannot_touch_datasets(transformed: dict[str, Any]) -> None:
    role = transformed["Resources"]["ApiFunctionRole"]["Properties"]
    text = str(role["Policies"])
    assert "ModelsBucket" in text
    assert "DatasetsBucket" not in text
    assert "s3:PutObject" not in text


def test_api_role_cannot_scan_or_delete_tasks(transformed: dict[str, Any]) -> None:
    statements = [
        statement
        for policy in transformed["Resources"]["ApiFunctionRole"]["Properties"]["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]
    ]
    actions = {
        action
        for statement in statements
        for action in (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
    }
    assert "dynamodb:Scan" not in actions
    assert not any(action.endswith("*") for action in actions)
    tasks = next(s for s in statements if s.get("Sid") == "TasksReadWrite")
    assert "dynamodb:DeleteItem" not in tasks["Action"]


def test_outputs_include_the_api_url(transformed: dict[str, Any]) -> None:
    assert {"ApiUrl", "TasksTableName", "ModelsBucketName"} <= set(transformed["Outputs"])
