"""API benchmark against the local stack on loopback.

Phase 1 (HTTP): starts `carescore local` as a subprocess and measures throughput and
p50/p99 latency of POST /v1/sentiment (1 and 25 texts) and POST /v1/tasks at 1, 4 and 16
concurrent clients (keep-alive connections), as the machine client with a client-credentials
token from the stack's /oauth2/token (so every request also pays for the gateway's JWT
check). Each cell stops after --requests requests or --seconds seconds, whichever first.

Phase 2 (in process): builds the same stack, then calls the handler in this process (with
its function's environment, as its worker would have it)
directly with payload-2.0 events (carrying the machine client's claims, as the authorizer
would put them), timing SentimentModel.score inside it, so the time in the
handler splits into model scoring and everything else (validation, DynamoDB, serialisation).

    .venv/bin/python bench/api_bench.py [--requests 300] [--seconds 8] [--out bench/results]

Prints a table and writes bench/results/api_bench-<time>.json.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import platform
import random
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from infra.demo import DEMO_TASKS  # noqa: E402
from infra.http_events import Request, build_event, map_result  # noqa: E402
from infra.lambda_runtime import LambdaContext, load_handler  # noqa: E402
from model_build import shared_data_file  # noqa: E402

CONCURRENCY = (1, 4, 16)


def load_texts(count: int = 2000) -> list[str]:
    """Real customer-service texts when the airline CSV is there, else the local stack's
    own demo texts."""
    path = shared_data_file()
    if path is None:
        return [task["text"] for task in DEMO_TASKS]
    with path.open(encoding="utf-8-sig", newline="") as source:
        texts = [row["text"] for row in csv.DictReader(source) if row["text"].strip()]
    return random.Random(7).sample(texts, min(count, len(texts)))


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    body: Callable[[random.Random], dict[str, Any]]


def scenarios(texts: list[str]) -> list[Scenario]:
    def task(rng: random.Random) -> dict[str, Any]:
        return {
            "text": rng.choice(texts),
            "account_id": f"bench-{rng.randrange(500)}",
            "category": rng.choice(["Late Flight", "Customer Service Issue", "Lost Luggage"]),
            "channel": "twitter",
        }

    return [
        Scenario("sentiment x1", "/v1/sentiment", lambda rng: {"texts": [rng.choice(texts)]}),
        Scenario(
            "sentiment x25",
            "/v1/sentiment",
            lambda rng: {"texts": [rng.choice(texts) for _ in range(25)]},
        ),
        Scenario("tasks create", "/v1/tasks", task),
    ]


@dataclass
class Cell:
    scenario: str
    clients: int
    requests: int
    errors: int
    seconds: float
    throughput_rps: float
    p50_ms: float
    p99_ms: float
    mean_ms: float


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def run_cell(
    base_url: str,
    scenario: Scenario,
    clients: int,
    max_requests: int,
    max_seconds: float,
    *,
    token: str | None = None,
) -> Cell:
    """`clients` threads, each on its own keep-alive connection, share a request budget."""
    split = urlsplit(base_url)
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    budget = iter(range(max_requests))
    deadline = time.perf_counter() + max_seconds
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"

    def client(seed: int) -> None:
        nonlocal errors
        rng = random.Random(seed)
        connection = http.client.HTTPConnection(
            split.hostname or "127.0.0.1", split.port, timeout=60
        )
        try:
            while time.perf_counter() < deadline:
                with lock:
                    if next(budget, None) is None:
                        return
                payload = json.dumps(scenario.body(rng)).encode()
                started = time.perf_counter()
                connection.request("POST", scenario.path, payload, headers)
                response = connection.getresponse()
                response.read()
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    errors += response.status >= 400
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(seed,)) for seed in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    millis = [latency * 1000 for latency in latencies]
    return Cell(
        scenario=scenario.name,
        clients=clients,
        requests=len(latencies),
        errors=errors,
        seconds=round(wall, 3),
        throughput_rps=round(len(latencies) / wall, 1) if wall else 0.0,
        p50_ms=round(_percentile(millis, 0.50), 2),
        p99_ms=round(_percentile(millis, 0.99), 2),
        mean_ms=round(statistics.fmean(millis), 2) if millis else float("nan"),
    )


@contextmanager
def local_stack_process() -> Iterator[tuple[str, str | None]]:
    """`carescore local` on a free loopback port; yields its base URL and a machine token
    (None when the template declares no sign-in)."""
    from infra.process import StackProcess
    from infra.state import client_token, read_state

    stack = StackProcess(
        {
            "CARESCORE_SEED": "0",
            "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
        }
    )
    try:
        token = client_token(read_state(stack.state_file)) if stack.state_file.is_file() else None
        yield stack.base_url, token
    finally:
        stack.stop(signal.SIGTERM)


def http_phase(texts: list[str], max_requests: int, max_seconds: float) -> list[Cell]:
    cells: list[Cell] = []
    with local_stack_process() as (base_url, token):
        print(f"local stack at {base_url}", file=sys.stderr)
        for scenario in scenarios(texts):
            run_cell(base_url, scenario, 2, 20, 5, token=token)  # warm-up: model cache, connections
            for clients in CONCURRENCY:
                cell = run_cell(base_url, scenario, clients, max_requests, max_seconds, token=token)
                print(
                    f"  {cell.scenario:<14} clients={clients:<3} {cell.throughput_rps:>8} req/s"
                    f"  p50 {cell.p50_ms} ms  p99 {cell.p99_ms} ms  errors {cell.errors}",
                    file=sys.stderr,
                )
                cells.append(cell)
    return cells


@dataclass
class Split:
    scenario: str
    calls: int
    handler_ms: float
    model_ms: float
    other_ms: float
    model_share: float


def _machine_authorizer(running: Any) -> dict[str, Any] | None:
    """The event's `authorizer` for the machine client with all its scopes, as the JWT
    authorizer would pass it (None when the template declares no sign-in)."""
    from infra.auth import authorizer_context
    from infra.cognito import client_credentials_claims

    machine = running.machine_client()
    if running.cognito is None or machine is None:
        return None
    scopes = list(running.cognito.clients_scopes(machine[0]))
    return authorizer_context(client_credentials_claims(running.cognito.issuer, machine[0], scopes))


# The in-process handler logs warnings only and keeps metric records off the table,
# unless the environment says otherwise.
QUIET_HANDLER = {"POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_METRICS_DISABLED": "true"}


def _in_process_handler(running: Any, function: str) -> Callable[[dict[str, Any], Any], Any]:
    """The function's handler imported into this process, with the function's environment
    (as its worker has it, the quiet log level included) applied to this process's."""
    worker = running.functions.workers[function]
    os.environ.update(worker.environment)
    return load_handler(worker.spec.code_dir, worker.spec.handler)


