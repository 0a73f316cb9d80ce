"""Nightly schedule → every tenant's debtors with an open debt get their risk score and queue priority
recomputed (days past due and contact recency grow with time)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from infra.container import build_workforce

logger = Logger(service="recaudo-queue-rescore")
workforce = build_workforce()


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """One pass over every tenant; a debtor that fails is counted and retried by the next night."""
    report = workforce.rescore.run()
    logger.info(
        "queue rescore done",
        extra={"tenants": report.tenants, "debtors": report.debtors, "failed": report.failed},
    )
    return {"tenants": report.tenants, "debtors": report.debtors, "failed": report.failed}
