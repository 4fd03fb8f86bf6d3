"""Load benchmark: the whole product at once on the local stack, the rate stepped up until
it no longer holds, then a check that nothing was lost.

Starts `carescore local` (CARESCORE_SEED=0) on a free loopback port, or uses a running one
(`--state` names its state file), and plays, all at once, at a fixed rate of operations
per second (open loop: each operation starts at its scheduled time, whatever the others
do): two customers sending requests and reading their own list, a machine client
creating tasks (each with an Idempotency-Key) and scoring batches of 25 texts, an agent
listing the queue and updating tasks (GET for the ETag, then PATCH with If-Match),
and a supervisor reviewing tasks (GET, then POST review with If-Match), reading the review
queue, category trends and accounts at risk. Each step runs `--seconds`; the next step
doubles the rate, until a step has an error (a 5xx, a timeout, or a status the operation
should never get) or completes fewer than 90% of its operations in time. A 412 on an
update or review is the optimistic concurrency doing its job (an agent and a supervisor
changed the same task) and is counted as a conflict, not an error.

Afterwards, with the load stopped:
- every task acknowledged with a 2xx is read back (200, same account);
- every acknowledged review is in its task's review history;
- once the aggregator has caught up, the aggregates equal a recount from the tasks
  table's latest revisions (tests/fixtures/recount.py, the recount the property test uses);
- no customer's list ever held another account's task (checked on every read).

Where the time goes: CPU seconds of the stack's own process (the embedded AWS, the
gateway with its JWT checks, the event-source players), of the API function's instances,
of the aggregator's and of this client, per step, from /proc.

    .venv/bin/python bench/load_bench.py [--rates 2 4 8 16] [--seconds 15] [--state FILE]

Prints a table per step and writes bench/results/load_bench-<time>.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from api_bench import load_texts  # noqa: E402

from infra.process import StackProcess  # noqa: E402
from infra.stack import emulator_client  # noqa: E402
from infra.state import LocalState, client_token, read_state, user_token  # noqa: E402
from infra.template import STACK_NAME  # noqa: E402
from tests.fixtures.recount import all_items, recount, stored  # noqa: E402

CATEGORIES = ("Late Flight", "Customer Service Issue", "Lost Luggage", "Cancelled Flight")
PRODUCTS = ("United", "Delta", "US Airways", "American", "Southwest", "Virgin America")
LABELS = ("negative", "neutral", "positive")
BATCH_TEXTS = 25
REQUEST_TIMEOUT_SECONDS = 30.0
STALLED_SECONDS = 20.0  # no new count for this long: the aggregator has caught up or given up
GRACE_SECONDS = 2.0  # after a step's last scheduled start
ON_TIME = 0.9  # a step holds when this share of its operations completed within it
# How often each operation comes up in the mix.
MIX = {
    "customer_create": 3,
    "customer_list": 1,
    "machine_create": 3,
    "machine_score": 2,
    "agent_list": 2,
    "agent_update": 1,
    "supervisor_review": 1,
    "supervisor_queue": 1,
    "supervisor_trends": 1,
    "supervisor_at_risk": 1,
}


@dataclass
class Call:
    status: int
    headers: dict[str, str]
    body: Any
    seconds: float


class Http:
    """Keep-alive connections to the gateway, one per thread."""

    def __init__(self, base_url: str) -> None:
        split = urlsplit(base_url)
        self._host, self._port = split.hostname or "127.0.0.1", split.port
        self._local = threading.local()

    def call(
        self,
        method: str,
        path: str,
        token: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Call:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = http.client.HTTPConnection(
                self._host, self._port, timeout=REQUEST_TIMEOUT_SECONDS
            )
            self._local.connection = connection
        sent = {"authorization": f"Bearer {token}", "content-type": "application/json"}
        payload = None if body is None else json.dumps(body).encode()
        started = time.perf_counter()
        try:
            connection.request(method, path, payload, sent | (headers or {}))
            response = connection.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            connection.close()
            self._local.connection = None
            return Call(0, {}, None, time.perf_counter() - started)
        seconds = time.perf_counter() - started
        decoded = json.loads(raw) if raw[:1] in (b"{", b"[") else raw
        return Call(response.status, dict(response.getheaders()), decoded, seconds)


def _reason(call: Call) -> str:
    """What went wrong, in a few words: the API's error code, or the gateway's message."""
    if call.status == 0:
        return f"no answer within {REQUEST_TIMEOUT_SECONDS:g} s"
    body = call.body if isinstance(call.body, dict) else {}
    error = body.get("error")
    detail = error.get("code") if isinstance(error, dict) else body.get("message")
    return f"HTTP {call.status} {detail or ''}".rstrip()


@dataclass
class Sample:
    operation: str
    status: int
    seconds: float
    error: str | None = None
    conflict: bool = False


@dataclass
class Ledger:
    """What the load was told was done, to check afterwards."""

    tasks: dict[str, str] = field(default_factory=dict)  # task id -> account
    reviews: list[tuple[str, str, int]] = field(default_factory=list)  # task, label, revision
    foreign_reads: int = 0  # customer list items of another account
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_task(self, task: dict[str, Any]) -> None:
        with self.lock:
            self.tasks[task["id"]] = task["account_id"]

    def some_task(self, rng: random.Random) -> str | None:
        with self.lock:
            if not self.tasks:
                return None
            return rng.choice(list(self.tasks))


class Load:
    """The operations of the mix, each returning its samples."""

    def __init__(self, http: Http, tokens: dict[str, str], subs: dict[str, str]) -> None:
        self.http = http
        self.tokens = tokens
        self.subs = subs
        self.ledger = Ledger()
        self.texts = load_texts()
        today = datetime.now(UTC).date()
        self.trend_query = urlencode(
            {"from": (today - timedelta(days=6)).isoformat(), "to": today.isoformat()}
        )

    def run(self, operation: str, rng: random.Random) -> list[Sample]:
        action: Callable[[random.Random], list[Sample]] = getattr(self, operation)
        return action(rng)

    @staticmethod
    def _sample(operation: str, call: Call, expected: set[int], conflict: set[int]) -> Sample:
        if call.status in expected:
            return Sample(operation, call.status, call.seconds)
        if call.status in conflict:
            return Sample(operation, call.status, call.seconds, conflict=True)
        return Sample(operation, call.status, call.seconds, error=_reason(call))

    def _task_body(self, rng: random.Random) -> dict[str, Any]:
        return {
            "text": rng.choice(self.texts),
            "category": rng.choice(CATEGORIES),
            "channel": "web",
            "product": rng.choice(PRODUCTS),
        }

    def customer_create(self, rng: random.Random) -> list[Sample]:
        role = rng.choice(("customer", "customer-2"))
        call = self.http.call("POST", "/v1/tasks", self.tokens[role], self._task_body(rng))
        if call.status == 201:
            self.ledger.add_task(call.body)
        return [self._sample("customer_create", call, {201}, set())]

    def customer_list(self, rng: random.Random) -> list[Sample]:
        role = rng.choice(("customer", "customer-2"))
        call = self.http.call("GET", "/v1/tasks?limit=20", self.tokens[role])
        if call.status == 200:
            foreign = [t for t in call.body["items"] if t["account_id"] != self.subs[role]]
            with self.ledger.lock:
                self.ledger.foreign_reads += len(foreign)
        return [self._sample("customer_list", call, {200}, set())]

    def machine_create(self, rng: random.Random) -> list[Sample]:
        body = self._task_body(rng) | {"account_id": f"acct-{rng.randrange(40)}"}
        headers = {"Idempotency-Key": uuid.uuid4().hex}
        call = self.http.call("POST", "/v1/tasks", self.tokens["machine"], body, headers)
        if call.status == 201:
            self.ledger.add_task(call.body)
        return [self._sample("machine_create", call, {201}, set())]

    def machine_score(self, rng: random.Random) -> list[Sample]:
        body = {"texts": rng.choices(self.texts, k=BATCH_TEXTS)}
        call = self.http.call("POST", "/v1/sentiment", self.tokens["machine"], body)
        return [self._sample("machine_score", call, {200}, set())]

    def agent_list(self, rng: random.Random) -> list[Sample]:
        query = urlencode({"status": "open", "order": "support_level", "limit": 20})
        call = self.http.call("GET", f"/v1/tasks?{query}", self.tokens["agent"])
        return [self._sample("agent_list", call, {200}, set())]

    def _read_then(
        self, role: str, operation: str, rng: random.Random, change: Callable[[str, str], Call]
    ) -> list[Sample]:
        task_id = self.ledger.some_task(rng)
        if task_id is None:
            return self.customer_create(rng)
        read = self.http.call("GET", f"/v1/tasks/{task_id}", self.tokens[role])
        samples = [self._sample(f"{role}_read", read, {200}, set())]
        if read.status == 200:
            changed = change(task_id, read.headers.get("ETag") or read.headers.get("etag", ""))
            samples.append(self._sample(operation, changed, {200, 201}, {412}))
        return samples

    def agent_update(self, rng: random.Random) -> list[Sample]:
        def patch(task_id: str, etag: str) -> Call:
            body = {"assignee": f"agent-{rng.randrange(5)}", "reply_note": "looking into it"}
            return self.http.call(
                "PATCH", f"/v1/tasks/{task_id}", self.tokens["agent"], body, {"If-Match": etag}
            )

        return self._read_then("agent", "agent_update", rng, patch)

    def supervisor_review(self, rng: random.Random) -> list[Sample]:
        def review(task_id: str, etag: str) -> Call:
            label = rng.choice(LABELS)
            call = self.http.call(
                "POST",
                f"/v1/tasks/{task_id}/review",
                self.tokens["supervisor"],
                {"label": label},
                {"If-Match": etag},
            )
            if call.status == 201:
                with self.ledger.lock:
                    self.ledger.reviews.append((task_id, label, call.body["review"]["revision"]))
            return call

        return self._read_then("supervisor", "supervisor_review", rng, review)

    def supervisor_queue(self, rng: random.Random) -> list[Sample]:
        call = self.http.call("GET", "/v1/reviews/queue?limit=20", self.tokens["supervisor"])
        return [self._sample("supervisor_queue", call, {200}, set())]

    def supervisor_trends(self, rng: random.Random) -> list[Sample]:
        path = f"/v1/trends/categories?{self.trend_query}"
        call = self.http.call("GET", path, self.tokens["supervisor"])
        return [self._sample("supervisor_trends", call, {200}, set())]

    def supervisor_at_risk(self, rng: random.Random) -> list[Sample]:
        call = self.http.call("GET", "/v1/accounts/at-risk", self.tokens["supervisor"])
        return [self._sample("supervisor_at_risk", call, {200}, set())]


class CpuMeter:
    """CPU seconds used by the stack's processes, grouped, and by this client (/proc)."""

    GROUPS = (("functions.api.app", "API function"), ("functions.aggregator.app", "aggregator"))
    STACK = "stack process (emulated AWS, gateway, JWT, players)"

    def __init__(self, stack_pid: int) -> None:
        self.stack_pid = stack_pid
        self.tick = os.sysconf("SC_CLK_TCK")

    def _seconds(self, pid: int) -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / self.tick  # utime + stime

    def _group(self, pid: int) -> str:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            return "other functions"
        for marker, name in self.GROUPS:
            if marker in command:
                return name
        return "other functions"

    def _children(self) -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if parent == self.stack_pid:
                found.append(int(entry.name))
        return found

    def read(self) -> dict[int, tuple[str, float]]:
        """Cumulative CPU seconds per process: {pid: (group, seconds)}."""
        found = {self.stack_pid: (self.STACK, self._seconds(self.stack_pid))}
        for pid in self._children():
            found[pid] = (self._group(pid), self._seconds(pid))
        found[os.getpid()] = ("load client (this process)", self._seconds(os.getpid()))
        return found

    @staticmethod
    def used(
        before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]]
    ) -> dict[str, float]:
        """CPU seconds by group between two readings (a process that ended between them, such
        as an instance stopped after a timeout, is not counted)."""
        groups: dict[str, float] = defaultdict(float)
        for pid, (group, seconds) in after.items():
            groups[group] += seconds - before.get(pid, (group, 0.0))[1]
        return {group: round(seconds, 2) for group, seconds in groups.items()}


