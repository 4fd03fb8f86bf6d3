"""Lambda functions run locally, each in processes of its own, as Lambda runs them.

Every function of the template gets a `FunctionPool`: up to its reserved concurrency (or
DEFAULT_CONCURRENCY) instances, each a `python -m infra.lambda_runtime` process with
the function's environment only, so one function never sees another's variables. An instance
serves one invocation at a time and stays warm for the next. When every instance is busy, the
pool scales out as Lambda does (a new instance, up to the cap), but the new one starts in the
background and the invocation takes whichever instance is free first: on this machine a cold
start costs seconds (10 s and more while the machine is busy) where a warm instance frees in
milliseconds, so a burst of requests (a page loading its panels) never waits for a cold start
it does not need, and the instance started stays warm for the next burst. At the cap,
invocations wait for a free instance (Lambda would throttle them; locally a wait is kinder).
An invocation that runs past the function's timeout
is stopped by killing its instance, which is replaced on the next invocation, and is
reported as Lambda reports it (`Sandbox.Timedout`). The instance's output (prints, logs,
tracebacks) goes line by line to a sink with the function's name.

Requests and results travel as JSON lines over a pipe pair per instance: one round trip
per invocation, no process start after the first.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from infra.template import LocalFunction

ROOT = Path(__file__).resolve().parent.parent
# Lambda scales each function out to its reserved concurrency; without one, this many
# instances at most, so a burst cannot start more processes than two cores can carry.
DEFAULT_CONCURRENCY = 4
# Lambda gives the init phase (importing the handler, module-level code) 10 s; a laptop
# starting several functions at once on two cores needs more, and this is no test of it.
INIT_TIMEOUT_SECONDS = 60
# Variables of the caller's environment an instance keeps: what Python needs to start
# (Lambda's image has its own), and the caller's choice of log level.
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "VIRTUAL_ENV", "PYTHONPATH")
CALLER_WINS = ("POWERTOOLS_LOG_LEVEL", "LOG_LEVEL")
# What the platform sets in every instance: no X-Ray daemon or CloudWatch locally.
PLATFORM = {
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
    "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
    "PYTHONUNBUFFERED": "1",  # log lines reach the console as they are written
    "TZ": "UTC",
}
LogSink = Callable[[str, str], None]  # (function name, one line of its output)


@dataclass(frozen=True)
class FunctionSpec:
    """What an instance of a function needs: where its code is, what to call, its limits."""

    name: str
    handler: str  # "package.module.attribute"
    code_dir: Path
    environment: Mapping[str, str]  # resolved; the function's own and the Globals'
    timeout: float  # seconds
    memory: int = 128
    concurrency: int = DEFAULT_CONCURRENCY


@dataclass(frozen=True)
class Outcome:
    """One invocation's result, or Lambda's error payload when it failed."""

    result: Any = None
    error: dict[str, Any] | None = None
    duration: float = 0.0

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def timed_out(self) -> bool:
        return self.error is not None and self.error.get("errorType") == "Sandbox.Timedout"


def instance_environment(spec: FunctionSpec, aws: Mapping[str, str]) -> dict[str, str]:
    """An instance's whole environment: a few of the caller's variables, the AWS endpoint and
    credentials (`aws`), what Lambda sets, then the function's own variables."""
    inherited = {name: os.environ[name] for name in INHERITED if name in os.environ}
    lambda_set = {
        "AWS_LAMBDA_FUNCTION_NAME": spec.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": "local",
        "LAMBDA_TASK_ROOT": str(spec.code_dir),
        "_HANDLER": spec.handler,
    }
    environment = inherited | dict(aws) | PLATFORM | lambda_set | dict(spec.environment)
    for name in CALLER_WINS:  # the caller's log level wins over the template's
        if name in os.environ:
            environment[name] = os.environ[name]
    return environment


