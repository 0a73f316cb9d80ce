"""SQS → one reminder job each: policy re-check, render, send once, record (partial batch failures)."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from domain.campaigns.ports import SendJob
from infra.container import build_reminder_engine

logger = Logger(service="recaudo-dispatcher")
processor = BatchProcessor(event_type=EventType.SQS)
reminders = build_reminder_engine(cache_campaigns=True)


def record_handler(record: SQSRecord) -> None:
    result = reminders.dispatcher.handle(SendJob.from_json(json.loads(record.body)))
    logger.info(
        "dispatched",
        extra={"status": result.status, "message_id": result.message_id, "rules": result.rule_ids},
    )


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
