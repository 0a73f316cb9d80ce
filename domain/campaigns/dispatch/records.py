"""Every write of a message: the first one claims it, later ones are conditional on its version; the
SENT records of a batch are written together at its end; the campaign counters once per batch.

Why SENT may wait and SENDING may not: SENDING is the marker that keeps a crashed attempt from sending
again, so it is written before each provider call, one message at a time (a crash leaves at most one
message whose fate is unknown). SENT only turns that marker into the outcome; written a few sends later,
a crash in between leaves SENDING, which the retry records as OUTCOME_UNKNOWN without sending, and
delivery feedback (matched by our message id) sets right.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from domain.campaigns.deps import EngineDeps
from domain.campaigns.dispatch.batch import Batch
from domain.campaigns.dispatch.job import DispatchResult, LoadedJob, Taken
from domain.campaigns.model import CampaignStats, Message
from domain.errors import ConcurrencyConflict
from domain.policy import ContactRecord

GROUP = 16
"""SENT records per transaction (each is at most five items; DynamoDB takes 100 per transaction)."""


@dataclass
class _Pending:
    job: int
    message: Message
    contact: ContactRecord
    delta: CampaignStats
    on_conflict: Callable[[Message], DispatchResult]


class Records:
    def __init__(self, deps: EngineDeps, batch: Batch) -> None:
        self.deps, self.batch = deps, batch
        self.job = 0
        """The index, in the batch, of the job being dispatched."""
        self._pending: list[_Pending] = []

    def record(self, j: LoadedJob, message: Message) -> None:
        """The message's first write claims it (with every debt's claim, one transaction); later writes
        are conditional on its version."""
        if message.version:
            self.save(message)
            return
        message.updated_at = self.deps.clock.now()
        claims = j.claims()
        taken = self.deps.messages.claim_message(message, claims)
        if taken:
            raise Taken(taken)
        self.batch.claimed(message, claims)

    def save(self, message: Message, contact: ContactRecord | None = None) -> None:
        message.updated_at = self.deps.clock.now()
        # A ConcurrencyConflict means another attempt moved this message: it owns the outcome; the job
        # fails here and SQS retries it, when the claim makes it a no-op or a resume.
        self.deps.messages.save_message(message, message.version, contact)
        if contact is not None:
            self.batch.contacted(message.tenant, message.debtor_id, contact)

    def save_sent(
        self,
        message: Message,
        contact: ContactRecord,
        delta: CampaignStats,
        on_conflict: Callable[[Message], DispatchResult],
    ) -> None:
        """Record a message the provider accepted, with its contact entry, at the end of the batch; the
        contact counts for the batch's next decisions at once."""
        message.updated_at = self.deps.clock.now()
        self._pending.append(_Pending(self.job, message, contact, delta, on_conflict))
        self.batch.contacted(message.tenant, message.debtor_id, contact)

    def count(self, message: Message, delta: CampaignStats) -> None:
        if message.campaign_id:
            self.batch.count(message.tenant, message.campaign_id, delta)

    def finish(self) -> dict[int, DispatchResult | Exception]:
        """Write the pending SENT records (a group per transaction; a group refused as a whole is
        written one by one, so one lost race does not fail the others) and the counters. Returns
        what changed for a job: the outcome a lost race turned out to be, or the error that stopped it."""
        changed: dict[int, DispatchResult | Exception] = {}
        pending, self._pending = self._pending, []
        try:
            for start in range(0, len(pending), GROUP):
                group = pending[start : start + GROUP]
                try:
                    self.deps.messages.save_messages(
                        [(p.message, p.message.version, p.contact) for p in group]
                    )
                except Exception:  # noqa: BLE001 - whatever refused the group, each record is tried alone
                    self._one_by_one(group, changed)
                    continue
                for p in group:
                    self.count(p.message, p.delta)
        finally:
            self.batch.write_counters()
        return changed

    def _one_by_one(self, group: list[_Pending], changed: dict[int, DispatchResult | Exception]) -> None:
        for p in group:
            try:
                self.deps.messages.save_message(p.message, p.message.version, p.contact)
            except ConcurrencyConflict:
                try:
                    changed[p.job] = p.on_conflict(p.message)
                except Exception as error:  # noqa: BLE001 - reported for this job only
                    changed[p.job] = error
                continue
            except Exception as error:  # noqa: BLE001 - reported for this job only
                changed[p.job] = error
                continue
            self.count(p.message, p.delta)
