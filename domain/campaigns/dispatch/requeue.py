"""Putting a job back on the queue: a window not open yet, or a provider's throttling."""

from __future__ import annotations

from dataclasses import replace

from domain.campaigns.deps import EngineDeps
from domain.campaigns.dispatch.job import MAX_DELAY
from domain.campaigns.ports import SendJob


def requeue(deps: EngineDeps, job: SendJob, delay_seconds: int, attempt: int | None = None) -> None:
    if deps.queue is None:
        raise RuntimeError("the dispatcher needs a job queue to put jobs back")
    again = replace(job, attempt=job.attempt if attempt is None else attempt)
    deps.queue.enqueue([again], delay_seconds=max(1, min(MAX_DELAY, delay_seconds)))
