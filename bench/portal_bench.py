"""Portal benchmark: how soon the agent queue is usable after navigation, on the local stack.

Starts `carescore local` as a subprocess (with its demo tasks), signs the demo agent in
through the portal in Debian's headless Chromium, then loads the queue --runs times in a
fresh page of the same session (a full navigation: HTML, JavaScript, config.json, session
check, the first page of tasks). "Usable" is the first task's Open button being visible;
the portal's own `carescore:queue-ready` performance mark is reported beside it. Also
prints the initial JavaScript size the build reports.

    .venv/bin/python bench/portal_bench.py [--runs 10] [--out bench/results]

Needs `make portal` and /usr/bin/chromium. Writes bench/results/portal_bench-<time>.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from infra.local import PORTAL_DIR
from infra.process import StackProcess
from infra.state import read_state

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
READY_MARK = "carescore:queue-ready"


def measure(runs: int) -> dict[str, list[float]]:
    """Milliseconds from navigation to a usable queue (wall clock and the portal's mark)."""
    stack = StackProcess()
    wall: list[float] = []
    marked: list[float] = []
    try:
        agent = read_state(stack.state_file).user("agent")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
            page = browser.new_page(viewport={"width": 1366, "height": 800})
            page.goto(f"{stack.base_url}/#/sign-in")
            page.get_by_label("Username").fill(agent.username)
            page.get_by_label("Password").fill(agent.password)
            page.get_by_role("button", name="Sign in").click()
            page.get_by_role("heading", name="Queue").wait_for()
            for _ in range(runs):
                # Leaving the page and coming back is a full load; the session stays in the
                # tab's sessionStorage, as it does for a person who reloads.
                page.goto("about:blank")
                started = time.perf_counter()
                page.goto(f"{stack.base_url}/#/queue")
                page.get_by_role("button", name="Open request").first.wait_for()
                wall.append((time.perf_counter() - started) * 1000)
                marked.append(
                    page.evaluate(f"performance.getEntriesByName('{READY_MARK}')[0].startTime")
                )
            browser.close()
    finally:
        stack.stop()
    return {"wall_ms": wall, "mark_ms": marked}


def initial_js() -> str:
    """The build's own report of its initial JavaScript (web/scripts/size.mjs)."""
    done = subprocess.run(
        ["node", "scripts/size.mjs"], cwd=ROOT / "web", capture_output=True, text=True, check=False
    )
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    if not (PORTAL_DIR / "index.html").is_file():
        print("the portal is not built: run `make portal`", file=sys.stderr)
        return 2
    figures = measure(args.runs)
    size = initial_js()
    for name, values in figures.items():
        print(
            f"queue usable after navigation ({name}): median {statistics.median(values):.0f} ms, "
            f"max {max(values):.0f} ms over {len(values)} loads"
        )
    print(size)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"portal_bench-{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(figures | {"initial_js": size}, indent=2), encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