class _Instance:
    """One running instance: its process, its request pipe and its answer pipe."""

    def __init__(self, spec: FunctionSpec, environment: Mapping[str, str], sink: LogSink) -> None:
        to_child_read, self._to_child = os.pipe()
        self._from_child, from_child_write = os.pipe()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "infra.lambda_runtime",
                str(spec.code_dir),
                spec.handler,
                str(to_child_read),
                str(from_child_write),
            ],
            cwd=ROOT,
            env=dict(environment),
            pass_fds=(to_child_read, from_child_write),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        os.close(to_child_read)
        os.close(from_child_write)
        self._buffer = b""
        assert self.process.stdout is not None
        self._logs = threading.Thread(
            target=_forward, args=(self.process.stdout, spec.name, sink), daemon=True
        )
        self._logs.start()

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def ready(self) -> bool:
        """Waits for the end of the init phase (the handler imported, or failing to)."""
        return self._receive(INIT_TIMEOUT_SECONDS) is not None

    def invoke(self, request_id: str, event: Any, timeout: float) -> dict[str, Any] | None:
        """Sends one invocation and waits up to `timeout` seconds for its answer; None when
        none came (the instance then needs killing)."""
        line = json.dumps({"id": request_id, "event": event, "timeout_ms": int(timeout * 1000)})
        try:
            os.write(self._to_child, line.encode() + b"\n")
        except BrokenPipeError:
            return None
        return self._receive(timeout)

    def _receive(self, timeout: float) -> dict[str, Any] | None:
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._from_child], [], [], remaining)[0]:
                return None
            chunk = os.read(self._from_child, 1 << 20)
            if not chunk:  # the process ended mid-invocation
                return None
            self._buffer += chunk
        answer, _, self._buffer = self._buffer.partition(b"\n")
        message: dict[str, Any] = json.loads(answer)
        return message

    def stop(self) -> None:
        for fd in (self._to_child, self._from_child):
            with contextlib.suppress(OSError):  # already closed by an earlier stop
                os.close(fd)
        if self.alive:
            self.process.kill()
        self.process.wait()
        self._logs.join(timeout=1)


def _forward(stream: BinaryIO, name: str, sink: LogSink) -> None:
    for raw in stream:
        sink(name, raw.decode("utf-8", errors="replace").rstrip("\n"))


@dataclass
class _Starting:
    """An instance being started in the background for a waiting invocation."""

    done: bool = False
    failure: OSError | None = None


class FunctionPool:
    """The instances of one function: reused warm, at most `spec.concurrency` at once."""

    def __init__(
        self, spec: FunctionSpec, aws: Mapping[str, str], sink: LogSink | None = None
    ) -> None:
        self.spec = spec
        self.environment = instance_environment(spec, aws)
        self._sink = sink or print_line
        self._idle: list[_Instance] = []
        self._count = 0  # idle, busy and starting instances
        self._free = threading.Condition()
        self._closed = False

    def warm(self) -> None:
        """Starts one instance ahead of the first invocation, so it does not pay the start.
        An instance that fails to start is logged; the first invocation then tries again."""
        with self._free:
            if self._count or self._closed:
                return
            self._count += 1
        try:
            self._release(self._start())
        except OSError as error:
            self._sink(self.spec.name, str(error))

    def invoke(self, event: Any, timeout: float | None = None) -> Outcome:
        """Runs one invocation on a free instance; waits for one when all are busy.

        `timeout` (seconds) defaults to the function's; past it the instance is killed and the
        outcome is Lambda's timeout error. An instance that dies mid-invocation gives
        `Runtime.ExitError`. Never raises for the handler's failures.
        """
        limit = self.spec.timeout if timeout is None else timeout
        try:
            instance = self._acquire()
        except OSError as failure:
            return Outcome(error={"errorType": "Runtime.InitError", "errorMessage": str(failure)})
        request_id = str(uuid.uuid4())
        started = time.monotonic()
        answer = instance.invoke(request_id, event, limit)
        duration = time.monotonic() - started
        if answer is None:
            exited = not instance.alive
            self._discard(instance)
            if exited:
                message = (
                    f"RequestId: {request_id} Error: Runtime exited without providing a reason"
                )
                return Outcome(error={"errorType": "Runtime.ExitError", "errorMessage": message})
            self._sink(self.spec.name, f"{request_id} Task timed out after {limit:.2f} seconds")
            message = f"RequestId: {request_id} Error: Task timed out after {limit:.2f} seconds"
            error = {"errorType": "Sandbox.Timedout", "errorMessage": message}
            return Outcome(error=error, duration=duration)
        self._release(instance)
        if "error" in answer:
            return Outcome(error=answer["error"], duration=duration)
        return Outcome(result=answer.get("result"), duration=duration)

    def _start(self) -> _Instance:
        """A new instance, through its init phase (which Lambda does not count in the
        invocation's timeout). Raises OSError when it cannot start."""
        try:
            instance = _Instance(self.spec, self.environment, self._sink)
        except OSError:
            with self._free:
                self._count -= 1
                self._free.notify()
            raise
        if not instance.ready():
            self._discard(instance)
            raise OSError(f"{self.spec.name}: the instance did not finish its init phase")
        return instance

    def _acquire(self) -> _Instance:
        """A free instance. While none is, and the pool is below its cap, a new one starts in
        the background; this takes whichever is free first, the new one or a busy one that
        finishes meanwhile. Raises OSError when the instance this call started could not
        start and none came free."""
        starting: _Starting | None = None
        with self._free:
            while True:
                if self._closed:
                    raise RuntimeError(f"{self.spec.name}: the function's pool is closed")
                while self._idle and not self._idle[-1].alive:  # died while idle: replace it
                    self._idle.pop().stop()
                    self._count -= 1
                if self._idle:
                    return self._idle.pop()
                if starting is not None and starting.failure is not None:
                    raise starting.failure
                if (starting is None or starting.done) and self._count < self.spec.concurrency:
                    self._count += 1
                    starting = _Starting()
                    threading.Thread(
                        target=self._start_in_background,
                        args=(starting,),
                        name=f"{self.spec.name}-start",
                        daemon=True,
                    ).start()
                self._free.wait()

    def _start_in_background(self, starting: _Starting) -> None:
        """Starts one instance and puts it with the idle ones (or records why it could not
        start), waking whoever waits for one."""
        try:
            instance = self._start()
        except OSError as failure:
            with self._free:
                starting.failure = failure
                starting.done = True
                self._free.notify_all()
            return
        with self._free:
            starting.done = True
        self._release(instance)

    def _release(self, instance: _Instance) -> None:
        with self._free:
            if not self._closed:
                self._idle.append(instance)
                self._free.notify()
                return
        instance.stop()

    def _discard(self, instance: _Instance) -> None:
        instance.stop()
        with self._free:
            self._count -= 1
            self._free.notify()

    @property
    def instances(self) -> int:
        """How many instances exist now (idle, busy or starting)."""
        with self._free:
            return self._count

    def close(self) -> None:
        """Stops the idle instances now and each busy one when its invocation ends."""
        with self._free:
            self._closed = True
            idle, self._idle = self._idle, []
            self._free.notify_all()
        for instance in idle:
            instance.stop()


