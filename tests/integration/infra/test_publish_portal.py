"""`carescore publish-portal` against an emulated account (moto): the build goes to the
stack's portal bucket with the right types and caching, config.json comes from the stack's
outputs, and CloudFront is told to drop what it may have cached."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.cli import main
from infra.publish import (
    IMMUTABLE,
    REVALIDATE,
    STACK_OUTPUTS,
    PublishError,
    publish,
    uploads,
)

REGION = "eu-west-1"  # not the default: the config's region must come from the stack
STACK = "carescore-dev"


@pytest.fixture
def account(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """An emulated account with a deployed stack's outputs, its bucket and distribution."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(
            Bucket="portal-files", CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        distribution = boto3.client("cloudfront", region_name="us-east-1").create_distribution(
            DistributionConfig={
                "CallerReference": "portal",
                "Comment": "portal",
                "Enabled": True,
                "Origins": {
                    "Quantity": 1,
                    "Items": [
                        {
                            "Id": "PortalBucket",
                            "DomainName": "portal-files.s3.eu-west-1.amazonaws.com",
                            "S3OriginConfig": {"OriginAccessIdentity": ""},
                        }
                    ],
                },
                "DefaultCacheBehavior": {
                    "TargetOriginId": "PortalBucket",
                    "ViewerProtocolPolicy": "redirect-to-https",
                    "MinTTL": 0,
                },
            }
        )["Distribution"]
        outputs = {
            "PortalBucketName": "portal-files",
            "PortalDistributionId": distribution["Id"],
            "PortalUrl": f"https://{distribution['DomainName']}",
            "ApiUrl": "https://abc123.execute-api.eu-west-1.amazonaws.com",
            "UserPoolId": "eu-west-1_Pool",
            "PortalClientId": "portalclient",
            "MachineClientId": "machineclient",
        }
        _deploy(outputs)
        yield outputs


def _deploy(outputs: dict[str, str], name: str = STACK) -> None:
    template = {
        "Resources": {"Marker": {"Type": "AWS::SQS::Queue"}},
        "Outputs": {key: {"Value": value} for key, value in outputs.items()},
    }
    boto3.client("cloudformation", region_name=REGION).create_stack(
        StackName=name, TemplateBody=json.dumps(template)
    )


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    build = tmp_path / "dist"
    (build / "assets").mkdir(parents=True)
    (build / "index.html").write_text("<!doctype html><script src=/assets/app-1a2b.js></script>")
    (build / "assets" / "app-1a2b.js").write_text("console.log('portal')")
    (build / "assets" / "app-1a2b.css").write_text("body{}")
    (build / "assets" / "app-1a2b.js.map").write_text("{}")
    (build / "robots.txt").write_text("User-agent: *\nDisallow: /\n")
    return build


def _objects(bucket: str) -> dict[str, dict[str, Any]]:
    s3 = boto3.client("s3", region_name=REGION)
    listed = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {item["Key"]: s3.get_object(Bucket=bucket, Key=item["Key"]) for item in listed}


def test_the_build_and_the_stacks_config_go_to_the_portal_bucket(
    account: dict[str, str], dist: Path
) -> None:
    published = publish(boto3.Session(region_name=REGION), STACK, dist, say=lambda _: None)

    objects = _objects(account["PortalBucketName"])
    assert set(objects) == {
        "index.html",
        "config.json",
        "robots.txt",
        "assets/app-1a2b.js",
        "assets/app-1a2b.css",
        "assets/app-1a2b.js.map",
    }
    assert json.loads(objects["config.json"]["Body"].read()) == {
        "apiBaseUrl": account["ApiUrl"],
        "region": REGION,
        "userPoolId": account["UserPoolId"],
        "userPoolClientId": account["PortalClientId"],
    }
    assert objects["index.html"]["ContentType"] == "text/html; charset=utf-8"
    assert objects["assets/app-1a2b.js"]["ContentType"] == "text/javascript; charset=utf-8"
    assert objects["assets/app-1a2b.css"]["ContentType"] == "text/css; charset=utf-8"
    assert objects["config.json"]["ContentType"] == "application/json"
    # Hashed assets are cached for good; the rest is asked for again every time.
    for key, item in objects.items():
        expected = IMMUTABLE if key.startswith("assets/") else REVALIDATE
        assert item["CacheControl"] == expected, key
    assert published.portal_url == account["PortalUrl"]