@dataclass
class Step:
    rate: float
    seconds: float
    planned: int
    completed_in_time: int
    operations_per_s: float
    requests_per_s: float
    errors: int
    conflicts: int
    error_kinds: dict[str, int]
    latency_ms: dict[str, dict[str, float]]
    cpu_seconds: dict[str, float]

    @property
    def held(self) -> bool:
        return not self.errors and self.completed_in_time >= ON_TIME * self.planned


def percentiles(values: list[float]) -> dict[str, float]:
    if len(values) < 2:
        only = values[0] * 1000 if values else float("nan")
        return {"n": len(values), "p50": only, "p99": only}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"n": len(values), "p50": cuts[49] * 1000, "p99": cuts[98] * 1000}


def run_step(load: Load, cpu: CpuMeter, rate: float, seconds: float, seed: int) -> Step:
    """Starts round(rate * seconds) operations at evenly spaced times, open loop."""
    rng = random.Random(seed)
    names = list(MIX)
    planned = [
        rng.choices(names, weights=[MIX[n] for n in names])[0] for _ in range(round(rate * seconds))
    ]
    samples: list[Sample] = []
    lock = threading.Lock()
    deadline_box: list[float] = []

    def one(index: int, operation: str) -> float:
        result = load.run(operation, random.Random(seed * 100_000 + index))
        with lock:
            samples.extend(result)
        return time.perf_counter()

    cpu_before = cpu.read()
    started = time.perf_counter()
    deadline_box.append(started + seconds)
    with ThreadPoolExecutor(max_workers=max(8, int(rate * 2))) as pool:
        futures = []
        for index, operation in enumerate(planned):
            delay = started + index / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            futures.append(pool.submit(one, index, operation))
        # What has not started by the end of the step (plus a grace) never will: a step
        # that falls that far behind did not hold, and waiting out its queue proves nothing.
        wait(futures, timeout=max(0.0, deadline_box[0] + GRACE_SECONDS - time.perf_counter()))
        for future in futures:
            future.cancel()
    elapsed = time.perf_counter() - started
    cpu_after = cpu.read()
    finished = [future.result() for future in futures if not future.cancelled()]
    # In time: done within the step plus one request timeout's grace at most.
    in_time = sum(1 for moment in finished if moment <= deadline_box[0] + GRACE_SECONDS)
    by_operation: dict[str, list[float]] = defaultdict(list)
    error_kinds: dict[str, int] = defaultdict(int)
    for sample in samples:
        by_operation[sample.operation].append(sample.seconds)
        if sample.error:
            error_kinds[f"{sample.operation}: {sample.error}"] += 1
    return Step(
        rate=rate,
        seconds=elapsed,
        planned=len(planned),
        completed_in_time=in_time,
        operations_per_s=len(finished) / elapsed,
        requests_per_s=len(samples) / elapsed,
        errors=sum(error_kinds.values()),
        conflicts=sum(1 for sample in samples if sample.conflict),
        error_kinds=dict(error_kinds),
        latency_ms={name: percentiles(values) for name, values in sorted(by_operation.items())},
        cpu_seconds=CpuMeter.used(cpu_before, cpu_after),
    )


