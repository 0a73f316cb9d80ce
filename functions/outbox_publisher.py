"""DynamoDB Stream → EventBridge: publishes each committed outbox event (at least once)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from infra.container import build_outbox_relay
from infra.dynamodb.outbox import events_from_stream

logger = Logger(service="recaudo-outbox")
metrics = Metrics(namespace="Recaudo", service="outbox")
relay = build_outbox_relay()


@metrics.log_metrics
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Stream records in order; on a failure, report the first failed record so Lambda retries from it."""
    streamed = events_from_stream(event.get("Records", []))
    result = relay.relay([s.event for s in streamed])
    metrics.add_metric(name="EventsPublished", unit=MetricUnit.Count, value=len(result.published))
    failed = set(result.failed)
    first_failure = next((s for s in streamed if s.event.id in failed), None)
    if first_failure is None:
        return {"batchItemFailures": []}
    logger.warning("events not published", extra={"failed": sorted(failed)})
    return {"batchItemFailures": [{"itemIdentifier": first_failure.sequence_number}]}
