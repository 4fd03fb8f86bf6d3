"""The local stack reads the template's portal hosting and deliberately provisions none of
its CloudFront part (the gateway serves the portal itself), saying so; it deploys with
PortalOrigin set to the local origin, as a deployment overrides a parameter."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.auth import api_security
from infra.intrinsics import Known, evaluate_conditions
from infra.stack import supported_types
from infra.template import LOCAL_PARAMETERS, LocalPlan, plan

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def local_plan() -> LocalPlan:
    return plan(ROOT / "template.yaml", supported_types())


def test_cloudfront_resources_are_not_provisioned_and_each_says_why(
    local_plan: LocalPlan,
) -> None:
    cloudfront = {
        logical
        for logical, resource in local_plan.template["Resources"].items()
        if resource["Type"].startswith("AWS::CloudFront::")
    }
    assert cloudfront == {
        "PortalDistribution",
        "PortalOriginAccessControl",
        "PortalResponseHeadersPolicy",
    }
    assert not cloudfront & set(local_plan.emulated["Resources"])
    for logical in cloudfront:
        assert "the local gateway serves web/dist" in local_plan.not_provisioned[logical]


def test_the_local_stack_deploys_with_its_own_portal_origin(local_plan: LocalPlan) -> None:
    assert local_plan.overrides == {"PortalOrigin": LOCAL_PARAMETERS["PortalOrigin"]}
    assert local_plan.parameters["PortalOrigin"] == "http://localhost:8080"
    # The user pool and its clients stand in for what Cognito's emulation would create.
    created = {"UserPool": "pool", "PortalClient": "portal", "MachineClient": "machine"}
    known = Known(refs=dict(local_plan.parameters) | created)
    evaluate_conditions(local_plan.template, known)
    assert known.conditions["PortalOnCloudFrontDomain"] is False
    cors = api_security(local_plan.template, known).cors
    assert cors is not None
    assert cors.allow_origins == ("http://localhost:8080",)
