"""How the local stack runs a Lambda handler: the context object it passes, the import of
the handler the template names, and the loop of one function instance, the child side of
a worker (see infra/workers.py).

Run as `python -m infra.lambda_runtime CODE_DIR HANDLER FD_IN FD_OUT` with the function's
own environment. It imports the handler once (the cold start), says `{"ready": true}` on
FD_OUT, then serves invocations one at a time, as a Lambda execution environment does: a
JSON line on FD_IN (`{"id", "event", "timeout_ms"}`) in, a JSON line on FD_OUT
(`{"id", "result"}` or `{"id", "error"}`) out. The error is the payload Lambda returns
for an unhandled error (`errorType`, `errorMessage`, `stackTrace`). Whatever the handler
prints, and the traceback of an error, go to stdout and stderr, which the parent turns
into the function's log. Stopping an invocation that runs past its timeout is the
parent's job: it kills this process.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.template import ACCOUNT_ID, REGION

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class LambdaContext:
    """The attributes of the Lambda context object that handlers and powertools read."""

    function_name: str
    memory_limit_in_mb: int
    timeout_seconds: float
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = "local"
    _deadline: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self._deadline = time.monotonic() + self.timeout_seconds

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def error_payload(error: BaseException, error_type: str | None = None) -> dict[str, Any]:
    """What Lambda's Python runtime returns for an unhandled error."""
    return {
        "errorType": error_type or type(error).__name__,
        "errorMessage": str(error),
        "stackTrace": traceback.format_tb(error.__traceback__),
    }


def load_handler(code_dir: Path, handler: str) -> Handler:
    """Imports `handler` ("package.module.attribute") with `code_dir` first on sys.path, as
    Lambda puts the function's code root (/var/task) there."""
    if str(code_dir) not in sys.path:
        sys.path.insert(0, str(code_dir))
    module_name, _, attribute = handler.rpartition(".")
    loaded: Handler = getattr(importlib.import_module(module_name), attribute)
    return loaded


def _answer(out: Any, message: dict[str, Any]) -> None:
    out.write(json.dumps(message, separators=(",", ":")) + "\n")
    out.flush()


def serve(code_dir: Path, handler_name: str, fd_in: int, fd_out: int) -> None:
    """Answers invocations until the parent closes FD_IN."""
    function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "local")
    memory = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
    requests = os.fdopen(fd_in, encoding="utf-8")
    out = os.fdopen(fd_out, "w", encoding="utf-8")
    init_error: dict[str, Any] | None = None
    handler: Handler | None = None
    try:
        handler = load_handler(code_dir, handler_name)
    except Exception as error:  # Lambda reports an init failure on every invocation
        traceback.print_exc()
        init_error = error_payload(error, "Runtime.ImportModuleError")
    _answer(out, {"ready": True})  # the init phase is over; invocations time from here
    for line in requests:
        request = json.loads(line)
        if handler is None:
            _answer(out, {"id": request["id"], "error": init_error})
            continue
        context = LambdaContext(function_name, memory, int(request["timeout_ms"]) / 1000)
        context.aws_request_id = request["id"]
        try:
            result = handler(request["event"], context)
        except Exception as error:
            print(f"[ERROR] {type(error).__name__}: {error}", file=sys.stderr)
            traceback.print_exc()
            _answer(out, {"id": request["id"], "error": error_payload(error)})
            continue
        try:
            _answer(out, {"id": request["id"], "result": result})
        except (TypeError, ValueError) as error:
            _answer(
                out, {"id": request["id"], "error": error_payload(error, "Runtime.MarshalError")}
            )


if __name__ == "__main__":
    # Ctrl-C at the terminal reaches the whole process group; the parent stops instances.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    code_directory, handler_path, read_fd, write_fd = sys.argv[1:5]
    # The launch directory (the repository) is no part of a function's code.
    if sys.path and sys.path[0] == os.getcwd():
        sys.path.pop(0)
    os.chdir(code_directory)
    serve(Path(code_directory), handler_path, int(read_fd), int(write_fd))
