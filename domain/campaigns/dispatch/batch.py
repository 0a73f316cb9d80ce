"""`Batch`: what the jobs of one SQS batch share while they are dispatched one after the other.

- the snapshot read at the start (tenants, debtors, debts, claims), kept current with what this batch
  writes: a claim this batch took is looked up live, a debtor this batch changed is the changed one;
- campaigns and templates, read once per batch;
- each debtor's contact history, from the snapshot's recent contacts (or else queried once) and
  extended with every contact this batch makes, so a second job for the same debtor is judged on the
  first one's message;
- an event-triggered job's facts (its instalment, promise or payment), read once per job;
- the campaign counters, added up and written once per campaign at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from domain.campaigns.deps import EngineDeps
from domain.campaigns.dispatch.reads import Snapshot
from domain.campaigns.model import Campaign, CampaignStats, Message, MessageTemplate
from domain.campaigns.ports import SendClaim, SendJob
from domain.entities import Debtor
from domain.policy import ContactRecord
from domain.templates import EventFacts


class Batch:
    def __init__(self, deps: EngineDeps, snapshot: Snapshot) -> None:
        self.deps, self.snapshot = deps, snapshot
        self._campaigns: dict[tuple[str, str], Campaign | None] = {}
        self._templates: dict[tuple[str, str], MessageTemplate | None] = {}
        self._history: dict[tuple[str, str], tuple[datetime, list[ContactRecord]]] = {}
        self._claimed: dict[tuple[str, SendClaim], Message] = {}
        self._facts: dict[SendJob, EventFacts | None] = {}
        self.stats: dict[tuple[str, str], CampaignStats] = {}

    # --- reads -----------------------------------------------------------------------------------

    def campaign(self, tenant: str, campaign_id: str) -> Campaign | None:
        key = (tenant, campaign_id)
        if key not in self._campaigns:
            self._campaigns[key] = self.deps.campaigns.get_campaign(tenant, campaign_id)
        return self._campaigns[key]

    def template(self, tenant: str, template_id: str) -> MessageTemplate | None:
        key = (tenant, template_id)
        if key not in self._templates:
            self._templates[key] = self.deps.campaigns.get_template(tenant, template_id)
        return self._templates[key]

    def event_facts(self, job: SendJob, read: Callable[[], EventFacts | None]) -> EventFacts | None:
        """The job's event facts, `read` the first time (a fallback channel renders with the same)."""
        if job not in self._facts:
            self._facts[job] = read()
        return self._facts[job]

    def debtor(self, tenant: str, debtor_id: str) -> Debtor | None:
        return self.snapshot.debtors.get((tenant, debtor_id))

    def debtor_changed(self, debtor: Debtor) -> None:
        self.snapshot.debtors[(debtor.tenant, debtor.id)] = debtor

    def owner(self, tenant: str, claim: SendClaim, fresh: bool = False) -> Message | None:
        """The message owning a claim: the one this batch made, else the snapshot's answer (used once:
        a second look reads the store), or the store's when `fresh` (a claim just found taken)."""
        mine = self._claimed.get((tenant, claim))
        if mine is not None:
            return mine
        if (tenant, claim) in self.snapshot.owners:
            known = self.snapshot.owners.pop((tenant, claim))
            if not fresh:
                return known
        return self.deps.messages.message_for_claim(tenant, claim)

    def claimed(self, message: Message, claims: list[SendClaim]) -> None:
        for claim in claims:
            self._claimed[(message.tenant, claim)] = message
            self.snapshot.owners.pop((message.tenant, claim), None)

    def history(self, tenant: str, debtor_id: str, since: datetime) -> list[ContactRecord]:
        cached = self._history.get((tenant, debtor_id))
        if cached is None or cached[0] > since:
            recent = self.snapshot.contacts.get((tenant, debtor_id))
            if recent is not None and recent.covers(since, self.deps.clock.now()):
                found = recent.since(since)
            else:
                found = list(self.deps.messages.contact_history(tenant, debtor_id, since))
            cached = (since, found)
            self._history[(tenant, debtor_id)] = cached
        return [r for r in cached[1] if r.at >= since]

    def contacted(self, tenant: str, debtor_id: str, contact: ContactRecord) -> None:
        cached = self._history.get((tenant, debtor_id))
        if cached is not None:
            cached[1].append(contact)

    # --- counters --------------------------------------------------------------------------------

    def count(self, tenant: str, campaign_id: str, delta: CampaignStats) -> None:
        total = self.stats.setdefault((tenant, campaign_id), CampaignStats())
        for name in (
            "planned",
            "sent",
            "delivered",
            "failed",
            "blocked",
            "skipped",
            "payments_within_7_days",
        ):
            setattr(total, name, getattr(total, name) + getattr(delta, name))
        for rule, n in delta.blocked_by_rule.items():
            total.blocked_by_rule[rule] = total.blocked_by_rule.get(rule, 0) + n
        for currency, value in delta.amount_within_7_days.items():
            total.amount_within_7_days[currency] = (
                total.amount_within_7_days.get(currency, Decimal(0)) + value
            )

    def write_counters(self) -> None:
        """One atomic ADD per campaign for the whole batch (zero deltas are skipped by the store)."""
        stats, self.stats = self.stats, {}
        for (tenant, campaign_id), delta in stats.items():
            self.deps.messages.add_stats(tenant, campaign_id, delta)
