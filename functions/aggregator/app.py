"""The aggregator function: a DynamoDB stream batch of the tasks table in, each record
applied on its own, failures reported per record (ReportBatchItemFailures).

SAM Handler: ``functions.aggregator.app.lambda_handler``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.aggregator.aggregation import aggregate_change
from functions.aggregator.settings import get_settings
from functions.aggregator.store import CachedRuleSource, DynamoAggregateStore, EventBusAnnouncer
from functions.shared.aws import dynamodb_client, events_client, reset_clients
from functions.shared.dynamo import from_item

logger = Logger()
metrics = Metrics(namespace="carescore")
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


@lru_cache(maxsize=1)
def aggregate_store() -> DynamoAggregateStore:
    return DynamoAggregateStore(get_settings().aggregates_table, dynamodb_client())


@lru_cache(maxsize=1)
def rule_source() -> CachedRuleSource:
    settings = get_settings()
    return CachedRuleSource(
        settings.registry_table, settings.config_refresh_seconds, dynamodb_client()
    )


@lru_cache(maxsize=1)
def announcer() -> EventBusAnnouncer:
    return EventBusAnnouncer(get_settings().event_bus_name, events_client())


def reset() -> None:
    """Forgets settings, clients and cached rules (for tests and the local stack)."""
    get_settings.cache_clear()
    reset_clients()
    for provider in (aggregate_store, rule_source, announcer):
        provider.cache_clear()


def apply_record(record: dict[str, Any]) -> None:
    """Applies one stream record (as Lambda or GetRecords delivers it)."""
    change = record["dynamodb"]
    old_image, new_image = change.get("OldImage"), change.get("NewImage")
    aggregate_change(
        record["eventID"],
        from_item(old_image) if old_image else None,
        from_item(new_image) if new_image else None,
        store=aggregate_store(),
        rules=rule_source(),
        announcer=announcer(),
    )


def handle_record(record: DynamoDBRecord) -> None:
    apply_record(record.raw_event)
    metrics.add_metric(name="StreamRecordsAggregated", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(
        process_partial_response(
            event=event, record_handler=handle_record, processor=processor, context=context
        )
    )
