"""Everything the reminder engine's use cases are wired to (one instance per process)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from domain.campaigns.dispatch.reads import DispatchReads
from domain.campaigns.model import StepTrigger
from domain.campaigns.policy_settings import PolicySettingRepository, TenantPolicyBooks
from domain.campaigns.ports import CampaignRepository, JobQueue, MessageRepository, ScheduleRepository
from domain.clock import Clock
from domain.entities import Debt, Debtor
from domain.messaging import MessageSender, SendChannel
from domain.policy import PolicyBook
from domain.ports import IdGenerator, LedgerRepository
from domain.templates import EventFacts


class DeviceRegistry(Protocol):
    def register(self, token: str, custom_user_data: str) -> str:
        """Register an agent's phone for push notifications; return the provider's endpoint id."""
        ...


class EventFactsReader(Protocol):
    """What an event-triggered message is about, read from the plan and promise stores
    (`domain.event_facts.StoreEventFacts`)."""

    def facts(
        self, debtor: Debtor, debts: Sequence[Debt], trigger: StepTrigger, occurrence: date
    ) -> EventFacts | None:
        """The facts of the `trigger` event of `occurrence` (the job's day) for these debts, or None
        when they cannot be found. At most one or two reads."""
        ...

    def current(self, debtor: Debtor, debts: Sequence[Debt], today: date) -> EventFacts | None:
        """The debts' plan instalment and pending promise as they stand `today` (template previews);
        no read for a debt without a plan or a pending promise."""
        ...


@dataclass
class EngineDeps:
    ledger: LedgerRepository
    campaigns: CampaignRepository
    messages: MessageRepository
    schedule: ScheduleRepository
    clock: Clock
    ids: IdGenerator
    policies: PolicyBook = field(default_factory=PolicyBook)
    queue: JobQueue | None = None
    senders: Mapping[SendChannel, MessageSender] = field(default_factory=dict)
    devices: DeviceRegistry | None = None
    digest_topics: Any = None
    """The tenants' digest topics (`domain.campaigns.digests.DigestTopics`), when configured."""
    digest_log: Any = None
    """Which day each tenant's digest was last published for (`domain.campaigns.digests.DigestLog`)."""
    unsubscribe_url: Callable[[str, str], str] | None = None
    """(tenant, debtor id) → an https URL the debtor can open to opt out (List-Unsubscribe)."""
    agent_name: Callable[[str, str], str | None] | None = None
    """(tenant, agent id) → the agent's name for the templates' `agent_name`, when agents are known."""
    policy_settings: PolicySettingRepository | None = None
    """The tenants' own tightening of the statutory policies; None: the statutory policies alone."""
    _books: TenantPolicyBooks | None = field(default=None, init=False, repr=False, compare=False)

    def policy_books(self) -> TenantPolicyBooks:
        if self._books is None:
            self._books = TenantPolicyBooks(self.policy_settings, self.clock, self.policies)
        return self._books

    def policies_for(self, tenant: str) -> PolicyBook:
        """The statutory policies as this tenant tightened them (cached `CACHE_TTL`)."""
        return self.policy_books().book(tenant)

    dispatch_reads: DispatchReads | None = None
    """A `domain.campaigns.dispatch.reads.DispatchReads` that reads a batch of jobs in one go; without
    one the dispatcher reads item by item through the ports above."""
    event_facts: EventFactsReader | None = None
    """The facts event-triggered messages state (instalment, promise, payment); None: their event
    variables render empty. Read only for event-triggered steps, never for the cadence."""
