"""Daily schedule → the promise sweep: judge the overdue promises of every tenant (broken or partially
kept, their debts' reminders resumed, PROMISE_BROKEN steps queued) and queue PROMISE_DUE_TOMORROW."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aws_lambda_powertools import Logger

from infra.container import build_promise_sweeper

logger = Logger(service="recaudo-promise-sweeper")
sweeper = build_promise_sweeper()


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """One sweep at the clock's instant; safe to re-run (judged promises are no longer pending, and
    the due-tomorrow jobs are deduplicated by the dispatcher's send claims)."""
    summary = sweeper.run()
    logger.info("promises swept", extra=asdict(summary))
    return asdict(summary)
