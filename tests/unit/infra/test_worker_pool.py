"""How a function's pool shares its instances: a burst takes a warm instance that frees
before a cold one could start, and the pool still scales out for the next burst."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from infra.workers import FunctionPool, FunctionSpec, Outcome

COLD_START_SECONDS = 3.0
HANDLER = f"""
import time

time.sleep({COLD_START_SECONDS})  # a slow init phase, as the API's imports are on this machine


def handler(event, context):
    return event
"""


def _spec(code_dir: Path, concurrency: int = 2) -> FunctionSpec:
    return FunctionSpec(
        name="Slow",
        handler="slow_app.handler",
        code_dir=code_dir,
        environment={},
        timeout=10,
        concurrency=concurrency,
    )


def _burst(pool: FunctionPool, count: int) -> list[Outcome]:
    outcomes: list[Outcome] = []
    lock = threading.Lock()

    def one(number: int) -> None:
        outcome = pool.invoke({"n": number})
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


def test_a_burst_is_served_by_the_warm_instance_without_waiting_for_a_cold_start(
    tmp_path: Path,
) -> None:
    (tmp_path / "slow_app.py").write_text(HANDLER)
    pool = FunctionPool(_spec(tmp_path), {}, sink=lambda _name, _line: None)
    try:
        # GIVEN one warm instance
        pool.warm()
        # WHEN three invocations arrive at once
        started = time.monotonic()
        outcomes = _burst(pool, 3)
        took = time.monotonic() - started
        # THEN all are answered by the warm instance in turn, well before a cold start ends
        assert sorted(o.result["n"] for o in outcomes) == [0, 1, 2]
        assert took < COLD_START_SECONDS * 0.8, f"the burst waited {took:.1f} s"
        # AND the pool scaled out meanwhile, up to its cap, for the next burst
        assert pool.instances == 2
    finally:
        pool.close()


def test_an_instance_that_cannot_start_fails_the_invocation_as_lambda_does(
    tmp_path: Path,
) -> None:
    # GIVEN a function whose code directory does not exist: no instance can start
    pool = FunctionPool(_spec(tmp_path / "missing"), {}, sink=lambda _name, _line: None)
    try:
        # WHEN it is invoked THEN the invocation fails with an init error, not a hang
        outcome = pool.invoke({})
        assert outcome.error is not None
        assert outcome.error["errorType"] == "Runtime.InitError"
        assert pool.instances == 0
    finally:
        pool.close()