def read_back(load: Load) -> dict[str, int]:
    """Every acknowledged task read back, every acknowledged review found in its history."""
    http, token = load.http, load.tokens["supervisor"]

    def task_ok(item: tuple[str, str]) -> bool:
        task_id, account = item
        call = http.call("GET", f"/v1/tasks/{task_id}", token)
        return call.status == 200 and call.body["account_id"] == account

    reviewed: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for task_id, label, revision in load.ledger.reviews:
        reviewed[task_id].add((label, revision))

    def reviews_ok(item: tuple[str, set[tuple[str, int]]]) -> bool:
        task_id, expected = item
        call = http.call("GET", f"/v1/tasks/{task_id}/reviews", token)
        if call.status != 200:
            return False
        found = {(review["label"], review["revision"]) for review in call.body["items"]}
        return expected <= found

    with ThreadPoolExecutor(max_workers=8) as pool:
        tasks = list(pool.map(task_ok, load.ledger.tasks.items()))
        reviews = list(pool.map(reviews_ok, reviewed.items()))
    return {
        "tasks_acknowledged": len(tasks),
        "tasks_missing": tasks.count(False),
        "reviews_acknowledged": len(load.ledger.reviews),
        "tasks_with_reviews_missing": reviews.count(False),
        "foreign_items_in_customer_lists": load.ledger.foreign_reads,
    }


