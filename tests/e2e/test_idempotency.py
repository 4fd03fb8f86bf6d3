"""The same task request sent at once by several clients with one Idempotency-Key, through
the local stack's gateway to concurrent API function instances: exactly one task."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from tests.e2e.conftest import LocalStack, Reply

SENDERS = 8
RETRIES = 40
COLD_START_SECONDS = 180


def warm_up(local_stack: LocalStack) -> None:
    """Starts the API function's instances before the race: on a loaded machine a cold
    start can take longer than a client waits, and the race is about warm instances."""

    def health(_: int) -> Reply:
        return local_stack.call("GET", "/v1/health", timeout=COLD_START_SECONDS)

    with ThreadPoolExecutor(SENDERS) as pool:
        replies = list(pool.map(health, range(SENDERS)))
    assert {reply.status for reply in replies} == {200}


def test_one_request_sent_concurrently_with_one_idempotency_key_makes_one_task(
    local_stack: LocalStack,
) -> None:
    # GIVEN a machine client that sends the same request from eight threads at once, each
    # retrying while the first attempt is still in progress (409), as a client would
    token = local_stack.machine_token()
    account = f"idem-{uuid.uuid4().hex[:12]}"
    body = {
        "text": "my bag never arrived and nobody answers",
        "account_id": account,
        "category": "baggage",
        "channel": "api",
    }
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    start = threading.Barrier(SENDERS)
    warm_up(local_stack)

    def send(_: int) -> list[Reply]:
        start.wait()
        replies = [local_stack.call("POST", "/v1/tasks", body, headers, token=token)]
        while replies[-1].status == 409 and len(replies) < RETRIES:
            time.sleep(0.05)
            replies.append(local_stack.call("POST", "/v1/tasks", body, headers, token=token))
        return replies

    with ThreadPoolExecutor(SENDERS) as pool:
        attempts = list(pool.map(send, range(SENDERS)))

    # THEN every sender ends with the same task, and only "in progress" came before it
    finals = [replies[-1] for replies in attempts]
    assert [reply.status for reply in finals] == [201] * SENDERS, [r.body for r in finals]
    assert len({reply.json()["id"] for reply in finals}) == 1
    earlier = {reply.status for replies in attempts for reply in replies[:-1]}
    assert earlier <= {409}
    # AND the account holds exactly that one task
    listed = local_stack.call("GET", f"/v1/tasks?account_id={account}", token=token)
    assert listed.status == 200, listed.body
    assert [item["id"] for item in listed.json()["items"]] == [finals[0].json()["id"]]
