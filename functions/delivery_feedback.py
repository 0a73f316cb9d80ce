"""SNS → SES bounces, complaints and deliveries, and inbound SMS (STOP, BAJA, ALTO …)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aws_lambda_powertools import Logger

from infra.container import build_reminder_engine
from infra.messaging.feedback import parse_feedback

logger = Logger(service="recaudo-feedback")
reminders = build_reminder_engine(with_senders=False)


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    feedbacks = [f for record in event.get("Records", []) for f in parse_feedback(record["Sns"]["Message"])]
    summary = reminders.feedback.apply(feedbacks)
    logger.info("feedback applied", extra=asdict(summary))
    return asdict(summary)