def stack_resources(state: LocalState) -> dict[str, str]:
    """Logical id -> physical id of what the local stack created from the template."""
    cloudformation = emulator_client("cloudformation", state.moto_endpoint, state.region)
    summaries = cloudformation.list_stack_resources(StackName=STACK_NAME)
    return {
        summary["LogicalResourceId"]: summary["PhysicalResourceId"]
        for summary in summaries["StackResourceSummaries"]
    }


def queued_failures(state: LocalState, queue_url: str) -> int:
    sqs = emulator_client("sqs", state.moto_endpoint, state.region)
    attributes = sqs.get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return sum(int(value) for value in attributes.values())


def redrive_local(state_file: Path) -> dict[str, Any]:
    """`carescore redrive --local` against this stack; returns its report."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "carescore"), "redrive", "--local"],
        env=os.environ | {"CARESCORE_STATE_FILE": str(state_file)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    lines = result.stdout.strip().splitlines()
    report: dict[str, Any] = json.loads(lines[-1]) if lines else {}
    return report | {"exit_code": result.returncode}


def task_items(dynamodb: Any, table: str) -> list[dict[str, Any]]:
    """Every task's latest revision (a scan: this is a check, not a request path)."""
    return all_items(
        dynamodb.scan,
        {
            "TableName": table,
            "FilterExpression": "sk = :task",
            "ExpressionAttributeValues": {":task": {"S": "TASK"}},
            "ConsistentRead": True,
        },
    )


