"""Bus (PaymentRecorded) → SQS → payments within 7 days of a reminder counted for its campaign."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from infra.container import build_reminder_engine

logger = Logger(service="recaudo-attribution")
processor = BatchProcessor(event_type=EventType.SQS)
reminders = build_reminder_engine(with_senders=False)


def record_handler(record: SQSRecord) -> None:
    counted = reminders.attribution.apply(json.loads(record.body)["detail"])
    logger.info("attributed", extra={"campaigns": counted})


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
