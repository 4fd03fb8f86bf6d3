"""Demo history for the local stack: a fixed sample of the airline CSV at the tweets' own
times (or texts written for the project when it is absent), imported through the API as an
internal system would bring its history."""

from __future__ import annotations

import csv
import hashlib
import html
import json
import random
import re
import time
import urllib.error
import urllib.request
from collections import defaultdict
from datetime import UTC, datetime, timedelta

SEED_COUNT = 1500
# Most of the sample comes whole from authors with several tweets, so the demo has real
# series of negative requests (accounts at risk); the rest is a plain sample of the others.
REPEAT_AUTHORS_SHARE = 0.6
REPEAT_AUTHOR_TWEETS = 3
IMPORT_BATCH = 100
SEED_TIMEOUT_SECONDS = 300.0
CATCH_UP_TIMEOUT_SECONDS = 300.0  # for the aggregator to read the seeded tasks' stream
DEMO_CUSTOMER_SHARE = 30  # one demo task in thirty is the demo customer's own: 50 requests
TWEET_TIME = "%d-%m-%Y %H:%M"
# Characters an account id may not hold (the API's AccountId pattern).
ACCOUNT_UNSAFE = re.compile(r"[^A-Za-z0-9_.@:+-]")

# Written for the project: what the stack replays when the airline CSV is not there.
DEMO_TASKS: tuple[dict[str, str], ...] = (
    {
        "text": "My order arrived broken and nobody answers the phone. This is the third time.",
        "account_id": "demo-ana",
        "category": "damaged_item",
    },
    {
        "text": "Thanks, the replacement came a day early and works perfectly!",
        "account_id": "demo-ben",
        "category": "delivery",
    },
    {
        "text": "Can you tell me when the store opens on Sunday?",
        "account_id": "demo-chen",
        "category": "question",
    },
    {
        "text": "I was charged twice for one subscription and I want a refund today.",
        "account_id": "demo-ana",
        "category": "billing",
    },
    {
        "text": "The app keeps logging me out, so annoying. Please fix it.",
        "account_id": "demo-dev",
        "category": "technical",
    },
)


def demo_tasks(count: int = SEED_COUNT) -> list[dict[str, str]]:
    """History to import: a fixed sample of the airline CSV at the tweets' own times, else
    the project's own texts over the last days."""
    from model_build import shared_data_file

    path = shared_data_file()
    if path is None:
        now = datetime.now(UTC)
        return [
            task
            | {
                "channel": "web",
                "external_id": f"demo-{index}",
                "created_at": (now - timedelta(days=len(DEMO_TASKS) - index)).isoformat(),
            }
            for index, task in enumerate(DEMO_TASKS)
        ]
    with path.open(encoding="utf-8-sig", newline="") as source:
        rows = [row for row in csv.DictReader(source) if (row.get("text") or "").strip()]
    return [_task(row) for row in _sample(rows, count)]


def _sample(rows: list[dict[str, str]], count: int) -> list[dict[str, str]]:
    by_author: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_author[row.get("name") or "unknown"].append(row)
    repeat = sorted(a for a, found in by_author.items() if len(found) >= REPEAT_AUTHOR_TWEETS)
    generator = random.Random(20150224)
    generator.shuffle(repeat)
    chosen: list[dict[str, str]] = []
    for author in repeat:
        if len(chosen) >= count * REPEAT_AUTHORS_SHARE:
            break
        chosen += by_author[author]
    others = [
        row for row in rows if len(by_author[row.get("name") or "unknown"]) < REPEAT_AUTHOR_TWEETS
    ]
    chosen += generator.sample(others, min(count - len(chosen), len(others)))
    return chosen


def _task(row: dict[str, str]) -> dict[str, str]:
    created = datetime.strptime(row["tweet_created"], TWEET_TIME).replace(tzinfo=UTC)
    fingerprint = hashlib.sha256(
        "\0".join((row.get("name", ""), row["tweet_created"], row["text"])).encode()
    ).hexdigest()[:24]
    task = {
        "external_id": f"tweet-{fingerprint}",
        "created_at": created.isoformat(),
        # The tweets come as Twitter served them, with HTML entities ("&amp;"): a request's
        # text is what the person wrote.
        "text": html.unescape(row["text"]),
        "account_id": ACCOUNT_UNSAFE.sub("_", row.get("name") or "unknown"),
        "category": (row.get("negativereason") or "").strip() or "general",
        "channel": "twitter",
    }
    if row.get("airline"):
        task["product"] = row["airline"]
    return task


def seed(
    base_url: str, tasks: list[dict[str, str]], token: str | None = None
) -> tuple[int, list[str]]:
    """Imports the tasks through /v1/tasks/import, 100 a call, through the local gateway
    (as the bearer of `token`); returns (created, problems). Seeding twice creates nothing
    new: each task has its external id."""
    created, problems = 0, []
    auth = {"authorization": f"Bearer {token}"} if token else {}
    deadline = time.monotonic() + SEED_TIMEOUT_SECONDS
    for start in range(0, len(tasks), IMPORT_BATCH):
        if time.monotonic() > deadline:
            problems.append("seeding stopped: it took too long")
            break
        request = urllib.request.Request(
            f"{base_url}/v1/tasks/import",
            data=json.dumps({"items": tasks[start : start + IMPORT_BATCH]}).encode(),
            headers={"content-type": "application/json"} | auth,
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                imported = json.loads(response.read())["imported"]
                created += sum(item["created"] for item in imported)
        except urllib.error.HTTPError as error:
            problems.append(f"HTTP {error.code}: {error.read()[:200].decode(errors='replace')}")
        except OSError as error:
            problems.append(str(error))
    return created, problems


def owned_by(tasks: list[dict[str, str]], customer_sub: str | None) -> list[dict[str, str]]:
    """Gives the demo customer a few of the tasks, so signing in as them shows a history."""
    if customer_sub is None:
        return tasks
    return [
        task | {"account_id": customer_sub} if index % DEMO_CUSTOMER_SHARE == 0 else task
        for index, task in enumerate(tasks)
    ]
