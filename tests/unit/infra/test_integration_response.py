"""What the HTTP API answers for a Lambda invocation's outcome."""

from __future__ import annotations

import json

from infra.http_events import integration_response
from infra.workers import Outcome

TIMED_OUT = Outcome(error={"errorType": "Sandbox.Timedout", "errorMessage": "timed out"})


def test_a_result_is_mapped_to_its_response() -> None:
    response = integration_response(Outcome(result={"statusCode": 201, "body": "made"}), 29)
    assert (response.status, response.body) == (201, b"made")


def test_a_function_error_is_the_http_apis_own_500() -> None:
    response = integration_response(Outcome(error={"errorType": "ValueError"}), 29)
    assert response.status == 500
    assert json.loads(response.body) == {"message": "Internal Server Error"}


def test_a_timeout_within_the_integration_limit_is_a_function_error() -> None:
    assert integration_response(TIMED_OUT, 29).status == 500


def test_a_function_outlasting_the_integration_limit_is_the_http_apis_503() -> None:
    response = integration_response(TIMED_OUT, 60)
    assert response.status == 503
    assert json.loads(response.body) == {"message": "Service Unavailable"}
