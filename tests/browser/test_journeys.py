"""Each role's main journey in the portal, end to end through the local stack."""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.sync_api import expect

from infra.stack import emulator_client
from tests.browser.conftest import LAPTOP, Portal, check_page, sign_in

OPEN_REQUEST = re.compile(r"^Open request")


def test_sign_in_page_offers_only_sign_in(page: Any, portal: Portal) -> None:
    # GIVEN nobody signed in WHEN the portal opens
    page.goto(portal.url)
    # THEN it asks for a sign-in and shows no page links
    page.get_by_role("heading", name="Sign in").wait_for()
    assert page.get_by_role("navigation", name="Pages").count() == 0
    check_page(page, "sign-in")


def test_wrong_password_is_refused_with_a_message(page: Any, portal: Portal) -> None:
    # GIVEN the demo agent's username and a wrong password
    page.goto(f"{portal.url}/#/sign-in")
    page.get_by_label("Username").fill(portal.state.user("agent").username)
    page.get_by_label("Password").fill("not-the-password-1A!")
    # WHEN they sign in
    page.get_by_role("button", name="Sign in").click()
    # THEN they stay on the sign-in page and are told why
    page.get_by_role("alert").filter(has_text="username or password").wait_for()
    assert page.get_by_role("button", name="Sign out").count() == 0