def aggregates_match(state: LocalState, state_file: Path, wait_seconds: float) -> dict[str, Any]:
    """Waits for the aggregator to catch up, then compares the aggregates with a recount.
    Batches the aggregator gave up on (on the on-failure queue, once it stops making
    progress) are redriven as the README says, with `carescore redrive --local`."""
    resources = stack_resources(state)
    dynamodb = emulator_client("dynamodb", state.moto_endpoint, state.region)
    tasks_table, aggregates_table = resources["TasksTable"], resources["AggregatesTable"]
    failures_queue = resources["AggregatorFailuresQueue"]
    started = time.perf_counter()
    redrives: list[dict[str, Any]] = []
    progress: tuple[float, int] = (started, -1)
    while True:
        items = task_items(dynamodb, tasks_table)
        expected_counts, expected_assessments = recount(items)
        partitions = {"TREND#category", "TREND#product"} | {p for p, _, _ in expected_counts}
        counts, assessments, listed = stored(
            dynamodb, aggregates_table, partitions, expected_assessments
        )
        at_risk = {account for account, found in expected_assessments.items() if found.at_risk}
        equal = (
            counts == expected_counts and assessments == expected_assessments and listed == at_risk
        )
        counted = sum(n for (partition, _, _), n in counts.items() if partition == "TREND#category")
        now = time.perf_counter()
        if counted != progress[1]:
            progress = (now, counted)
        stalled = now - progress[0] > STALLED_SECONDS
        if not equal and stalled and queued_failures(state, failures_queue):
            redrives.append(redrive_local(state_file))
            progress = (time.perf_counter(), counted)
            continue
        if equal or now - started > wait_seconds:
            keys = set(counts) | set(expected_counts)
            return {
                "tasks_in_table": len(items),
                "tasks_counted": counted,
                "equal_to_recount": equal,
                "differing_counters": sum(1 for key in keys if counts[key] != expected_counts[key]),
                "accounts": len(expected_assessments),
                "accounts_at_risk": len(at_risk),
                "seconds_to_catch_up": round(now - started, 1),
                "redrives": redrives,
                "failures_still_queued": queued_failures(state, failures_queue),
            }
        time.sleep(2)


