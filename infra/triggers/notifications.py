"""S3 event notifications to SQS queues, as the template declares them on its buckets.

The emulator delivers a bucket's notifications to SQS itself (the first message is an
`s3:TestEvent`, as in AWS), but its CloudFormation ignores a bucket's
`NotificationConfiguration`, so the local stack sets each bucket's `QueueConfigurations`
through the S3 API once the stack exists. The queue's `SQS` event then plays the rest
(infra/triggers/sqs.py). Direct bucket-to-function notifications (SAM's `S3` event type,
`LambdaConfigurations`) and SNS topics are not played.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _queue_configurations(template: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for logical, resource in template.get("Resources", {}).items():
        if resource.get("Type") != "AWS::S3::Bucket":
            continue
        notification = (resource.get("Properties") or {}).get("NotificationConfiguration") or {}
        queues = notification.get("QueueConfigurations") or []
        if queues:
            found[logical] = list(queues)
    return found


def _key(bucket: str, index: int) -> str:
    return f"{bucket}.QueueConfigurations.{index}.Queue"


def notification_values(template: Mapping[str, Any]) -> dict[str, Any]:
    """The queues the buckets notify, by key, for the stack to resolve."""
    return {
        _key(bucket, index): entry["Queue"]
        for bucket, entries in _queue_configurations(template).items()
        for index, entry in enumerate(entries)
    }


def _filter(entry: Mapping[str, Any]) -> dict[str, Any]:
    rules = ((entry.get("Filter") or {}).get("S3Key") or {}).get("Rules") or []
    if not rules:
        return {}
    return {"Key": {"FilterRules": [{"Name": r["Name"], "Value": r["Value"]} for r in rules]}}


def apply_notifications(
    s3: Any,
    template: Mapping[str, Any],
    physical_ids: Mapping[str, str],
    values: Mapping[str, str],
) -> list[str]:
    """Sets every bucket's queue notifications in the emulator; returns one line per
    bucket saying what it notifies."""
    lines = []
    for bucket, entries in _queue_configurations(template).items():
        configurations = [
            {"QueueArn": values[_key(bucket, index)], "Events": [entry["Event"]]}
            | ({"Filter": _filter(entry)} if _filter(entry) else {})
            for index, entry in enumerate(entries)
        ]
        s3.put_bucket_notification_configuration(
            Bucket=physical_ids[bucket],
            NotificationConfiguration={"QueueConfigurations": configurations},
        )
        targets = ", ".join(
            f"{entry['Event']} -> {values[_key(bucket, index)].rsplit(':', 1)[-1]}"
            for index, entry in enumerate(entries)
        )
        lines.append(f"{bucket}: {targets}")
    return lines
