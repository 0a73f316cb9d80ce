"""Hourly schedule → DebtOverdue notices for every tenant whose day has turned (idempotent)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from domain.services.overdue import OverdueNoticesIncomplete
from infra.container import build_overdue_notices

logger = Logger(service="recaudo-overdue")
notices = build_overdue_notices()


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Run once over every tenant; a failure is raised (the next hourly run covers what was missed)."""
    try:
        emitted = notices.run()
    except OverdueNoticesIncomplete as error:
        for tenant, cause in error.failed.items():
            logger.error("overdue notices failed", extra={"tenant": tenant, "error": repr(cause)})
        logger.info("overdue notices emitted", extra={"emitted": error.emitted})
        raise
    logger.info("overdue notices emitted", extra={"emitted": emitted})
    return {"emitted": emitted}
