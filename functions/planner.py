"""Every 15 minutes → the reminder planner: due debts of every tenant become send jobs on SQS."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aws_lambda_powertools import Logger

from infra.container import build_reminder_engine

logger = Logger(service="recaudo-planner")
reminders = build_reminder_engine(with_senders=False)


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """One cycle at the clock's instant; a failure is raised (the next cycle re-plans what is due)."""
    summary = reminders.planner.run()
    logger.info("planned", extra=asdict(summary))
    return asdict(summary)
