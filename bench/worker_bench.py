"""What running a function in a worker process costs per invocation.

Calls the echo handler of tests/e2e/fixtures (it returns its payload-2.0 event as the
response body) --calls times in this process, then as many times through a warm
FunctionPool instance (one JSON-lines round trip over a pipe pair each), and prints the
median and 99th percentile of each and the difference. No AWS is involved.

    .venv/bin/python bench/worker_bench.py [--calls 2000] [--out bench/results]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from infra.lambda_runtime import LambdaContext, load_handler  # noqa: E402
from infra.workers import FunctionPool, FunctionSpec  # noqa: E402

CODE_DIR = ROOT / "tests" / "e2e" / "fixtures"
HANDLER = "echo_app.lambda_handler"
EVENT_FILE = ROOT / "tests" / "fixtures" / "events" / "http_api_v2.json"


def _time(call: Callable[[], Any], calls: int) -> list[float]:
    for _ in range(min(50, calls)):  # warm caches and the instance
        call()
    timings = []
    for _ in range(calls):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def _summary(timings: list[float]) -> dict[str, float]:
    ordered = sorted(timings)
    return {
        "p50_ms": round(statistics.median(ordered), 4),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1], 4),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()
    event = json.loads(EVENT_FILE.read_text(encoding="utf-8"))
    event["routeKey"] = "GET /v1/echo/{name}"

    handler = load_handler(CODE_DIR, HANDLER)
    in_process = _time(lambda: handler(event, LambdaContext("Echo", 128, 3)), args.calls)

    spec = FunctionSpec(name="Echo", handler=HANDLER, code_dir=CODE_DIR, environment={}, timeout=3)
    pool = FunctionPool(spec, {}, sink=lambda name, line: None)
    pool.warm()
    try:
        through_worker = _time(lambda: pool.invoke(event), args.calls)
    finally:
        pool.close()

    results = {
        "calls": args.calls,
        "event_bytes": len(json.dumps(event)),
        "in_process": _summary(in_process),
        "worker": _summary(through_worker),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    overhead = results["worker"]["p50_ms"] - results["in_process"]["p50_ms"]
    print(f"{'':<12}{'p50 ms':>10}{'p99 ms':>10}")
    for name in ("in_process", "worker"):
        row = results[name]
        print(f"{name:<12}{row['p50_ms']:>10.3f}{row['p99_ms']:>10.3f}")
    print(f"overhead per invocation (p50): {overhead:.3f} ms")
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"worker_bench-{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
