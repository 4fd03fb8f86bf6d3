"""What the portal shows when the session ends, a call is refused or the API is down."""

from __future__ import annotations

import json
import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Portal, check_page, sign_in

TASKS = "**/v1/tasks?*"
CONFIRM = re.compile(r"^Confirm ")


def _refuse(status: int, code: str) -> Any:
    body = json.dumps({"error": {"code": code, "message": "refused"}})

    def handler(route: Any) -> None:
        route.fulfill(status=status, content_type="application/json", body=body)

    return handler


def _answer(body: Any) -> Any:
    def handler(route: Any) -> None:
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    return handler


def test_a_refused_token_sends_the_person_back_to_sign_in(page: Any, portal: Portal) -> None:
    # GIVEN an agent on the queue whose session the API no longer accepts
    sign_in(page, portal, "agent")
    page.get_by_role("heading", name="Queue").wait_for()
    page.route(TASKS, _refuse(401, "unauthenticated"))
    # WHEN the queue reloads
    page.get_by_role("button", name="Refresh").click()
    # THEN they are asked to sign in again, and told why
    page.get_by_role("heading", name="Sign in").wait_for()
    page.get_by_role("status").filter(has_text="session has ended").wait_for()
    assert page.get_by_role("button", name="Sign out").count() == 0


def test_a_forbidden_call_is_explained(page: Any, portal: Portal) -> None:
    # GIVEN the API refuses the agent's list call
    sign_in(page, portal, "agent")
    page.route(TASKS, _refuse(403, "forbidden"))
    # WHEN the queue loads
    page.goto(f"{portal.url}/#/queue")
    page.reload()
    # THEN the page says the role does not allow it, without a retry that cannot help
    alert = page.get_by_role("alert").filter(has_text="role does not allow")
    alert.wait_for()
    assert alert.get_by_role("button", name="Try again").count() == 0


def test_an_unreachable_api_is_explained_and_can_be_retried(page: Any, portal: Portal) -> None:
    # GIVEN the API cannot be reached when the customer's page loads
    sign_in(page, portal, "customer")
    page.route(TASKS, lambda route: route.abort("connectionrefused"))
    page.reload()
    alert = page.get_by_role("alert").filter(has_text="cannot be reached")
    alert.wait_for()
    check_page(page, "customer-api-down")
    # WHEN it is back and they try again
    page.unroute(TASKS)
    alert.get_by_role("button", name="Try again").click()
    # THEN the page recovers
    alert.wait_for(state="detached")
    page.get_by_role("heading", name="Sent requests").wait_for()


def test_a_stale_review_reloads_the_request_with_a_message(page: Any, portal: Portal) -> None:
    # GIVEN a supervisor on Review, and the request changed since it was loaded (412)
    sign_in(page, portal, "supervisor")
    page.get_by_role("heading", name="Review", level=1).wait_for()
    actions = page.get_by_role("group", name="Label this request")
    actions.get_by_role("button", name=CONFIRM).wait_for()
    page.route("**/v1/tasks/*/review", _refuse(412, "precondition_failed"))
    # WHEN they confirm the model's label with Enter
    page.get_by_role("heading", name="Decision to review").click()
    page.keyboard.press("Enter")
    # THEN the request is reloaded, they are told, and can choose again
    page.get_by_role("alert").filter(has_text="changed since it was loaded").wait_for()
    assert actions.get_by_role("button", name=CONFIRM).is_enabled()
    check_page(page, "supervisor-review-stale")


