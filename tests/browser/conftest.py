"""The portal in Debian's headless Chromium (Playwright) against a local stack started as
`carescore local`, with the demo users it prints. Every page is scanned with axe-core (from
the portal's npm packages) and photographed at laptop and tablet widths into
artifacts/browser/.

Tests wait for what the page shows, never for a fixed time: locators and `expect` retry
until the state appears or their timeout passes. One timeout serves both (WAIT_MS): the
stack answers warm requests in well under a second, so it only bounds how long a test
may hang when something is broken; waits for slow work (a training run) name their own."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.local import PORTAL_DIR, ROOT
from infra.process import StackDidNotStart, StackProcess
from infra.state import LocalState, read_state

playwright_api = pytest.importorskip("playwright.sync_api")
from infra.state import user_token  # noqa: E402

WAIT_MS = 15_000
playwright_api.expect.set_options(timeout=WAIT_MS)

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "artifacts" / "browser"
LAPTOP = {"width": 1366, "height": 800}
TABLET = {"width": 820, "height": 1180}
BLOCKING_IMPACTS = ("serious", "critical")


class Portal:
    """The running stack as a browser sees it: its URL and its demo users' sign-ins."""

    def __init__(self, stack: StackProcess) -> None:
        self.stack = stack
        self.url = stack.base_url
        self.state: LocalState = read_state(stack.state_file)
        self._tokens: dict[str, str] = {}

    def api(self, role: str, method: str, path: str, body: Any = None) -> Any:
        """Calls the API as the demo user with `role` (for a test's own data); the answer's
        JSON. Raises for any status but 2xx."""
        if role not in self._tokens:
            self._tokens[role] = user_token(self.state, role)
        request = urllib.request.Request(
            f"{self.url}{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={
                "authorization": f"Bearer {self._tokens[role]}",
                "content-type": "application/json",
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def create_task(self, text: str, category: str = "Lost Luggage") -> dict[str, Any]:
        """A request sent by the demo customer, for a test that needs one of its own."""
        task: dict[str, Any] = self.api(
            "customer", "POST", "/v1/tasks", {"text": text, "category": category, "channel": "web"}
        )
        return task


@pytest.fixture(scope="session")
def portal() -> Iterator[Portal]:
    if not (PORTAL_DIR / "index.html").is_file():
        pytest.fail("the portal is not built: run `make portal` (make test does it)")
    try:
        stack = StackProcess()
    except StackDidNotStart as error:
        pytest.fail(str(error))
    try:
        yield Portal(stack)
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: `make browser` installs Debian's chromium")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (no session kept) at laptop size."""
    context = browser.new_context(viewport=LAPTOP)
    context.set_default_timeout(WAIT_MS)
    opened = context.new_page()
    yield opened
    context.close()


def sign_in(page: Any, portal: Portal, role: str) -> None:
    """Signs in as the stack's demo user with `role` through the sign-in form."""
    user = portal.state.user(role)
    page.goto(f"{portal.url}/#/sign-in")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """The serious and critical axe-core violations on the page as it is now."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: `make portal` installs the portal's npm packages")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate("axe.run(document, { resultTypes: ['violations'] })")
    return [v for v in results["violations"] if v.get("impact") in BLOCKING_IMPACTS]


# What sticks out past the right edge of the window, when the whole page would scroll
# sideways (a table too wide for its box is fine where the box scrolls it).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  return [...document.querySelectorAll("body *")]
    .filter((element) => element.getBoundingClientRect().right > width + 1)
    .slice(-3)
    .map((element) => `${element.tagName.toLowerCase()}.${element.className}`);
}"""


def check_page(page: Any, name: str) -> None:
    """Asserts no serious or critical accessibility violations, then saves screenshots of the
    page at laptop and tablet widths as artifacts/browser/<name>-<width>.png, and asserts the
    page fits each width (no sideways scrolling of the whole page)."""
    violations = axe_violations(page)
    assert not violations, f"{name}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:3])
        for v in violations
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^a-z0-9-]+", "-", name.lower())
    original = page.viewport_size
    for label, size in (("laptop", LAPTOP), ("tablet", TABLET)):
        page.set_viewport_size(size)
        page.screenshot(path=str(ARTIFACTS / f"{slug}-{label}.png"), full_page=True)
        wider = page.evaluate(OVERFLOW)
        assert not wider, f"{name} at {label} width scrolls sideways, past the edge: {wider}"
    page.set_viewport_size(original)