def test_a_first_sign_in_with_a_temporary_password_chooses_a_new_one(
    page: Any, portal: Portal
) -> None:
    # GIVEN an agent an administrator created with a temporary password
    username = f"new-agent-{uuid.uuid4().hex[:8]}@example.com"
    temporary, chosen = "Temporary-Pass-1", "My-own-password-2"
    cognito = emulator_client("cognito-idp", portal.state.moto_endpoint)
    pool = portal.state.user_pool_id
    cognito.admin_create_user(
        UserPoolId=pool,
        Username=username,
        TemporaryPassword=temporary,
        UserAttributes=[{"Name": "email", "Value": username}],
        MessageAction="SUPPRESS",
    )
    cognito.admin_add_user_to_group(UserPoolId=pool, Username=username, GroupName="agent")

    # WHEN they sign in with it
    page.goto(f"{portal.url}/#/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(temporary)
    page.get_by_role("button", name="Sign in").click()
    # THEN they are asked for a password of their own, typed twice the same
    form = page.get_by_role("form", name="Choose a new password")
    form.wait_for()
    check_page(page, "sign-in-new-password")
    form.get_by_label("New password", exact=True).fill(chosen)
    form.get_by_label("Repeat the new password").fill(chosen + "!")
    form.get_by_role("button", name="Save and sign in").click()
    expect(form.get_by_role("alert")).to_have_text("The two new passwords are not the same.")
    form.get_by_label("Repeat the new password").fill(chosen)
    form.get_by_role("button", name="Save and sign in").click()
    # AND are then signed in to their queue, and the new password is the one that works
    page.get_by_role("heading", name="Queue").wait_for()
    user = cognito.admin_get_user(UserPoolId=pool, Username=username)
    assert user["UserStatus"] == "CONFIRMED"


def test_customer_request_is_resolved_by_an_agent_and_the_reply_reaches_the_customer(
    browser: Any, portal: Portal
) -> None:
    text = (
        f"My suitcase never arrived in Denver and nobody calls me back. Ref {uuid.uuid4().hex[:8]}"
    )
    reply = "We found your suitcase; it will be delivered to your home tomorrow morning."
    customer = browser.new_context(viewport=LAPTOP).new_page()
    agent = browser.new_context(viewport=LAPTOP).new_page()

    # GIVEN a customer signed in WHEN they send a request
    sign_in(customer, portal, "customer")
    customer.get_by_role("heading", name="My requests", level=1).wait_for()
    customer.get_by_label("How can we help?").fill(text)
    customer.get_by_label("Topic").select_option(label="Lost luggage")
    customer.get_by_label("Airline (optional)").select_option(label="United")
    customer.get_by_role("button", name="Send request").click()
    # THEN they see it among their requests, open and without a reply yet
    customer.get_by_role("status").filter(has_text="your request was sent").wait_for()
    mine = customer.get_by_role("list", name="Your requests").get_by_role("listitem")
    sent = mine.filter(has_text=text)
    sent.wait_for()
    assert "Open" in sent.inner_text()
    check_page(customer, "customer-requests")

    # WHEN an agent finds it in the queue (filtered to its category) and opens it
    sign_in(agent, portal, "agent")
    agent.get_by_role("heading", name="Queue").wait_for()
    agent.get_by_label("Category").select_option(label="Lost luggage")
    row = agent.get_by_role("row").filter(has_text=text[:50])
    row.wait_for()
    check_page(agent, "agent-queue")
    row.get_by_role("button", name=OPEN_REQUEST).click()
    dialog = agent.get_by_role("dialog", name="Request")
    dialog.wait_for()
    assert "Negative" in dialog.inner_text()
    check_page(agent, "agent-task")
    # AND assigns it to themself, resolves it and replies
    dialog.get_by_role("button", name="Assign to me").click()
    assert dialog.get_by_label("Assignee").input_value() == portal.state.user("agent").username
    dialog.get_by_label("Status").select_option(label="Resolved")
    dialog.get_by_label("Reply to the customer").fill(reply)
    dialog.get_by_role("button", name="Save").click()
    # THEN the queue shows it resolved
    dialog.wait_for(state="hidden")
    row.filter(has_text="Resolved").wait_for()

    # AND the customer sees the reply and the new status
    customer.get_by_role("button", name="Refresh").click()
    sent.filter(has_text=reply).wait_for()
    assert "Resolved" in sent.inner_text()
    check_page(customer, "customer-reply")
    customer.context.close()
    agent.context.close()


def test_each_role_sees_only_its_own_pages(browser: Any, portal: Portal) -> None:
    for role, page_name, hidden in (
        ("customer", "My requests", "Queue"),
        ("agent", "Queue", "Models"),
        ("supervisor", "Review", "My requests"),
    ):
        page = browser.new_context(viewport=LAPTOP).new_page()
        # GIVEN someone signed in with `role`
        sign_in(page, portal, role)
        nav = page.get_by_role("navigation", name="Pages")
        # THEN the header names them and lists only their pages
        assert portal.state.user(role).username in page.get_by_role("banner").inner_text()
        assert nav.get_by_role("link", name=page_name).count() == 1
        assert nav.get_by_role("link", name=hidden).count() == 0
        # AND a page of another role, asked for by address, is not shown
        other = {"customer": "queue", "agent": "models", "supervisor": "requests"}[role]
        page.goto(f"{portal.url}/#/{other}")
        page.get_by_role("heading", name=page_name, level=1).wait_for()
        if role == "supervisor":
            assert nav.get_by_role("link", name="Queue").count() == 1
            assert nav.get_by_role("link", name="Models").count() == 1
            agreement = page.get_by_role("region", name="Agreement")
            expect(agreement.get_by_role("table")).to_be_visible()
            check_page(page, "supervisor-landing")
        # AND signing out returns to the sign-in page, with the session gone
        page.get_by_role("button", name="Sign out").click()
        page.get_by_role("heading", name="Sign in").wait_for()
        page.goto(f"{portal.url}/#/{other}")
        page.get_by_role("heading", name="Sign in").wait_for()
        page.context.close()


def test_queue_filters_by_support_level(page: Any, portal: Portal) -> None:
    # GIVEN an agent on the queue
    sign_in(page, portal, "agent")
    page.get_by_role("heading", name="Queue").wait_for()
    # WHEN they keep only escalations of any status
    page.get_by_label("Status").select_option(label="Any status")
    page.get_by_label("Support level").select_option(label="Escalate")
    # THEN rows are listed (the demo data has escalations) and every one is an escalation;
    # rows first, so an empty table still loading cannot pass the second check
    tasks = page.get_by_role("row").filter(has=page.get_by_role("cell"))
    expect(tasks).not_to_have_count(0, timeout=30_000)
    expect(tasks.filter(has_not_text="Escalate")).to_have_count(0, timeout=30_000)


def test_a_task_opens_and_closes_from_the_keyboard(page: Any, portal: Portal) -> None:
    # GIVEN an agent on the queue, focus on the first task's Open button
    sign_in(page, portal, "agent")
    first = page.get_by_role("button", name=OPEN_REQUEST).first
    first.focus()
    # WHEN they press Enter THEN the task opens as a dialog
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Request")
    dialog.wait_for()
    # WHEN they press Escape THEN it closes and focus is back where they were
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    expect(first).to_be_focused()
