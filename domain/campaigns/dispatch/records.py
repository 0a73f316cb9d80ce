"""Every write of a message: the first one claims it, later ones are conditional on its version; and
the campaign counters."""

from __future__ import annotations

from domain.campaigns.deps import EngineDeps
from domain.campaigns.dispatch.job import LoadedJob, Taken
from domain.campaigns.model import CampaignStats, Message
from domain.policy import ContactRecord


class Records:
    def __init__(self, deps: EngineDeps) -> None:
        self.deps = deps

    def record(self, j: LoadedJob, message: Message) -> None:
        """The message's first write claims it (with every debt's claim, one transaction); later writes
        are conditional on its version."""
        if message.version:
            self.save(message)
            return
        message.updated_at = self.deps.clock.now()
        taken = self.deps.messages.claim_message(message, j.claims())
        if taken:
            raise Taken(taken)

    def save(self, message: Message, contact: ContactRecord | None = None) -> None:
        message.updated_at = self.deps.clock.now()
        # A ConcurrencyConflict means another attempt moved this message: it owns the outcome; the job
        # fails here and SQS retries it, when the claim makes it a no-op or a resume.
        self.deps.messages.save_message(message, message.version, contact)

    def count(self, message: Message, delta: CampaignStats) -> None:
        if message.campaign_id:
            self.deps.messages.add_stats(message.tenant, message.campaign_id, delta)
