"""S3 upload under `imports/` (or a continuation message) → import the file from its checkpoint.

When the Lambda's remaining time runs short the job keeps its checkpoint and a message on the
import queue starts the next part; a duplicate or replayed invocation stops at the conditional
checkpoint, and rows are upserted by external id, so no row is lost or counted twice.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from domain.imports.jobs import ImportStatus
from infra.container import build_import_continuation, build_import_jobs
from infra.imports.events import import_refs

SAFETY_MS = 90_000
"""Stop taking chunks with less than this left (a 500-row chunk takes a few seconds)."""

logger = Logger(service="recaudo-imports")
jobs = build_import_jobs()
continuation = build_import_continuation()


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    done = []
    for tenant, import_id in import_refs(event):
        job = jobs.process(
            tenant, import_id, time_left=lambda: context.get_remaining_time_in_millis() > SAFETY_MS
        )
        if job.status is ImportStatus.PROCESSING:
            continuation.continue_later(tenant, import_id)
        logger.info(
            "import part done",
            extra={
                "tenant": tenant,
                "importId": import_id,
                "status": job.status.value,
                "nextRow": job.next_row,
            },
        )
        done.append({"importId": import_id, "status": job.status.value, "nextRow": job.next_row})
    return {"imports": done}
