"""Hourly schedule → each tenant's daily summary snapshot, once its local day has begun (idempotent)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from infra.container import build_ledger_snapshots

logger = Logger(service="recaudo-snapshot")
snapshots = build_ledger_snapshots()


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Snapshot every tenant whose day turned since its last snapshot; failures are raised after all
    tenants ran (the next hourly run takes what was missed)."""
    run = snapshots.run()
    for delta in run.repaired:
        logger.warning("aggregate drift repaired", extra={"scope": delta.scope, "currency": delta.currency})
    summary = {"taken": len(run.taken), "repaired": len(run.repaired), "skippedRepairs": run.skipped_repairs}
    logger.info("snapshots taken", extra=summary)
    if run.failed:
        for tenant, error in run.failed.items():
            logger.error("snapshot failed", extra={"tenant": tenant, "error": repr(error)})
        raise RuntimeError(f"snapshots failed for tenants {sorted(run.failed)}")
    return summary
