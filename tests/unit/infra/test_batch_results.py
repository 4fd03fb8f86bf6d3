"""What a batch invocation's result lets go: SQS deletions and stream checkpoints."""

from __future__ import annotations

from typing import Any

import pytest

from infra.triggers.sqs import succeeded
from infra.triggers.streams import checkpoint_after
from infra.workers import Outcome

IDS = ["m1", "m2", "m3"]
FAILED = Outcome(error={"errorType": "ValueError", "errorMessage": "boom"})


def _failures(*identifiers: Any) -> Outcome:
    return Outcome(result={"batchItemFailures": [{"itemIdentifier": i} for i in identifiers]})


@pytest.mark.parametrize(
    "result", [None, {}, {"batchItemFailures": []}, {"batchItemFailures": None}]
)
def test_an_empty_or_missing_report_means_the_whole_sqs_batch_succeeded(result: Any) -> None:
    assert succeeded(Outcome(result=result), IDS, report_failures=True) == set(IDS)


def test_reported_sqs_failures_stay_and_the_rest_go() -> None:
    assert succeeded(_failures("m2"), IDS, report_failures=True) == {"m1", "m3"}


@pytest.mark.parametrize("identifier", ["", None, "not-in-batch"])
def test_a_malformed_sqs_report_fails_the_whole_batch(identifier: Any) -> None:
    assert succeeded(_failures(identifier), IDS, report_failures=True) == set()


def test_a_report_is_ignored_unless_the_mapping_asks_for_it() -> None:
    assert succeeded(_failures("m2"), IDS, report_failures=False) == set(IDS)


def test_a_failed_invocation_lets_no_sqs_message_go() -> None:
    assert succeeded(FAILED, IDS, report_failures=True) == set()


SEQUENCE = ["100", "200", "300", "400"]


def test_a_stream_checkpoint_stops_at_the_lowest_reported_failure() -> None:
    assert checkpoint_after(_failures("400", "200"), SEQUENCE, report=True) == 1


def test_a_stream_batch_without_failures_is_checkpointed_past() -> None:
    assert checkpoint_after(Outcome(result=None), SEQUENCE, report=True) == 4


@pytest.mark.parametrize("identifier", ["", None, "999"])
def test_a_malformed_stream_report_fails_the_whole_batch(identifier: Any) -> None:
    assert checkpoint_after(_failures(identifier), SEQUENCE, report=True) is None


def test_a_failed_stream_invocation_checkpoints_nothing() -> None:
    assert checkpoint_after(FAILED, SEQUENCE, report=True) is None
