"""SQS → one signed POST attempt of a webhook delivery; retries are re-queued on schedule."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from infra.container import build_webhooks
from infra.webhook_queue import parse_job

logger = Logger(service="recaudo-webhooks")
processor = BatchProcessor(event_type=EventType.SQS)
webhooks = build_webhooks()


def record_handler(record: SQSRecord) -> None:
    tenant, subscription_id, delivery_id = parse_job(record.body)
    status = webhooks.attempt(tenant, subscription_id, delivery_id)
    logger.info("attempt", extra={"delivery_id": delivery_id, "status": status})


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
