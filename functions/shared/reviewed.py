"""Supervisors' reviewed decisions as labelled examples: each reviewed task's text with its
effective label (its latest review's), read from the tasks table.

Both the API (a dataset built from reviews) and the training function (the gate's reviews
rule) read them. It is one Query, page after page, on the ``reviewed = "true"`` partition
of the tasks table's ``reviewed-newest`` index (docs/access-patterns.md), fetching only the
attributes an example needs: it grows with the number of reviewed tasks, never with the
table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from functions.shared.dynamo import from_item
from functions.shared.models import ReviewedExample

# The tasks table's index of tasks by whether they were reviewed, newest first
# (functions/api/data/task_store.py names it from the same attribute).
REVIEWED_INDEX = "reviewed-newest"
REVIEWED_ATTRIBUTE = "reviewed"
REVIEWED = "true"


def _example(item: dict[str, Any]) -> ReviewedExample:
    data = from_item(item)
    review, decision = data["review"], data["decision"]
    return ReviewedExample(
        task_id=data["id"],
        text=data["text"],
        label=review["label"],
        model_label=decision["label"],
        model_version=decision["model_version"],
        reviewed_at=datetime.fromisoformat(review["reviewed_at"]),
    )


def read_reviewed_examples(dynamodb: Any, table: str) -> list[ReviewedExample]:
    """Every reviewed task of `table` as an example, newest task first."""
    request: dict[str, Any] = {
        "TableName": table,
        "IndexName": REVIEWED_INDEX,
        "KeyConditionExpression": "#p = :p",
        "ProjectionExpression": "id, #text, #review, #decision.#label, #decision.model_version",
        "ExpressionAttributeNames": {
            "#p": REVIEWED_ATTRIBUTE,
            "#text": "text",
            "#review": "review",
            "#decision": "decision",
            "#label": "label",
        },
        "ExpressionAttributeValues": {":p": {"S": REVIEWED}},
        "ScanIndexForward": False,
    }
    examples: list[ReviewedExample] = []
    while True:
        response = dynamodb.query(**request)
        examples += [_example(item) for item in response.get("Items", [])]
        if "LastEvaluatedKey" not in response:
            return examples
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


class ReviewedExamples:
    """Reads the reviewed examples of one tasks table (the training function's source)."""

    def __init__(self, table: str, dynamodb: Any) -> None:
        self._table = table
        self._dynamodb = dynamodb

    def reviewed_examples(self) -> list[ReviewedExample]:
        return read_reviewed_examples(self._dynamodb, self._table)
