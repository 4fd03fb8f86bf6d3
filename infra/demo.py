"""Demo traffic for the local stack: a fixed sample of the airline CSV (or texts written for
the project when it is absent), sent through the API as an internal system would."""

from __future__ import annotations

import csv
import json
import random
import time
import urllib.error
import urllib.request

SEED_COUNT = 20
SEED_TIMEOUT_SECONDS = 30.0
DEMO_CUSTOMER_SHARE = 5  # one demo task in five is the demo customer's own

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
    """Task bodies to seed: a fixed sample of the airline CSV, else the project's own texts."""
    from model_build import shared_data_file

    path = shared_data_file()
    if path is None:
        return [task | {"channel": "web"} for task in DEMO_TASKS]
    with path.open(encoding="utf-8-sig", newline="") as source:
        rows = [row for row in csv.DictReader(source) if (row.get("text") or "").strip()]
    sample = sorted(random.Random(20150224).sample(range(len(rows)), min(count, len(rows))))
    tasks = []
    for index in sample:
        row = rows[index]
        task = {
            "text": row["text"],
            "account_id": row.get("name") or "unknown",
            "category": (row.get("negativereason") or "").strip() or "general",
            "channel": "twitter",
        }
        if row.get("airline"):
            task["product"] = row["airline"]
        tasks.append(task)
    return tasks


def seed(
    base_url: str, tasks: list[dict[str, str]], token: str | None = None
) -> tuple[int, list[str]]:
    """POSTs each task to /v1/tasks through the local gateway (as the bearer of `token`);
    returns (created, problems)."""
    created, problems = 0, []
    auth = {"authorization": f"Bearer {token}"} if token else {}
    deadline = time.monotonic() + SEED_TIMEOUT_SECONDS
    for task in tasks:
        if time.monotonic() > deadline:
            problems.append("seeding stopped: it took too long")
            break
        request = urllib.request.Request(
            f"{base_url}/v1/tasks",
            data=json.dumps(task).encode(),
            headers={"content-type": "application/json"} | auth,
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                created += 200 <= response.status < 300
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