def in_process_phase(texts: list[str], calls: int, max_seconds: float) -> list[Split]:
    """Handler time per call, split into SentimentModel.score and the rest (means, ms)."""
    os.environ["CARESCORE_SEED"] = "0"
    os.environ.update(QUIET_HANDLER | {k: v for k, v in os.environ.items() if k in QUIET_HANDLER})
    from functions.scoring.model import Prediction, SentimentModel
    from infra.console import Console
    from infra.local import build

    running = build(console=Console(Path(tempfile.mkdtemp(prefix="carescore-bench-")) / "log"))
    authorizer = _machine_authorizer(running)
    scored = threading.local()
    original = SentimentModel.score

    def timed_score(self: SentimentModel, batch: Sequence[str]) -> list[Prediction]:
        started = time.perf_counter()
        try:
            return original(self, batch)
        finally:
            scored.seconds = getattr(scored, "seconds", 0.0) + time.perf_counter() - started

    SentimentModel.score = timed_score  # type: ignore[method-assign,assignment]
    splits: list[Split] = []
    try:
        for scenario in scenarios(texts):
            rng = random.Random(11)
            route = next(
                r for r in running.plan.routes if r.match("POST", scenario.path) is not None
            )
            function = running.plan.functions[route.function]
            handler = _in_process_handler(running, route.function)
            totals: list[float] = []
            models: list[float] = []
            deadline = time.perf_counter() + max_seconds
            for index in range(calls + 5):
                body = json.dumps(scenario.body(rng)).encode()
                request = Request(
                    "POST", scenario.path, [("content-type", "application/json")], body, "127.0.0.1"
                )
                event = build_event(request, route, route.match("POST", scenario.path) or {})
                if authorizer is not None:
                    event["requestContext"]["authorizer"] = authorizer
                context = LambdaContext(function.logical_id, function.memory, function.timeout)
                scored.seconds = 0.0
                started = time.perf_counter()
                response = map_result(handler(event, context))
                elapsed = time.perf_counter() - started
                if response.status >= 400:
                    raise RuntimeError(f"{scenario.name}: HTTP {response.status} {response.body!r}")
                if index >= 5:  # the first calls load the model and open connections
                    totals.append(elapsed)
                    models.append(scored.seconds)
                if time.perf_counter() > deadline:
                    break
            handler_ms = statistics.fmean(totals) * 1000
            model_ms = statistics.fmean(models) * 1000
            splits.append(
                Split(
                    scenario=scenario.name,
                    calls=len(totals),
                    handler_ms=round(handler_ms, 3),
                    model_ms=round(model_ms, 3),
                    other_ms=round(handler_ms - model_ms, 3),
                    model_share=round(model_ms / handler_ms, 3) if handler_ms else 0.0,
                )
            )
    finally:
        SentimentModel.score = original  # type: ignore[method-assign]
        running.close()
    return splits


def render(cells: list[Cell], splits: list[Split]) -> str:
    lines = [
        "HTTP through the local gateway (loopback, keep-alive clients)",
        f"{'scenario':<15}{'clients':>8}{'requests':>10}{'req/s':>10}{'p50 ms':>10}"
        f"{'p99 ms':>10}{'errors':>8}",
    ]
    lines += [
        f"{c.scenario:<15}{c.clients:>8}{c.requests:>10}{c.throughput_rps:>10}{c.p50_ms:>10}"
        f"{c.p99_ms:>10}{c.errors:>8}"
        for c in cells
    ]
    lines += [
        "",
        "Inside the handler (in process, one caller, mean per call)",
        f"{'scenario':<15}{'calls':>8}{'handler ms':>12}{'model ms':>10}{'other ms':>10}"
        f"{'model %':>9}",
    ]
    lines += [
        f"{s.scenario:<15}{s.calls:>8}{s.handler_ms:>12}{s.model_ms:>10}{s.other_ms:>10}"
        f"{s.model_share * 100:>8.0f}%"
        for s in splits
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=300, help="request budget per cell")
    parser.add_argument("--seconds", type=float, default=8.0, help="time budget per cell")
    parser.add_argument("--calls", type=int, default=200, help="in-process calls per scenario")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-in-process", action="store_true")
    args = parser.parse_args(argv)

    texts = load_texts()
    cells = [] if args.skip_http else http_phase(texts, args.requests, args.seconds)
    splits = [] if args.skip_in_process else in_process_phase(texts, args.calls, args.seconds)
    print(render(cells, splits))
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    result = {
        "when": stamp,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "limits": {"requests": args.requests, "seconds": args.seconds, "calls": args.calls},
        "http": [asdict(cell) for cell in cells],
        "in_process": [asdict(split) for split in splits],
    }
    path = args.out / f"api_bench-{stamp}.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
