"""Everything the reminder engine's use cases are wired to (one instance per process)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from domain.campaigns.dispatch.reads import DispatchReads
from domain.campaigns.ports import CampaignRepository, JobQueue, MessageRepository, ScheduleRepository
from domain.clock import Clock
from domain.messaging import MessageSender, SendChannel
from domain.policy import PolicyBook
from domain.ports import IdGenerator, LedgerRepository


class DeviceRegistry(Protocol):
    def register(self, token: str, custom_user_data: str) -> str:
        """Register an agent's phone for push notifications; return the provider's endpoint id."""
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
    unsubscribe_url: Callable[[str, str], str] | None = None
    """(tenant, debtor id) → an https URL the debtor can open to opt out (List-Unsubscribe)."""
    dispatch_reads: DispatchReads | None = None
    """A `domain.campaigns.dispatch.reads.DispatchReads` that reads a batch of jobs in one go; without
    one the dispatcher reads item by item through the ports above."""
