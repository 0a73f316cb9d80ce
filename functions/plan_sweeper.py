"""Daily schedule → the payment plan sweep: break the plans with an instalment unpaid past grace
(their debts back in collection) and queue INSTALMENT_DUE for the instalments falling due."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aws_lambda_powertools import Logger

from infra.container import build_plan_sweeper

logger = Logger(service="recaudo-plan-sweeper")
sweeper = build_plan_sweeper()


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """One sweep at the clock's instant; safe to re-run (closed plans are no longer ACTIVE, and the
    instalment jobs are deduplicated by the dispatcher's send claims)."""
    summary = sweeper.run()
    logger.info("payment plans swept", extra=asdict(summary))
    return asdict(summary)
