"""The dispatcher: a send job becomes one lawful, rendered message, sent at most once.

1. Re-read everything (tenant, debtor, debts, campaigns, templates): `dispatch.loading`.
2. Look for the job's claim: resume, finish as OUTCOME_UNKNOWN, or stop as a duplicate
   (`dispatch.ownership`).
3. Ask the contact policy with the debtor's history as it is now (`dispatch.decisions`). BLOCK is
   recorded with the rule ids (proof of compliance) and tries the step's fallback channel when the block
   is about the address; DEFER puts the job back until the window opens (SQS delays hop 15 minutes at a
   time) or records it skipped when that is past the campaign's staleness.
4. Render, record SENDING, call the provider, record SENT (`dispatch.sending`), or create a call task
   (`dispatch.call_tasks`).

The message and its claims (one per debt, campaign, step and day) are written in one transaction at
the first moment the dispatcher acts: a block or a skip is one write, a send two, a deferral none. A
claim that exists by then (a duplicate racing this one) stops this attempt before it acts.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import timedelta

from domain.campaigns.deps import EngineDeps
from domain.campaigns.dispatch.batch import Batch
from domain.campaigns.dispatch.call_tasks import CallTasks
from domain.campaigns.dispatch.decisions import about_the_address, decide, pick_contact_point
from domain.campaigns.dispatch.job import DispatchResult, LoadedJob, Taken, TryFallback
from domain.campaigns.dispatch.loading import load_job
from domain.campaigns.dispatch.ownership import Ownership
from domain.campaigns.dispatch.reads import PortReads
from domain.campaigns.dispatch.records import Records
from domain.campaigns.dispatch.requeue import requeue
from domain.campaigns.dispatch.sending import Sending
from domain.campaigns.model import CampaignStats, Message, MessageStatus
from domain.campaigns.ports import SendJob
from domain.clock import local_date
from domain.policy import Decision, Outcome
from domain.templates import TemplateChannel

__all__ = ["DispatchResult", "Dispatcher", "pick_contact_point"]


class Dispatcher:
    def __init__(self, deps: EngineDeps, rng: random.Random | None = None) -> None:
        self.deps = deps
        self._rng = rng or random.Random()  # noqa: S311 - backoff jitter, not security

    def handle(self, job: SendJob) -> DispatchResult:
        """Dispatch one job; safe to call again with the same job (SQS delivers at least once)."""
        [outcome] = self.handle_batch([job])
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def handle_batch(self, jobs: Sequence[SendJob]) -> list[DispatchResult | Exception]:
        """Dispatch the jobs of one SQS batch, in order: one read for what they name, campaigns,
        templates and each debtor's history once, the SENT records and the counters written together
        at the end. Each job's outcome, or the error that stopped it (that job alone is retried)."""
        reads = self.deps.dispatch_reads or PortReads(self.deps)
        try:
            snapshot = reads.read(jobs)
        except Exception as error:  # noqa: BLE001 - nothing was done: every job is retried
            return [error for _ in jobs]
        steps = _Steps(self.deps, Batch(self.deps, snapshot), self._rng)
        outcomes: list[DispatchResult | Exception] = []
        for index, job in enumerate(jobs):
            steps.records.job = index
            try:
                outcomes.append(steps.handle(job))
            except Exception as error:  # noqa: BLE001 - reported for this job only; SQS retries it
                outcomes.append(error)
        for index, changed in steps.records.finish().items():
            outcomes[index] = changed
        return outcomes


class _Steps:
    """The dispatcher's steps wired to one batch."""

    def __init__(self, deps: EngineDeps, batch: Batch, rng: random.Random) -> None:
        self.deps, self.batch = deps, batch
        self.records = Records(deps, batch)
        self.tasks = CallTasks(deps, self.records)
        self.ownership = Ownership(deps, self.records, self.tasks.finish)
        self.sending = Sending(deps, self.records, rng)

    def handle(self, job: SendJob) -> DispatchResult:
        loaded = load_job(self.batch, job)
        if isinstance(loaded, DispatchResult):
            return loaded
        for _ in range(3):
            found = self.ownership.existing(loaded)
            if isinstance(found, DispatchResult):
                return found
            try:
                return self._dispatch(loaded, found or self.ownership.new_message(loaded))
            except Taken as taken:
                done = self.ownership.after_taken(loaded, taken.claims)
                if done is not None:
                    return done
        return DispatchResult("DUPLICATE", reason="the job's debts keep being claimed by other messages")

    def _dispatch(self, j: LoadedJob, message: Message) -> DispatchResult:
        routes = [(j.step.channel, j.step.template_id)]
        if j.step.fallback_channel is not None and j.step.fallback_channel is not j.step.channel:
            routes.append((j.step.fallback_channel, j.step.fallback_template_id or j.step.template_id))
        for index, (channel, template_id) in enumerate(routes):
            last = index == len(routes) - 1
            decision, point = decide(self.deps, self.batch, j, channel)
            message.channel, message.template_id, message.decision = channel, template_id, decision
            message.to = point.value if point is not None else None
            if decision.outcome is Outcome.BLOCK:
                if not last and about_the_address(self.deps, j, decision):
                    continue
                return self._blocked(j, message, decision)
            if channel is TemplateChannel.CALL_TASK:
                return self.tasks.create(j, message)  # the agent's own check applies when calling
            if decision.outcome is Outcome.DEFER:
                return self._defer(j, message, decision)
            assert point is not None  # a SEND always has an address (see decide)
            try:
                return self.sending.send(j, message, template_id, point, can_fall_back=not last)
            except TryFallback:
                continue
        raise AssertionError("the last route always returns")  # pragma: no cover

    def _blocked(self, j: LoadedJob, message: Message, decision: Decision) -> DispatchResult:
        message.status = MessageStatus.BLOCKED
        self.records.record(j, message)
        self.records.count(
            message, CampaignStats(blocked=1, blocked_by_rule=dict.fromkeys(decision.rule_ids, 1))
        )
        channel = message.channel.value
        return DispatchResult("BLOCKED", channel, message.id, decision.rule_ids, decision.reason)

    def _defer(self, j: LoadedJob, message: Message, decision: Decision) -> DispatchResult:
        now = self.deps.clock.now()
        until = decision.until or now + timedelta(hours=1)
        late = (local_date(until, j.debtor.time_zone) - j.job.occurrence).days
        if late > j.campaign.staleness_days:
            message.status, message.error_code = MessageStatus.SKIPPED, "STALE_STEP"
            message.error = f"the next lawful moment ({until.isoformat()}) is past the campaign's staleness"
            self.records.record(j, message)
            self.records.count(message, CampaignStats(skipped=1))
            return DispatchResult(
                "SKIPPED", message.channel.value, message.id, decision.rule_ids, message.error
            )
        requeue(self.deps, j.job, math.ceil((until - now).total_seconds()))
        return DispatchResult(
            "DEFERRED", message.channel.value, message.id, decision.rule_ids, decision.reason
        )
