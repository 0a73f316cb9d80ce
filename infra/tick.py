"""`recaudo tick --at …`: one whole reminder cycle at a chosen instant, against the running local stack.

The day's sweeps (promises judged, PROMISE_DUE_TOMORROW; plans broken, INSTALMENT_DUE), the planner
and the dispatcher run in this process with a clock stopped at that instant, on the stack's table and
providers (SES and SNS of the embedded AWS; WhatsApp through the recording
sender). Jobs go through an in-process queue so the cycle is complete when the command returns:
plan, enqueue, dispatch, drain. Jobs the dispatcher puts back for later (a window that opens later,
a frequency cap, throttling) are reported as deferred and handed to the stack's reminder queue, where
the dev server's dispatcher picks them up when their delay passes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from domain.campaigns.ports import SendJob


@dataclass
class MemoryJobQueue:
    """A JobQueue in a list: `ready` to dispatch in this cycle, `later` put back with a delay."""

    ready: list[SendJob] = field(default_factory=list)
    later: list[tuple[SendJob, int]] = field(default_factory=list)

    def enqueue(self, jobs: list[SendJob], delay_seconds: int = 0) -> None:
        if delay_seconds > 0:
            self.later.extend((job, delay_seconds) for job in jobs)
        else:
            self.ready.extend(jobs)


def summarize(results: list[Any]) -> dict[str, Any]:
    """Count dispatch results: sent per channel, blocked per rule, and the rest per status."""
    sent: Counter[str] = Counter()
    blocked: Counter[str] = Counter()
    other: Counter[str] = Counter()
    for result in results:
        status = str(getattr(result, "status", "UNKNOWN"))
        if status == "SENT":
            sent[str(getattr(result, "channel", "?"))] += 1
        elif status == "BLOCKED":
            for rule in getattr(result, "rule_ids", ()) or ("?",):
                blocked[rule] += 1
        else:
            other[status] += 1
    return {"sent": dict(sent), "blocked": dict(blocked), "other": dict(other)}


def run_tick(at: datetime, forward: Any | None = None, max_rounds: int = 50) -> dict[str, Any]:
    """Plan at `at`, dispatch every job that is ready at `at`, and return the cycle's summary.
    `forward` (a JobQueue) receives the jobs put back for later; None drops them (tests)."""
    from domain.clock import FixedClock
    from infra.container import build_reminder_engine

    clock = FixedClock(at)
    queue = MemoryJobQueue()
    reminders = build_reminder_engine(clock, queue=queue)
    sweeps = run_sweeps(clock, reminders)
    plan = reminders.planner.run()
    results: list[Any] = []
    for _ in range(max_rounds):
        if not queue.ready:
            break
        jobs, queue.ready = queue.ready, []
        results.extend(reminders.dispatcher.handle(job) for job in jobs)
    deferred = len(queue.later) + len(queue.ready)
    if forward is not None:
        for job, delay in queue.later:
            forward.enqueue([job], delay_seconds=min(delay, 900))
    counts = summarize(results)
    return {
        "at": at.isoformat(),
        "planned": plan.planned,
        "jobs": plan.jobs,
        "dueDebts": plan.due_debts,
        "waitingForWindow": plan.deferred,
        "skippedStale": plan.skipped,
        "sent": counts["sent"],
        "deferred": deferred,
        "blocked": counts["blocked"],
        "other": counts["other"],
        **sweeps,
    }


def run_sweeps(clock: Any, reminders: Any) -> dict[str, Any]:
    """The daily promise and plan sweeps at the clock's instant (idempotent, as on AWS where they run
    once a day), their event steps queued on `reminders`' queue for this cycle's dispatch."""
    from domain.campaigns.triggers import StepTriggers
    from domain.plans.sweeper import PlanSweeper
    from domain.promises.sweeper import PromiseSweeper
    from domain.queues.hooks import QueuePromiseObserver
    from infra.container import build_ledger, build_plans, build_promises, build_workforce

    ledger = build_ledger(clock)
    triggers = StepTriggers(reminders.deps)
    queues = QueuePromiseObserver(build_workforce(clock).signals, clock)
    promises = build_promises(ledger, reminders, queues)
    plans = build_plans(ledger)
    return {
        "promiseSweep": asdict(PromiseSweeper(promises, triggers).run()),
        "planSweep": asdict(PlanSweeper(plans, triggers).run()),
    }
