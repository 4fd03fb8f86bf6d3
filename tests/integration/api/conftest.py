"""The API handler in process against moto, with tables and buckets built from the key
schemas in template.yaml, and a small model installed as the active one."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from samtranslator.yaml_helper import yaml_parse

from tests.fixtures.api_events import FakeContext, http_event
from tests.fixtures.models import model_dir_for_tests

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = ROOT / "template.yaml"
REGION = "eu-west-1"

os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "carescore-tests")
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "carescore-api")


@pytest.fixture(scope="session")
def template() -> dict[str, Any]:
    parsed: dict[str, Any] = yaml_parse(TEMPLATE.read_text(encoding="utf-8"))
    return parsed


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return model_dir_for_tests(tmp_path_factory.mktemp("model"))


def _table_request(name: str, properties: dict[str, Any]) -> dict[str, Any]:
    request: dict[str, Any] = {
        "TableName": name,
        "KeySchema": properties["KeySchema"],
        "AttributeDefinitions": properties["AttributeDefinitions"],
        "BillingMode": properties.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if "GlobalSecondaryIndexes" in properties:
        request["GlobalSecondaryIndexes"] = properties["GlobalSecondaryIndexes"]
    if "StreamSpecification" in properties:
        request["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": properties["StreamSpecification"]["StreamViewType"],
        }
    return request


def _environment(template: dict[str, Any], function: str, names: dict[str, str]) -> dict[str, str]:
    """The function's environment with each !Ref resolved to the emulated resource name and
    each parameter to its default."""
    parameters = {key: str(p.get("Default", "")) for key, p in template["Parameters"].items()}
    variables = template["Resources"][function]["Properties"]["Environment"]["Variables"]
    resolved: dict[str, str] = {}
    for key, value in variables.items():
        if isinstance(value, dict) and "Ref" in value:
            resolved[key] = names.get(value["Ref"]) or parameters[value["Ref"]]
        else:
            resolved[key] = str(value)
    return resolved


@pytest.fixture
def aws(template: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """moto with every table and bucket of the template; the API function's environment set.
    Yields the logical id -> physical name map."""
    from functions.api import deps

    for key, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        s3 = boto3.client("s3", region_name=REGION)
        names: dict[str, str] = {}
        for logical_id, resource in template["Resources"].items():
            properties = resource.get("Properties", {})
            if resource["Type"] == "AWS::DynamoDB::Table":
                name = f"test-{logical_id}"
                dynamodb.create_table(**_table_request(name, properties))
                ttl = properties.get("TimeToLiveSpecification")
                if ttl:
                    dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
                names[logical_id] = name
            elif resource["Type"] == "AWS::S3::Bucket":
                name = f"test-{logical_id.lower()}"
                s3.create_bucket(
                    Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION}
                )
                names[logical_id] = name
        for key, value in _environment(template, "ApiFunction", names).items():
            monkeypatch.setenv(key, value)
        deps.reset()
        yield names
        deps.reset()


@pytest.fixture
def model_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "model-cache"
    monkeypatch.setenv("MODEL_CACHE_DIR", str(cache))
    return cache


@pytest.fixture
def active_model(aws: dict[str, str], model_cache: Path, tiny_model_dir: Path) -> str:
    """Installs the test model and makes it active; returns its version."""
    from functions.api import deps

    deps.reset()
    return install(tiny_model_dir)


def install(model_dir: Path) -> str:
    """Installs and activates the model in `model_dir` in the emulated stack."""
    from functions.api.settings import Settings
    from functions.shared.aws import dynamodb_client, s3_client
    from functions.shared.registry import install_model

    settings = Settings()
    return install_model(
        model_dir, settings.registry_table, settings.models_bucket, dynamodb_client(), s3_client()
    )


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: Any

    @property
    def error_code(self) -> str:
        return str(self.body["error"]["code"])


Call = Callable[..., Reply]


@pytest.fixture
def call() -> Call:
    """Sends one request through lambda_handler: call("POST", "/v1/tasks", body={...})."""
    from functions.api.app import lambda_handler

    def send(method: str, path: str, **kwargs: Any) -> Reply:
        result = lambda_handler(http_event(method, path, **kwargs), FakeContext())
        body = result.get("body")
        decoded = json.loads(body) if body and body.lstrip().startswith(("{", "[")) else body
        return Reply(result["statusCode"], result.get("headers") or {}, decoded)

    return send


@pytest.fixture
def api(active_model: str, call: Call) -> Call:
    """`call` with the stack up and a model active."""
    return call
