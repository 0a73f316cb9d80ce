"""SQS → reminder jobs, dispatched as one batch: policy re-check, render, send once, record.

The batch is read and recorded together (`Dispatcher.handle_batch`); each record is still reported on
its own (partial batch failures). A record that failed (a malformed body, a store that timed out, a lost
race) is delivered again by SQS; the claims make that retry a no-op, a resume or an OUTCOME_UNKNOWN,
never a second message. Jobs the dispatcher puts back (a closed window, throttling) are new SQS messages.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from domain.campaigns.dispatcher import DispatchResult
from domain.campaigns.ports import SendJob
from infra.container import build_reminder_workers

logger = Logger(service="recaudo-dispatcher")
processor = BatchProcessor(event_type=EventType.SQS)
reminders = build_reminder_workers()
_outcomes: dict[str, DispatchResult | Exception] = {}


def _dispatch_all(records: list[dict[str, Any]]) -> None:
    jobs: dict[str, SendJob] = {}
    _outcomes.clear()
    for record in records:
        try:
            jobs[record["messageId"]] = SendJob.from_json(json.loads(record["body"]))
        except (ValueError, KeyError, TypeError) as error:
            _outcomes[record["messageId"]] = error
    _outcomes.update(zip(jobs, reminders.dispatcher.handle_batch(list(jobs.values())), strict=True))


def record_handler(record: SQSRecord) -> None:
    result = _outcomes.pop(record.message_id)
    if isinstance(result, Exception):
        raise result
    extra = {"status": result.status, "message_id": result.message_id, "rules": list(result.rule_ids)}
    logger.info("dispatched", extra={**extra, "reason": result.reason})


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    _dispatch_all(event.get("Records", []))
    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    return dict(response)