def print_line(name: str, line: str) -> None:
    """The default sink: each line on stderr, after the function's name."""
    print(f"{name} | {line}", file=sys.stderr, flush=True)


@dataclass
class Workers:
    """The pools of every function of a stack, by function name."""

    pools: dict[str, FunctionPool] = field(default_factory=dict)

    def __getitem__(self, name: str) -> FunctionPool:
        return self.pools[name]

    def invoke(self, name: str, event: Any, timeout: float | None = None) -> Outcome:
        return self.pools[name].invoke(event, timeout)

    def close(self) -> None:
        for pool in self.pools.values():
            pool.close()


def function_spec(
    function: LocalFunction, environment: Mapping[str, str], root: Path
) -> FunctionSpec:
    """A template function as the workers run it (its CodeUri relative to `root`)."""
    return FunctionSpec(
        name=function.logical_id,
        handler=function.handler,
        code_dir=(root / (function.code_uri or ".")).resolve(),
        environment=environment,
        timeout=float(function.timeout),
        memory=function.memory,
        concurrency=function.reserved_concurrency or DEFAULT_CONCURRENCY,
    )


def start_workers(
    functions: Mapping[str, LocalFunction],
    environments: Mapping[str, Mapping[str, str]],
    aws: Mapping[str, str],
    root: Path,
    *,
    sink: LogSink | None = None,
    warm: Collection[str] = (),
) -> Workers:
    """A pool per function. The `warm` ones get an instance now (in parallel), so their
    first invocations (HTTP requests, say) do not wait for a cold start; the others start
    one on their first invocation, as Lambda does."""
    workers = Workers(
        {
            name: FunctionPool(function_spec(function, environments.get(name, {}), root), aws, sink)
            for name, function in functions.items()
        }
    )
    starters = [threading.Thread(target=workers[name].warm) for name in warm]
    for starter in starters:
        starter.start()
    for starter in starters:
        starter.join()
    return workers