def test_retraining_suggested_is_a_visible_banner(page: Any, portal: Portal) -> None:
    agreement = {
        "reviewed": 60,
        "agreed": 40,
        "rate": 40 / 60,
        "confusion": {"negative": {"negative": 30, "neutral": 12}, "neutral": {"neutral": 10}},
    }
    stats = {
        "overall": agreement,
        "by_category": {},
        "by_model_version": {},
        "by_week": {},
        "alarm": {
            "model_version": "m1",
            "window": 50,
            "threshold": 0.25,
            "reviews": 50,
            "corrections": 18,
            "correction_rate": 0.36,
            "retraining_suggested": True,
        },
    }
    # GIVEN supervisors corrected more of the active model's decisions than the threshold
    page.route(
        "**/v1/reviews/stats",
        lambda route: route.fulfill(
            status=200, content_type="application/json", body=json.dumps(stats)
        ),
    )
    # WHEN a supervisor opens Review
    sign_in(page, portal, "supervisor")
    # THEN a banner says retraining is suggested, with the figures behind it
    banner = page.get_by_role("status").filter(has_text="Retraining suggested")
    banner.wait_for()
    assert "18 of the last 50" in banner.inner_text()
    figures = page.get_by_role("region", name="Agreement")
    assert "40 of 60 reviewed" in figures.inner_text()
    check_page(page, "supervisor-review-retraining")


def test_models_page_explains_an_unreachable_registry_and_recovers(
    page: Any, portal: Portal
) -> None:
    # GIVEN the registry cannot be reached when a supervisor opens Models
    sign_in(page, portal, "supervisor")
    page.route("**/v1/models", lambda route: route.abort("connectionrefused"))
    page.goto(f"{portal.url}/#/models")
    registry = page.get_by_role("region", name="Registry")
    alert = registry.get_by_role("alert").filter(has_text="cannot be reached")
    alert.wait_for()
    # AND the rest of the page still works: the thresholds load
    thresholds = page.get_by_role("region", name="Support-level thresholds")
    expect(thresholds.get_by_test_id("thresholds-in-force")).to_be_visible()
    check_page(page, "supervisor-models-registry-down")
    # WHEN it is back and they try again THEN the versions are listed
    page.unroute("**/v1/models")
    alert.get_by_role("button", name="Try again").click()
    expect(page.get_by_role("region", name="Model versions")).to_be_visible()
    expect(alert).to_have_count(0)


def test_a_stack_without_models_or_runs_says_so(page: Any, portal: Portal) -> None:
    page.route("**/v1/models", _answer({"active_version": None, "items": []}))
    page.route("**/v1/training-runs?*", _answer({"items": []}))
    # WHEN a supervisor opens Models on a registry with nothing in it
    sign_in(page, portal, "supervisor")
    page.goto(f"{portal.url}/#/models")
    # THEN each section says what is missing and what to do
    registry = page.get_by_role("region", name="Registry")
    expect(registry).to_contain_text("No model is active")
    expect(registry).to_contain_text("No model versions yet")
    compare = page.get_by_role("region", name="Compare versions")
    expect(compare).to_contain_text("needs two versions")
    expect(page.get_by_role("region", name="Train a new version")).to_contain_text(
        "No training runs yet"
    )
    check_page(page, "supervisor-models-empty")


def test_thresholds_changed_meanwhile_are_shown_before_saving_again(
    page: Any, portal: Portal
) -> None:
    # GIVEN a supervisor proposing new thresholds, and another change saved meanwhile (412)
    sign_in(page, portal, "supervisor")
    page.goto(f"{portal.url}/#/models")
    section = page.get_by_role("region", name="Support-level thresholds")
    expect(section.get_by_test_id("thresholds-in-force")).to_be_visible()
    page.route(
        "**/v1/config/support-levels",
        lambda route: (
            _refuse(412, "precondition_failed")(route)
            if route.request.method == "PUT"
            else route.fallback()
        ),
    )
    escalate = section.get_by_label("Escalate from (negative probability)")
    escalate.fill("0.7")
    section.get_by_label("Reason for the change (recorded)").fill("Escalate sooner")
    # WHEN they save
    section.get_by_role("button", name="Save thresholds").click()
    # THEN they are told, the thresholds in force are shown, and their proposal is kept
    expect(section.get_by_role("alert")).to_contain_text("changed the thresholds meanwhile")
    expect(escalate).to_have_value("0.7")
    check_page(page, "supervisor-models-thresholds-stale")