def test_cloudfront_drops_only_what_it_may_have_cached_that_changed(
    account: dict[str, str], dist: Path
) -> None:
    publish(boto3.Session(region_name=REGION), STACK, dist, say=lambda _: None)

    cloudfront = boto3.client("cloudfront", region_name="us-east-1")
    listed = cloudfront.list_invalidations(DistributionId=account["PortalDistributionId"])
    [summary] = listed["InvalidationList"]["Items"]
    invalidation = cloudfront.get_invalidation(
        DistributionId=account["PortalDistributionId"], Id=summary["Id"]
    )["Invalidation"]
    paths = invalidation["InvalidationBatch"]["Paths"]["Items"]
    assert sorted(paths) == ["/", "/index.html", "/robots.txt"]


def test_index_html_goes_up_last_and_the_stacks_config_wins_over_the_builds(
    dist: Path,
) -> None:
    (dist / "config.json").write_text('{"apiBaseUrl": "/"}')
    planned = uploads(dist, {"apiBaseUrl": "https://api"})
    keys = [upload.key for upload in planned]
    assert keys[-2:] == ["config.json", "index.html"]
    assert keys.index("assets/app-1a2b.js") < keys.index("robots.txt")
    assert keys.count("config.json") == 1
    assert json.loads(planned[-2].body) == {"apiBaseUrl": "https://api"}


def test_a_dry_run_changes_nothing(account: dict[str, str], dist: Path) -> None:
    published = publish(
        boto3.Session(region_name=REGION), STACK, dist, dry_run=True, say=lambda _: None
    )
    assert [u.key for u in published.uploads][-1] == "index.html"
    assert _objects(account["PortalBucketName"]) == {}


def test_prune_removes_files_of_earlier_builds_only_when_asked(
    account: dict[str, str], dist: Path
) -> None:
    session = boto3.Session(region_name=REGION)
    publish(session, STACK, dist, say=lambda _: None)
    (dist / "assets" / "app-1a2b.js").unlink()
    (dist / "assets" / "app-3c4d.js").write_text("console.log('next')")

    publish(session, STACK, dist, say=lambda _: None)
    assert "assets/app-1a2b.js" in _objects(account["PortalBucketName"])

    published = publish(session, STACK, dist, prune=True, say=lambda _: None)
    assert published.removed == ["assets/app-1a2b.js"]
    objects = _objects(account["PortalBucketName"])
    assert "assets/app-1a2b.js" not in objects
    assert {"assets/app-3c4d.js", "config.json", "index.html"} <= set(objects)


def test_a_stack_without_the_portal_outputs_is_refused_by_name(
    account: dict[str, str], dist: Path
) -> None:
    _deploy({"ApiUrl": account["ApiUrl"]}, name="older-stack")
    with pytest.raises(PublishError, match="PortalBucketName") as refused:
        publish(boto3.Session(region_name=REGION), "older-stack", dist, say=lambda _: None)
    assert "PortalDistributionId" in str(refused.value)
    assert _objects(account["PortalBucketName"]) == {}


def test_no_stack_or_no_build_is_a_clear_error_from_the_command(
    account: dict[str, str], dist: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["publish-portal", "--stack", "nope", "--dist", str(dist)]) == 2
    assert "cannot describe stack nope" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["publish-portal", "--stack", STACK, "--dist", str(empty)]) == 2
    assert "make portal" in capsys.readouterr().err


def test_the_command_prints_the_portal_url(
    account: dict[str, str], dist: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["publish-portal", "--stack", STACK, "--dist", str(dist)]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == account["PortalUrl"]
    assert "config.json" in err
    assert set(STACK_OUTPUTS) <= set(account)


def test_install_model_makes_the_default_model_active_in_a_fresh_stack(
    account: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    dynamodb.create_table(
        TableName="registry",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
    )
    boto3.client("s3", region_name=REGION).create_bucket(
        Bucket="models", CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    _deploy(account | {"RegistryTableName": "registry", "ModelsBucketName": "models"}, "fresh")

    assert main(["install-model", "--stack", "fresh"]) == 0
    version = capsys.readouterr().out.strip()

    from functions.shared.registry import Registry

    pointer = Registry("registry", dynamodb).pointer()
    assert pointer is not None
    assert pointer.version == version
    assert f"models/{version}/model.onnx" in _objects("models")
