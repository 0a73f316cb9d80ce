"""SQS → one reminder job each: policy re-check, render, send once, record (partial batch failures).

A record that raises (a malformed body, a store that timed out, a lost race) is reported failed and
SQS delivers it again; the claims make that retry a no-op, a resume or an OUTCOME_UNKNOWN, never a
second message. Jobs the dispatcher puts back (a closed window, throttling) are new SQS messages.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from domain.campaigns.ports import SendJob
from infra.container import build_reminder_workers

logger = Logger(service="recaudo-dispatcher")
processor = BatchProcessor(event_type=EventType.SQS)
reminders = build_reminder_workers()


def record_handler(record: SQSRecord) -> None:
    result = reminders.dispatcher.handle(SendJob.from_json(json.loads(record.body)))
    extra = {"status": result.status, "message_id": result.message_id, "rules": list(result.rule_ids)}
    logger.info("dispatched", extra={**extra, "reason": result.reason})


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    return dict(response)
