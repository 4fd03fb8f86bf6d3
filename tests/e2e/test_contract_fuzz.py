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
# pytest's limit for a run, beyond the run's own so that one is the one that reports.
FUZZ_TIMEOUT = 960
SCHEMATHESIS = Path(sys.executable).parent / "st"
CONFIG = Path(__file__).with_name("schemathesis.toml")
STATEFUL_PHASES = os.environ.get("CARESCORE_FUZZ_STATEFUL_PHASES", "fuzzing,stateful")


def run_schemathesis(
    local_stack: LocalStack,
    tmp_path: Path,
    config: Path,
    role: str,
    *options: str,
    own_account: bool = False,
) -> None:
    """Runs `st run` against the local stack with the hooks; fails on any failure found."""
    report = tmp_path / "report.json"
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(config),
        "run",
        str(SPEC),
        "--url",
        local_stack.base_url,
        *options,
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
        "CARESCORE_FUZZ_OWN_ACCOUNT": "1" if own_account else "0",
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=FUZZ_TIMEOUT - 60,
        check=False,
    )
    summary = result.stdout[-6000:]
    print(result.stdout)  # the cases run and every failure, in the pytest output
    assert result.returncode == 0, summary
    assert json.loads(report.read_text(encoding="utf-8"))


@pytest.mark.timeout(FUZZ_TIMEOUT)
@pytest.mark.parametrize("role", ["supervisor", "customer"])
def test_the_api_keeps_its_contract_under_fuzzing(
    local_stack: LocalStack, role: str, tmp_path: Path
) -> None:
    bearer = f"Authorization: Bearer {local_stack.token(role)}"
    run_schemathesis(local_stack, tmp_path, CONFIG, role, "--header", bearer)


@pytest.mark.timeout(FUZZ_TIMEOUT)
def test_callers_of_every_kind_chaining_calls_never_break_the_contract_or_see_others_data(
    local_stack: LocalStack, tmp_path: Path
) -> None:
    # GIVEN two customers, a machine client, an agent and a supervisor, in the order
    # schemathesis tries them on each operation (the first one the route admits keeps it),
    # and the two customers as peers whose objects must stay private to each other
    identities = {
        "customer": local_stack.token("customer"),
        "customer-2": local_stack.token("customer-2"),
        "machine": local_stack.machine_token(),
        "agent": local_stack.token("agent"),
        "supervisor": local_stack.token("supervisor"),
    }
    document = tmp_path / "identities.json"
    document.write_text(
        json.dumps(
            {
                "auth": [
                    {
                        "name": name,
                        "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {token}"}],
                    }
                    for name, token in identities.items()
                ]
            }
        ),
        encoding="utf-8",
    )
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        CONFIG.read_text(encoding="utf-8")
        + f'\n[auth.wfc]\npath = "{document}"\npeers = ["customer", "customer-2"]\n',
        encoding="utf-8",
    )
    # WHEN schemathesis creates objects, chains each into the calls that take its id
    # (stateful phase), and replays every customer's read of their own object as the other
    # THEN no 5xx, no answer outside the spec, and no customer gets the other's object
    run_schemathesis(
        local_stack,
        tmp_path,
        config,
        "customer",
        "--checks",
        "all",
        "--phases",
        STATEFUL_PHASES,
        own_account=True,
    )
