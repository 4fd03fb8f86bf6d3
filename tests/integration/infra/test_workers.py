"""Functions run in worker processes of their own: environment, timeout, concurrency."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.integration.infra.conftest import Platform


def test_a_function_sees_its_own_and_the_globals_variables_not_another_functions(
    platform: Platform,
) -> None:
    a = platform.functions.workers.invoke("EnvA", {}).result["environment"]
    b = platform.functions.workers.invoke("EnvB", {}).result["environment"]
    assert a["ONLY_A"] == "a"
    assert "ONLY_B" not in a
    assert "ONLY_A" not in b
    # references resolve to what the emulator created
    assert b["ONLY_B"] == platform.stack.physical_ids["Items"]
    assert a["SHARED_SETTING"] == b["SHARED_SETTING"] == "from-globals"
    assert a["AWS_LAMBDA_FUNCTION_NAME"] == "EnvA"


def test_an_image_function_runs_from_its_image_command(platform: Platform) -> None:
    outcome = platform.functions.workers.invoke("Packaged", {})
    assert not outcome.failed
    assert outcome.result["function"] == "Packaged"
    assert outcome.result["environment"]["SHARED_SETTING"] == "from-globals"


def test_an_invocation_past_the_timeout_is_stopped_and_reported_as_lambda_does(
    platform: Platform,
) -> None:
    slow = platform.functions.workers["Slow"]
    outcome = slow.invoke({"sleep": 5})
    assert outcome.timed_out
    assert "Task timed out after 2.00 seconds" in outcome.error["errorMessage"]
    assert outcome.duration < 4
    # the next invocation gets a working instance
    assert not slow.invoke({"sleep": 0}).failed


def test_a_warm_instance_serves_the_next_invocation(platform: Platform) -> None:
    slow = platform.functions.workers["Slow"]
    first = slow.invoke({"sleep": 0}).result["pid"]
    assert slow.invoke({"sleep": 0}).result["pid"] == first


def test_concurrent_invocations_use_separate_instances_up_to_the_reserved_concurrency(
    platform: Platform,
) -> None:
    slow = platform.functions.workers["Slow"]  # ReservedConcurrentExecutions: 2
    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(lambda _: slow.invoke({"sleep": 0.5}), range(4)))
    assert not any(outcome.failed for outcome in outcomes)
    assert len({outcome.result["pid"] for outcome in outcomes}) == 2
    assert slow.instances <= 2
