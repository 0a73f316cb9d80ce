"""EventBridge (via SQS) → one webhook delivery per interested subscription."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from infra.container import build_webhooks

logger = Logger(service="recaudo-webhooks")
processor = BatchProcessor(event_type=EventType.SQS)
webhooks = build_webhooks()


def record_handler(record: SQSRecord) -> None:
    """The SQS body is the EventBridge event; its `detail` is the event envelope."""
    envelope = json.loads(record.body)["detail"]
    created = webhooks.fan_out(envelope)
    logger.debug("fan-out", extra={"event_id": envelope["id"], "deliveries": created})


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
