"""The portal works under the Content-Security-Policy that CloudFront adds in the cloud
(template.yaml's PortalResponseHeadersPolicy). The local gateway adds no such header, so
this test puts the template's policy on the portal's page itself, with `connect-src`
naming the local stack's endpoints instead of the region's, and signs in and opens the
queue with no violation reported."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import expect

from infra.local import ROOT
from infra.template import load_template
from tests.browser.conftest import Portal, sign_in

COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def template_policy(connect: str) -> str:
    """The template's Content-Security-Policy for a portal whose API and user pool are at
    `connect` (plus its own origin); without upgrade-insecure-requests, which would move the
    local stack's plain-HTTP loopback calls to HTTPS."""
    template = load_template(ROOT / "template.yaml")
    config = template["Resources"]["PortalResponseHeadersPolicy"]["Properties"]
    csp = config["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]["ContentSecurityPolicy"]
    separator, parts = csp["ContentSecurityPolicy"]["Fn::Join"]
    directives: list[str] = []
    for part in parts:
        text = part if isinstance(part, str) else str(part["Fn::Sub"])
        name = text.split(" ", 1)[0]
        if name == "connect-src":
            text = f"connect-src 'self' {connect}"
        elif name == "upgrade-insecure-requests":
            continue
        directives.append(text.replace("${AWS::Region}", "us-east-1"))
    return str(separator).join(directives)


def test_the_portal_signs_in_and_lists_the_queue_under_the_templates_csp(
    browser: Any, portal: Portal
) -> None:
    policy = template_policy(portal.state.moto_endpoint)
    assert "script-src 'self'" in policy

    def with_policy(route: Any) -> None:
        response = route.fetch()
        route.fulfill(
            response=response,
            headers=response.headers | {"content-security-policy": policy},
        )

    context = browser.new_context()
    context.set_default_timeout(10_000)
    context.add_init_script(COLLECT_VIOLATIONS)
    context.route(lambda url: urlsplit(url).path in ("/", "/index.html"), with_policy)
    page = context.new_page()
    try:
        # GIVEN the portal served with the cloud's policy WHEN an agent signs in
        sign_in(page, portal, "agent")
        # THEN the queue loads its tasks and nothing was blocked on the way
        page.get_by_role("heading", name="Queue").wait_for()
        tasks = page.get_by_role("row").filter(has=page.get_by_role("cell"))
        expect(tasks).not_to_have_count(0, timeout=30_000)
        assert page.evaluate("window.__cspViolations") == []
        # AND the policy was in force: an image from elsewhere is refused before any request
        page.evaluate(
            "document.body.append(Object.assign(new Image(), {src: 'https://example.invalid/x.png'}))"
        )
        page.wait_for_function("window.__cspViolations.length > 0")
        assert page.evaluate("window.__cspViolations") == ["img-src https://example.invalid/x.png"]
    finally:
        context.close()
