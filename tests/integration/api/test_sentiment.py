"""POST /v1/sentiment through the handler, against moto."""

from __future__ import annotations

import boto3
import pytest

from functions.scoring.features import MAX_TEXT_CHARS
from tests.integration.api.conftest import REGION, Call

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics")


def test_batch_with_a_bad_item_scores_the_others_and_reports_the_bad_one_by_index(
    api: Call, active_model: str
) -> None:
    # GIVEN a batch whose second text is blank and whose fourth is too long
    texts = ["my flight was cancelled", "   ", "thanks for the help", "x" * (MAX_TEXT_CHARS + 1)]
    # WHEN it is scored
    reply = api("POST", "/v1/sentiment", body={"texts": texts})
    # THEN the good texts are scored and the bad ones are errors with their index
    assert reply.status == 200
    assert [r["index"] for r in reply.body["results"]] == [0, 2]
    assert {(e["index"], e["code"]) for e in reply.body["errors"]} == {
        (1, "empty_text"),
        (3, "text_too_long"),
    }
    first = reply.body["results"][0]
    assert first["label"] in {"negative", "neutral", "positive"}
    assert abs(sum(first["probabilities"].values()) - 1) < 1e-3
    assert first["support_level"] in {"escalate", "priority", "standard"}
    assert first["model_version"] == active_model
    assert first["decision_id"] is None


def test_text_at_the_length_limit_is_scored(api: Call) -> None:
    reply = api("POST", "/v1/sentiment", body={"texts": ["a" * MAX_TEXT_CHARS]})
    assert reply.status == 200
    assert reply.body["errors"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"texts": []}, "texts"),
        ({"texts": ["ok"] * 101}, "texts"),
        ({"texts": "just one string"}, "texts"),
        ({"texts": [1, 2]}, "texts"),
        ({"texts": ["ok"], "colour": "blue"}, "colour"),
        ({}, "texts"),
        ({"texts": ["ok"], "store": "yes"}, "store"),
        ({"texts": ["ok"], "store": True}, "body"),
        ({"texts": ["ok"], "store": True, "metadata": {"account_id": "a"}}, "category"),
    ],
    ids=[
        "empty-batch",
        "over-100",
        "string-not-list",
        "numbers",
        "unknown-field",
        "missing-texts",
        "store-not-bool",
        "store-without-metadata",
        "metadata-incomplete",
    ],
)
def test_body_that_breaks_the_schema_is_422_with_the_error_shape(
    api: Call, body: dict[str, object], field: str
) -> None:
    reply = api("POST", "/v1/sentiment", body=body)
    assert reply.status == 422
    assert reply.error_code == "validation_error"
    assert any(field in detail["location"] for detail in reply.body["error"]["details"])


def test_validation_details_do_not_echo_the_input(api: Call) -> None:
    reply = api("POST", "/v1/sentiment", body={"texts": "secret customer words"})
    assert "secret customer words" not in str(reply.body)


def test_malformed_json_is_400(api: Call) -> None:
    reply = api("POST", "/v1/sentiment", raw_body='{"texts": ["unterminated"')
    assert reply.status == 400
    assert reply.error_code == "malformed_json"


def test_body_that_is_not_json_is_415(api: Call) -> None:
    reply = api(
        "POST",
        "/v1/sentiment",
        raw_body="texts=hello",
        headers={"content-type": "text/plain"},
    )
    assert reply.status == 415
    assert reply.error_code == "unsupported_media_type"


def test_oversized_body_is_413_before_parsing(api: Call) -> None:
    reply = api("POST", "/v1/sentiment", raw_body='{"texts": ["' + "a" * 3_200_000 + '"]}')
    assert reply.status == 413
    assert reply.error_code == "payload_too_large"


def test_oversized_base64_body_is_413(api: Call) -> None:
    body = {"texts": ["b" * 3_200_000]}
    reply = api("POST", "/v1/sentiment", body=body, base64_body=True)
    assert reply.status == 413


def test_base64_encoded_body_is_scored(api: Call) -> None:
    reply = api("POST", "/v1/sentiment", body={"texts": ["great crew"]}, base64_body=True)
    assert reply.status == 200
    assert len(reply.body["results"]) == 1


def test_store_true_records_each_scored_text_as_a_decision(api: Call, aws: dict[str, str]) -> None:
    # GIVEN a batch to store, with one bad text
    body = {
        "texts": ["bag lost", "", "great flight"],
        "store": True,
        "metadata": {"account_id": "acct-9", "category": "baggage", "external_id": "ext-1"},
    }
    # WHEN it is scored
    reply = api("POST", "/v1/sentiment", body=body)
    # THEN each scored text has a decision id and a stored record with its decision
    assert reply.status == 200
    ids = [r["decision_id"] for r in reply.body["results"]]
    assert all(ids)
    assert len(set(ids)) == 2
    table = boto3.client("dynamodb", region_name=REGION)
    item = table.get_item(
        TableName=aws["TasksTable"],
        Key={"pk": {"S": f"DECISION#{ids[0]}"}, "sk": {"S": "DECISION"}},
    )["Item"]
    assert item["metadata"]["M"]["account_id"]["S"] == "acct-9"
    assert item["decision"]["M"]["model_version"]["S"] == reply.body["model_version"]
    assert item["decision"]["M"]["thresholds_version"]["N"] == "1"
    assert len(item["decision"]["M"]["input_sha256"]["S"]) == 64


def test_no_active_model_is_503(call: Call, aws: dict[str, str]) -> None:
    reply = call("POST", "/v1/sentiment", body={"texts": ["hello"]})
    assert reply.status == 503
    assert reply.error_code == "model_unavailable"
