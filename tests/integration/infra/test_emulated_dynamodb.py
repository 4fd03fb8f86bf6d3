"""Transactions in the embedded AWS: all or nothing, one at a time, stream included."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError

from infra.stack import Emulator, emulator_client

RACERS = 8


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    emulator = Emulator()
    yield emulator.start()
    emulator.stop()


@pytest.fixture
def table(endpoint: str) -> str:
    name = f"t-{uuid.uuid4().hex[:8]}"
    emulator_client("dynamodb", endpoint).create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    return name


def key(pk: str, sk: str = "-") -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def put(table: str, pk: str, **attributes: Any) -> dict[str, Any]:
    return {"Put": {"TableName": table, "Item": key(pk) | attributes}}


def stream_events(endpoint: str, table: str) -> list[str]:
    arn = emulator_client("dynamodb", endpoint).describe_table(TableName=table)["Table"][
        "LatestStreamArn"
    ]
    streams = emulator_client("dynamodbstreams", endpoint)
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    return [record["eventName"] for record in records]


def test_a_failed_condition_writes_nothing_and_names_its_reason(endpoint: str, table: str) -> None:
    dynamodb = emulator_client("dynamodb", endpoint)
    dynamodb.put_item(TableName=table, Item=key("b") | {"revision": {"N": "2"}})

    with pytest.raises(ClientError) as raised:
        dynamodb.transact_write_items(
            TransactItems=[
                put(table, "a", note={"S": "first"}),
                {
                    "Update": {
                        "TableName": table,
                        "Key": key("b"),
                        "UpdateExpression": "SET revision = :next",
                        "ConditionExpression": "revision = :seen",
                        "ExpressionAttributeValues": {":next": {"N": "2"}, ":seen": {"N": "1"}},
                    }
                },
            ]
        )

    reasons = raised.value.response["CancellationReasons"]
    assert [reason["Code"] for reason in reasons] == ["None", "ConditionalCheckFailed"]
    assert "Item" not in dynamodb.get_item(TableName=table, Key=key("a"))
    assert stream_events(endpoint, table) == ["INSERT"]  # only b's own put


def test_a_write_that_fails_midway_puts_back_what_came_before(endpoint: str, table: str) -> None:
    dynamodb = emulator_client("dynamodb", endpoint)
    dynamodb.put_item(TableName=table, Item=key("a") | {"note": {"S": "kept"}})
    dynamodb.put_item(TableName=table, Item=key("b") | {"count": {"S": "not a number"}})

    with pytest.raises(ClientError):
        dynamodb.transact_write_items(
            TransactItems=[
                put(table, "a", note={"S": "replaced"}),
                put(table, "c", note={"S": "new"}),
                {
                    "Update": {
                        "TableName": table,
                        "Key": key("b"),
                        "UpdateExpression": "ADD #count :one",
                        "ExpressionAttributeNames": {"#count": "count"},
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                },
            ]
        )

    assert dynamodb.get_item(TableName=table, Key=key("a"))["Item"]["note"] == {"S": "kept"}
    assert "Item" not in dynamodb.get_item(TableName=table, Key=key("c"))
    assert stream_events(endpoint, table) == ["INSERT", "INSERT"]  # the two puts before


def test_racing_transactions_on_one_marker_apply_once(endpoint: str, table: str) -> None:
    dynamodb = emulator_client("dynamodb", endpoint)

    def race(_: int) -> str:
        try:
            emulator_client("dynamodb", endpoint).transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": table,
                            "Item": key("marker"),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Update": {
                            "TableName": table,
                            "Key": key("counter"),
                            "UpdateExpression": "ADD #count :one",
                            "ExpressionAttributeNames": {"#count": "count"},
                            "ExpressionAttributeValues": {":one": {"N": "1"}},
                        }
                    },
                ]
            )
        except ClientError as error:
            return str(error.response["Error"]["Code"])
        return "applied"

    with ThreadPoolExecutor(RACERS) as pool:
        won = list(pool.map(race, range(RACERS)))

    assert sorted(won) == ["TransactionCanceledException"] * (RACERS - 1) + ["applied"]
    counter = dynamodb.get_item(TableName=table, Key=key("counter"))["Item"]
    assert counter["count"] == {"N": "1"}


def test_a_query_on_the_table_key_reads_its_partition_only(
    endpoint: str, table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.dynamodb.models.table import Table

    dynamodb = emulator_client("dynamodb", endpoint)
    for account in ("ann", "bob"):
        for day in ("03", "01", "02"):
            dynamodb.put_item(TableName=table, Item=key(account, f"2015-02-{day}"))

    def whole_table(self: Any) -> list[Any]:
        raise AssertionError("the query read the whole table")

    monkeypatch.setattr(Table, "all_items", whole_table)
    pages, request = (
        [],
        {
            "TableName": table,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :low AND :high",
            "ExpressionAttributeValues": {
                ":pk": {"S": "bob"},
                ":low": {"S": "2015-02-01"},
                ":high": {"S": "2015-02-02~"},
            },
            "ScanIndexForward": False,
            "Limit": 1,
        },
    )
    while True:
        response = dynamodb.query(**request)
        pages.append([item["sk"]["S"] for item in response["Items"]])
        if "LastEvaluatedKey" not in response:
            break
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    assert [sk for page in pages for sk in page] == ["2015-02-02", "2015-02-01"]
