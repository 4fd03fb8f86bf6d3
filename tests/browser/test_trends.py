"""The supervisor's trends page against the local stack's demo history (airline tweets of
February 2015, with real accounts at risk)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Portal, check_page, sign_in

OPEN_TIMELINE = re.compile(r"^Open the timeline of ")
TRENDS_CALLS = "**/v1/trends/**"
# Trends are read with their intervals computed per request: on a loaded machine a page of
# them can take many seconds, so waits for the API are longer than the context's default.
API_WAIT = 60_000


def open_trends(page: Any, portal: Portal) -> None:
    sign_in(page, portal, "supervisor")
    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Trends").click()
    page.get_by_role("heading", name="Trends", level=1).wait_for()


def test_supervisor_reads_trends_and_follows_up_an_account_at_risk(
    page: Any, portal: Portal
) -> None:
    note = f"Offered a voucher for the delays. Ref {uuid.uuid4().hex[:8]}"

    # GIVEN a supervisor WHEN they open trends
    open_trends(page, portal)
    # THEN a category's net score is charted with its interval, the table holds the same figures
    page.get_by_role("img", name=re.compile(r"^Net score of .+ per week")).wait_for(
        timeout=API_WAIT
    )
    page.get_by_role("button", name="Show the table").click()
    figures = page.get_by_role("table", name=re.compile(r"net score per week$"))
    expect(figures.get_by_role("rowheader").first).to_contain_text("Week of")
    # AND the period's best and worst categories are ranked
    expect(page.get_by_role("table", name="Worst categories").get_by_role("row")).not_to_have_count(
        0
    )

    # WHEN they look at one fortnight of February 2015 day by day
    page.get_by_label("From", exact=True).fill("2015-02-16")
    page.get_by_label("To", exact=True).fill("2015-02-24")
    page.get_by_role("button", name="Show", exact=True).click()
    page.get_by_label("Per", exact=True).select_option(label="Day")
    # THEN the table has a row per day of that range
    days = page.get_by_role("table", name=re.compile(r"net score per day$"))
    expect(days.get_by_role("rowheader")).to_have_count(9, timeout=API_WAIT)
    expect(days.get_by_role("rowheader").first).to_have_text("16 Feb 2015")
    check_page(page, "supervisor-trends")

    # WHEN they open the timeline of the most severe account at risk
    at_risk = page.get_by_role("region", name="Accounts at risk", exact=True)
    first = at_risk.get_by_role("button", name=OPEN_TIMELINE).first
    account = (first.get_attribute("aria-label") or "").removeprefix("Open the timeline of ")
    first.click()
    dialog = page.get_by_role("dialog", name=f"Account {account}")
    # THEN it lists the account's requests with their decisions
    requests = dialog.get_by_role("region", name="Requests of the account")
    expect(requests.get_by_role("row")).not_to_have_count(0, timeout=API_WAIT)
    expect(requests).to_contain_text("Negative")

    # WHEN they record a follow-up
    dialog.get_by_label("How").select_option(label="Voucher")
    dialog.get_by_label("Due date").fill("2026-12-01")
    dialog.get_by_label("Note (optional)").fill(note)
    dialog.get_by_role("button", name="Record follow-up").click()
    # THEN it is open, owned by them
    supervisor = portal.state.user("supervisor").username
    follow_up = dialog.get_by_role("listitem").filter(has_text=note)
    expect(follow_up).to_have_accessible_name(
        f"Follow-up: Voucher by {supervisor}, Open", timeout=API_WAIT
    )
    check_page(page, "supervisor-account-timeline")

    # WHEN they mark it contacted, then resolved
    follow_up.get_by_role("button", name="Mark contacted").click()
    expect(follow_up).to_have_accessible_name(re.compile(r", Contacted$"), timeout=API_WAIT)
    follow_up.get_by_role("button", name="Mark resolved").click()
    # THEN it is resolved, with nowhere further to go, and its history has every step
    expect(follow_up).to_have_accessible_name(re.compile(r", Resolved$"), timeout=API_WAIT)
    expect(follow_up.get_by_role("button", name=re.compile(r"^Mark "))).to_have_count(0)
    follow_up.get_by_text("History (3)").click()
    expect(follow_up.get_by_role("listitem")).to_have_count(3)

    # AND closing the timeline brings the list back
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    at_risk.wait_for()


def test_trends_say_when_the_service_cannot_be_reached(page: Any, portal: Portal) -> None:
    # GIVEN the trend calls cannot reach the API
    page.route(TRENDS_CALLS, lambda route: route.abort("connectionrefused"))
    # WHEN a supervisor opens trends
    open_trends(page, portal)
    # THEN the page says so and offers to try again, which recovers once the API is back
    alert = page.get_by_role("alert").filter(has_text="cannot be reached")
    alert.wait_for(timeout=API_WAIT)
    page.unroute(TRENDS_CALLS)
    alert.get_by_role("button", name="Try again").click()
    page.get_by_role("img", name=re.compile(r"^Net score of ")).wait_for(timeout=API_WAIT)