def sign_in(state: LocalState) -> tuple[dict[str, str], dict[str, str]]:
    roles = ("customer", "customer-2", "agent", "supervisor")
    tokens = {role: user_token(state, role) for role in roles}
    tokens["machine"] = client_token(state)
    subs = {role: state.user(role).sub for role in ("customer", "customer-2")}
    return tokens, subs


def print_step(step: Step) -> None:
    verdict = "held" if step.held else "did not hold"
    print(
        f"\n{step.rate:g} operations/s for {step.seconds:.1f} s: {verdict}; "
        f"{step.operations_per_s:.1f} operations/s, {step.requests_per_s:.1f} requests/s, "
        f"{step.completed_in_time}/{step.planned} in time, {step.errors} errors, "
        f"{step.conflicts} conflicts (412)"
    )
    for kind, count in step.error_kinds.items():
        print(f"  error {kind}: {count}")
    print(f"  {'operation':<22}{'n':>6}{'p50 ms':>10}{'p99 ms':>10}")
    for name, figures in step.latency_ms.items():
        print(f"  {name:<22}{figures['n']:>6}{figures['p50']:>10.0f}{figures['p99']:>10.0f}")
    total = sum(step.cpu_seconds.values()) or 1.0
    print(f"  CPU {total:.1f} s over {step.seconds:.1f} s ({total / step.seconds:.2f} cores):")
    for group, used in sorted(step.cpu_seconds.items(), key=lambda item: -item[1]):
        print(f"    {group:<55}{used:>7.1f} s {100 * used / total:>5.0f}%")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rates", type=float, nargs="+", default=[2, 4, 8, 16])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--state", type=Path, help="state file of a running local stack")
    parser.add_argument("--catch-up", type=float, default=240.0, help="seconds to wait")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()

    stack = None
    if args.state is None:
        print("starting carescore local (CARESCORE_SEED=0)...", flush=True)
        stack = StackProcess({"CARESCORE_SEED": "0"})
        state_file = stack.state_file
    else:
        state_file = args.state
    try:
        state = read_state(state_file)
        tokens, subs = sign_in(state)
        load = Load(Http(state.gateway_url), tokens, subs)
        cpu = CpuMeter(state.pid)
        print("warming up (a few of every operation)...", flush=True)
        run_step(load, cpu, rate=2, seconds=5, seed=0)
        steps: list[Step] = []
        for number, rate in enumerate(args.rates, 1):
            step = run_step(load, cpu, rate, args.seconds, seed=number)
            steps.append(step)
            print_step(step)
            if not step.held:
                break
        print("\nload stopped; checking what was acknowledged...", flush=True)
        checks = read_back(load)
        checks |= aggregates_match(state, state_file, args.catch_up)
    finally:
        if stack is not None:
            stack.stop()
    held = [step.rate for step in steps if step.held]
    print(f"\nhighest rate held: {max(held) if held else 'none'} operations/s")
    for key, value in checks.items():
        print(f"  {key}: {value}")
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"load_bench-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(
        json.dumps(
            {
                "command": " ".join(sys.argv),
                "machine": {
                    "cpus": os.cpu_count(),
                    "load": os.getloadavg(),
                    "python": platform.python_version(),
                },
                "steps": [asdict(step) | {"held": step.held} for step in steps],
                "highest_rate_held": max(held) if held else None,
                "checks": checks,
            },
            indent=2,
        )
    )
    print(f"wrote {out}")
    lost = checks["tasks_missing"] or checks["tasks_with_reviews_missing"]
    if lost or checks["foreign_items_in_customer_lists"] or not checks["equal_to_recount"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
