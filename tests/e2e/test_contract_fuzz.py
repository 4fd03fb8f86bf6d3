"""Contract fuzzing: schemathesis, with every check but `unsupported_method` (API Gateway
answers a method it has no route for with 404, which is what the local gateway does too),
generates requests from the committed openapi.json and sends them to the local stack as a
supervisor and as a customer. Every answer must be one the spec declares, in the shape it
declares; a request valid by the spec must be accepted, an invalid one refused.

Bounded for `make test` (FUZZ_EXAMPLES per operation, a fixed seed); `make fuzz` runs it
with more examples and a random seed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.e2e.conftest import LocalStack

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "openapi.json"
EXAMPLES = int(os.environ.get("CARESCORE_FUZZ_EXAMPLES", "25"))
SEED = os.environ.get("CARESCORE_FUZZ_SEED", "20261126")
SCHEMATHESIS = Path(sys.executable).parent / "st"


# Beyond the run's own 900 s limit, so that limit is the one that reports.
@pytest.mark.timeout(960)
@pytest.mark.parametrize("role", ["supervisor", "customer"])
def test_the_api_keeps_its_contract_under_fuzzing(
    local_stack: LocalStack, role: str, tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(Path(__file__).with_name("schemathesis.toml")),
        "run",
        str(SPEC),
        "--url",
        local_stack.base_url,
        "--header",
        f"Authorization: Bearer {local_stack.token(role)}",
        "--exclude-checks",
        "unsupported_method",
        "--max-examples",
        str(EXAMPLES),
        "--generation-database",
        "none",
        "--no-color",
        "--report",
        "json",
        "--report-json-path",
        str(report),
        *(["--seed", SEED] if SEED else []),
    ]
    env = os.environ | {
        "SCHEMATHESIS_HOOKS": "tests.e2e.fuzz_hooks",
        "CARESCORE_FUZZ_ROLE": role,
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    summary = result.stdout[-6000:]
    print(summary)  # the cases run and any failures, in the pytest output
    assert result.returncode == 0, summary
    assert json.loads(report.read_text(encoding="utf-8"))
