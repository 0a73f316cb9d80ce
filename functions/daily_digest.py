"""Daily schedule → each tenant's campaign counters published to its digest topic (supervisors)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from infra.container import build_reminder_engine

logger = Logger(service="recaudo-digest")
reminders = build_reminder_engine(with_senders=False)


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    published = reminders.digests.send_daily()
    logger.info("digests published", extra={"published": published})
    return {"published": published}
