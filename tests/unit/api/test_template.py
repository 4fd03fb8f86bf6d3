"""template.yaml transforms with aws-sam-translator (offline) into the resources we expect."""

from __future__ import annotations

import copy
import json
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
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        if resource["Properties"].get("PackageType") == "Image":
            resource["Properties"]["ImageUri"] = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/t:1"
        else:
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
    # Every operation of the committed spec is wired to the function, and the docs page.
    spec = json.loads((ROOT / "openapi.json").read_text(encoding="utf-8"))
    operations = {f"{m.upper()} {p}" for p, ops in spec["paths"].items() for m in ops}
    assert routes == operations | {"GET /v1/docs"}


def test_tables_have_pitr_and_the_tasks_table_streams_both_images(
    transformed: dict[str, Any],
) -> None:
    tables = of_type(transformed, "AWS::DynamoDB::Table")
    assert set(tables) == {"TasksTable", "RegistryTable", "IdempotencyTable", "AggregatesTable"}
    for table in tables.values():
        props = table["Properties"]
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    tasks = tables["TasksTable"]["Properties"]
    assert tasks["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert tables["IdempotencyTable"]["Properties"]["TimeToLiveSpecification"]["Enabled"] is True
    assert tables["AggregatesTable"]["Properties"]["TimeToLiveSpecification"]["Enabled"] is True


def test_the_aggregator_reads_the_tasks_stream_with_partial_failures_and_an_on_failure_queue(
    transformed: dict[str, Any],
) -> None:
    (props,) = (
        mapping["Properties"]
        for mapping in of_type(transformed, "AWS::Lambda::EventSourceMapping").values()
        if mapping["Properties"]["EventSourceArn"] == {"Fn::GetAtt": ["TasksTable", "StreamArn"]}
    )
    assert props["EventSourceArn"] == {"Fn::GetAtt": ["TasksTable", "StreamArn"]}
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["BisectBatchOnFunctionError"] is True
    assert props["MaximumRetryAttempts"] >= 1
    assert props["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["AggregatorFailuresQueue", "Arn"]
    }


def test_buckets_are_private_encrypted_and_versioned(transformed: dict[str, Any]) -> None:
    buckets = of_type(transformed, "AWS::S3::Bucket")
    assert set(buckets) == {"ModelsBucket", "DatasetsBucket", "PortalBucket"}
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


def _statements(transformed: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        statement
        for policy in transformed["Resources"]["ApiFunctionRole"]["Properties"]["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]
    ]


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_api_role_reads_models_and_may_only_add_dataset_files(
    transformed: dict[str, Any],
) -> None:
    statements = _statements(transformed)
    writes = [s for s in statements if "s3:PutObject" in _listed(s["Action"])]
    assert len(writes) == 1
    assert _listed(writes[0]["Action"]) == ["s3:PutObject"]
    assert writes[0]["Resource"] == {"Fn::Sub": "${DatasetsBucket.Arn}/datasets/*"}
    reads = [s for s in statements if "s3:GetObject" in _listed(s["Action"])]
    assert [r["Resource"] for r in reads] == [
        [
            {"Fn::Sub": "${ModelsBucket.Arn}/models/*"},
            {"Fn::Sub": "${ModelsBucket.Arn}/evaluations/*"},
        ]
    ]


def _actions(statement: dict[str, Any]) -> set[str]:
    return set(_listed(statement["Action"]))


def _on_table(statement: dict[str, Any], table: str) -> bool:
    return any(
        resource in ({"Fn::GetAtt": [table, "Arn"]}, {"Fn::GetAtt": f"{table}.Arn"})
        or (isinstance(resource, dict) and f"${{{table}.Arn}}" in str(resource.get("Fn::Sub")))
        for resource in _listed(statement["Resource"])
    )


DYNAMODB_WRITES = {
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
}


def test_api_role_cannot_scan_batch_write_or_delete_tasks(transformed: dict[str, Any]) -> None:
    statements = _statements(transformed)
    actions = set().union(*(_actions(statement) for statement in statements))
    assert "dynamodb:Scan" not in actions
    assert "dynamodb:BatchWriteItem" not in actions
    assert not any(action.endswith("*") for action in actions)
    deletes = [s for s in statements if "dynamodb:DeleteItem" in _actions(s)]
    assert deletes
    assert all(_on_table(s, "IdempotencyTable") and not _on_table(s, "TasksTable") for s in deletes)


def test_api_role_writes_only_the_registry_partitions_it_owns(
    transformed: dict[str, Any],
) -> None:
    from functions.shared.config import CURSOR_KEY_PARTITION, THRESHOLDS
    from functions.shared.registry import MODEL_PARTITION
    from functions.shared.risk_config import AT_RISK_RULE
    from functions.shared.training_store import DATASET_PARTITION, RUN_PARTITION

    writes = [
        s
        for s in _statements(transformed)
        if _on_table(s, "RegistryTable") and _actions(s) & DYNAMODB_WRITES
    ]
    assert writes, "the API seeds thresholds and its cursor key, so it must write somewhere"
    for statement in writes:
        assert _actions(statement) <= {"dynamodb:PutItem", "dynamodb:UpdateItem"}
        condition = statement["Condition"]["ForAllValues:StringEquals"]
        allowed = set(_listed(condition["dynamodb:LeadingKeys"]))
        assert allowed == {
            THRESHOLDS.partition,
            CURSOR_KEY_PARTITION,
            AT_RISK_RULE.partition,
            DATASET_PARTITION,
            RUN_PARTITION,
            MODEL_PARTITION,
        }


def test_outputs_include_the_api_url(transformed: dict[str, Any]) -> None:
    assert {"ApiUrl", "TasksTableName", "ModelsBucketName"} <= set(transformed["Outputs"])


def _http_api_body(transformed: dict[str, Any]) -> dict[str, Any]:
    api = next(iter(of_type(transformed, "AWS::ApiGatewayV2::Api").values()))
    body: dict[str, Any] = api["Properties"]["Body"]
    return body


PUBLIC_ROUTES = {"GET /v1/health", "GET /v1/docs"}


def test_every_route_but_health_and_docs_needs_a_cognito_jwt(transformed: dict[str, Any]) -> None:
    paths = _http_api_body(transformed)["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            route = f"{method.upper()} {path}"
            expected = "NONE" if route in PUBLIC_ROUTES else "CognitoAuthorizer"
            assert operation["security"] == [{expected: []}], route


def test_jwt_authorizer_trusts_only_the_pool_and_its_two_clients(raw: dict[str, Any]) -> None:
    auth = raw["Resources"]["HttpApi"]["Properties"]["Auth"]
    assert auth["DefaultAuthorizer"] == "CognitoAuthorizer"
    authorizer = auth["Authorizers"]["CognitoAuthorizer"]
    assert authorizer["IdentitySource"] == "$request.header.Authorization"
    assert authorizer["JwtConfiguration"] == {
        "issuer": {"Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}"},
        "audience": [{"Ref": "PortalClient"}, {"Ref": "MachineClient"}],
    }


# The portal's origin wherever the template needs it: the distribution's own domain unless
# the PortalOrigin parameter names another (a custom domain in front of it).
PORTAL_ORIGIN = {
    "Fn::If": [
        "PortalOnCloudFrontDomain",
        {"Fn::Sub": "https://${PortalDistribution.DomainName}"},
        {"Ref": "PortalOrigin"},
    ]
}


def test_cors_allows_only_the_portal_origin(
    raw: dict[str, Any], transformed: dict[str, Any]
) -> None:
    cors = raw["Resources"]["HttpApi"]["Properties"]["CorsConfiguration"]
    assert cors["AllowOrigins"] == [PORTAL_ORIGIN]
    assert raw["Parameters"]["PortalOrigin"]["Default"] == ""
    assert raw["Conditions"]["PortalOnCloudFrontDomain"] == {
        "Fn::Equals": [{"Ref": "PortalOrigin"}, ""]
    }
    rendered = _http_api_body(transformed)["x-amazon-apigateway-cors"]
    [origin] = rendered["allowOrigins"]
    assert origin["Fn::If"][:2] == PORTAL_ORIGIN["Fn::If"][:2]
    assert "*" not in rendered["allowHeaders"]
    assert "*" not in rendered["allowMethods"]
    assert {"Authorization", "Content-Type", "Idempotency-Key"} <= set(rendered["allowHeaders"])
    assert rendered.get("allowCredentials", False) is False


def test_only_the_portal_may_post_dataset_files_from_a_browser(raw: dict[str, Any]) -> None:
    [rule] = raw["Resources"]["DatasetsBucket"]["Properties"]["CorsConfiguration"]["CorsRules"]
    assert rule["AllowedOrigins"] == [PORTAL_ORIGIN]
    assert rule["AllowedMethods"] == ["POST"]
    assert "CorsConfiguration" not in raw["Resources"]["ModelsBucket"]["Properties"]


def test_user_pool_has_exactly_the_three_role_groups(transformed: dict[str, Any]) -> None:
    groups = of_type(transformed, "AWS::Cognito::UserPoolGroup").values()
    assert {g["Properties"]["GroupName"] for g in groups} == {"customer", "agent", "supervisor"}
    assert all(g["Properties"]["UserPoolId"] == {"Ref": "UserPool"} for g in groups)


def test_portal_client_keeps_no_secret_and_signs_in_back_to_the_portal(
    raw: dict[str, Any],
) -> None:
    portal = raw["Resources"]["PortalClient"]["Properties"]
    assert portal["GenerateSecret"] is False
    assert set(portal["ExplicitAuthFlows"]) == {
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    }
    assert portal["AllowedOAuthFlows"] == ["code"]
    assert portal["CallbackURLs"] == [PORTAL_ORIGIN]
    assert portal["LogoutURLs"] == [PORTAL_ORIGIN]


def test_machine_client_gets_every_api_scope_by_client_credentials_only(
    raw: dict[str, Any],
) -> None:
    server = raw["Resources"]["ApiResourceServer"]["Properties"]
    declared = {f"{server['Identifier']}/{s['ScopeName']}" for s in server["Scopes"]}
    assert declared == {
        "carescore/score",
        "carescore/tasks.read",
        "carescore/tasks.write",
        "carescore/trends.read",
    }
    machine = raw["Resources"]["MachineClient"]
    assert machine["Properties"]["GenerateSecret"] is True
    assert machine["Properties"]["AllowedOAuthFlows"] == ["client_credentials"]
    assert set(machine["Properties"]["AllowedOAuthScopes"]) == declared
    assert machine["DependsOn"] == "ApiResourceServer"


def test_google_sign_in_is_off_unless_both_parameters_are_given(
    raw: dict[str, Any], transformed: dict[str, Any]
) -> None:
    for name in ("GoogleClientId", "GoogleClientSecret"):
        assert raw["Parameters"][name]["Default"] == ""
        assert raw["Parameters"][name]["NoEcho"] is True
    google = transformed["Resources"]["GoogleIdentityProvider"]
    assert google["Condition"] == "GoogleSignIn"
    providers = raw["Resources"]["PortalClient"]["Properties"]["SupportedIdentityProviders"]
    assert providers == {
        "Fn::If": ["GoogleSignIn", ["COGNITO", {"Ref": "GoogleIdentityProvider"}], ["COGNITO"]]
    }


PORTAL_DISTRIBUTION_ARN = {
    "Fn::Sub": "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/"
    "${PortalDistribution}"
}


def test_bucket_policies_deny_and_only_the_portal_distribution_may_read(
    transformed: dict[str, Any],
) -> None:
    policies = of_type(transformed, "AWS::S3::BucketPolicy")
    assert {p["Properties"]["Bucket"]["Ref"] for p in policies.values()} == {
        "ModelsBucket",
        "DatasetsBucket",
        "PortalBucket",
    }
    for logical, policy in policies.items():
        statements = policy["Properties"]["PolicyDocument"]["Statement"]
        assert any(s["Sid"] == "DenyInsecureTransport" for s in statements), logical
        allows = [s for s in statements if s["Effect"] == "Allow"]
        if logical != "PortalBucketPolicy":
            assert not allows, logical
            continue
        # One grant: this distribution (through its OAC) reads objects, nothing else.
        [allow] = allows
        assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
        assert allow["Action"] == "s3:GetObject"
        assert allow["Resource"] == {"Fn::Sub": "${PortalBucket.Arn}/*"}
        assert allow["Condition"] == {"StringEquals": {"AWS:SourceArn": PORTAL_DISTRIBUTION_ARN}}
    for bucket in of_type(transformed, "AWS::S3::Bucket").values():
        props = bucket["Properties"]
        assert "AccessControl" not in props
        assert props["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
        assert "WebsiteConfiguration" not in props


def test_the_training_function_is_one_image_at_a_time_fed_by_dataset_uploads(
    raw: dict[str, Any], transformed: dict[str, Any]
) -> None:
    function = transformed["Resources"]["TrainingFunction"]["Properties"]
    assert function["PackageType"] == "Image"
    assert function["ImageConfig"]["Command"] == ["model_build.function.lambda_handler"]
    assert function["ReservedConcurrentExecutions"] == 1
    assert function["Timeout"] == 900
    from model_build import function as training

    assert callable(training.lambda_handler)
    dockerfile = ROOT / raw["Resources"]["TrainingFunction"]["Metadata"]["Dockerfile"]
    assert 'CMD ["model_build.function.lambda_handler"]' in dockerfile.read_text()
    # Uploads under datasets/ notify the queue; the queue retries, then dead-letters
    [notification] = raw["Resources"]["DatasetsBucket"]["Properties"]["NotificationConfiguration"][
        "QueueConfigurations"
    ]
    assert notification["Queue"] == {"Fn::GetAtt": ["TrainingQueue", "Arn"]}
    assert {"Name": "prefix", "Value": "datasets/"} in notification["Filter"]["S3Key"]["Rules"]
    queue = raw["Resources"]["TrainingQueue"]["Properties"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {
        "Fn::GetAtt": ["TrainingDeadLetterQueue", "Arn"]
    }
    assert queue["VisibilityTimeout"] >= function["Timeout"]
    events = raw["Resources"]["TrainingFunction"]["Properties"]["Events"]
    assert {e["Properties"]["Queue"]["Fn::GetAtt"][0] for e in events.values()} == {
        "TrainingQueue",
        "TrainingDeadLetterQueue",
    }


def test_the_training_function_writes_models_never_datasets(transformed: dict[str, Any]) -> None:
    statements = [
        statement
        for policy in transformed["Resources"]["TrainingFunctionRole"]["Properties"]["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]
    ]
    writes = [s for s in statements if "s3:PutObject" in _listed(s["Action"])]
    resources = [r["Fn::Sub"] for s in writes for r in _listed(s["Resource"])]
    assert resources
    assert all(r.startswith("${ModelsBucket.Arn}/") for r in resources)


def test_the_portal_is_a_private_bucket_behind_cloudfront_with_origin_access_control(
    transformed: dict[str, Any],
) -> None:
    resources = transformed["Resources"]
    # OAC, never the legacy origin access identity.
    assert not of_type(transformed, "AWS::CloudFront::CloudFrontOriginAccessIdentity")
    oac = resources["PortalOriginAccessControl"]["Properties"]["OriginAccessControlConfig"]
    assert oac["OriginAccessControlOriginType"] == "s3"
    assert (oac["SigningBehavior"], oac["SigningProtocol"]) == ("always", "sigv4")
    config = resources["PortalDistribution"]["Properties"]["DistributionConfig"]
    [origin] = config["Origins"]
    assert origin["DomainName"] == {"Fn::GetAtt": ["PortalBucket", "RegionalDomainName"]}
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["PortalOriginAccessControl", "Id"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    assert config["DefaultRootObject"] == "index.html"
    behaviors = [config["DefaultCacheBehavior"], *config.get("CacheBehaviors", [])]
    for behavior in behaviors:
        assert behavior["TargetOriginId"] == origin["Id"]
        assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
        assert behavior["AllowedMethods"] == ["GET", "HEAD"]
        assert behavior["ResponseHeadersPolicyId"] == {"Ref": "PortalResponseHeadersPolicy"}
    # config.json is never cached at the edge.
    [settings] = [b for b in behaviors if b.get("PathPattern") == "/config.json"]
    assert settings["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"


def test_unknown_portal_paths_get_the_app_so_its_router_answers(
    transformed: dict[str, Any],
) -> None:
    config = transformed["Resources"]["PortalDistribution"]["Properties"]["DistributionConfig"]
    errors = {e["ErrorCode"]: e for e in config["CustomErrorResponses"]}
    # S3 answers 403 through OAC for a key that does not exist (no ListBucket grant).
    assert set(errors) == {403, 404}
    for error in errors.values():
        assert (error["ResponseCode"], error["ResponsePagePath"]) == (200, "/index.html")


def test_portal_responses_carry_security_headers(transformed: dict[str, Any]) -> None:
    policy = transformed["Resources"]["PortalResponseHeadersPolicy"]["Properties"]
    security = policy["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert security["FrameOptions"]["FrameOption"] == "DENY"
    assert security["ContentTypeOptions"]["Override"] is True
    assert security["ReferrerPolicy"]["ReferrerPolicy"] == "strict-origin-when-cross-origin"
    separator, parts = security["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Join"]
    assert separator == "; "
    directives = {
        (part if isinstance(part, str) else part["Fn::Sub"]).split(" ", 1)[0]: part
        for part in parts
    }
    assert directives["default-src"] == "default-src 'self'"
    assert directives["script-src"] == "script-src 'self'"
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert directives["object-src"] == "object-src 'none'"
    connect = directives["connect-src"]["Fn::Sub"]
    # Region-wide names only: naming this stack's API or buckets would make the
    # distribution depend on what depends on its domain.
    assert "${HttpApi" not in connect
    assert "Bucket" not in connect
    assert "execute-api.${AWS::Region}" in connect
    assert "cognito-idp.${AWS::Region}" in connect


def test_portal_origin_is_the_same_everywhere_it_is_named(raw: dict[str, Any]) -> None:
    resources = raw["Resources"]
    [rule] = resources["DatasetsBucket"]["Properties"]["CorsConfiguration"]["CorsRules"]
    assert rule["AllowedOrigins"] == [PORTAL_ORIGIN]
    assert rule["AllowedMethods"] == ["POST"]
    assert raw["Outputs"]["PortalOrigin"]["Value"] == PORTAL_ORIGIN
    assert raw["Outputs"]["PortalUrl"]["Value"] == {
        "Fn::Sub": "https://${PortalDistribution.DomainName}"
    }


def test_outputs_name_everything_publishing_the_portal_reads(
    transformed: dict[str, Any],
) -> None:
    from infra.publish import STACK_OUTPUTS

    assert set(STACK_OUTPUTS) <= set(transformed["Outputs"])
