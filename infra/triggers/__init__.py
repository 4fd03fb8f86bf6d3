"""The event sources of the template's functions, played locally: SQS queues, DynamoDB
streams and schedules (HTTP API events are the gateway's). One module per source type."""
