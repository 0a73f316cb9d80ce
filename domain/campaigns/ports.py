"""What the reminder engine needs from storage and the outside world.

Three stores, one per concern (each implemented on the single DynamoDB table):
- `CampaignRepository`: campaigns and templates (few items per tenant, read whole);
- `ScheduleRepository`: the sparse, sharded due index of debts with a next action;
- `MessageRepository`: messages with their idempotency claims, the contact history the policy
  engine counts, call tasks, agent devices and campaign counters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from domain.campaigns.model import (
    AgentDevice,
    CallTask,
    Campaign,
    CampaignStats,
    CampaignStatus,
    Message,
    MessageStatus,
    MessageTemplate,
)
from domain.entities import Debt, NextAction
from domain.policy import ContactRecord
from domain.ports import Page, PageRequest
from domain.templates import TemplateChannel


class CampaignRepository(Protocol):
    def get_campaign(self, tenant: str, campaign_id: str) -> Campaign | None: ...

    def list_campaigns(self, tenant: str, status: CampaignStatus | None = None) -> list[Campaign]:
        """Every campaign of the tenant (one Query), optionally only those with `status`."""
        ...

    def save_campaign(self, campaign: Campaign, expected_version: int) -> None:
        """Conditional put on `version` (0 = new); raises ConcurrencyConflict; bumps `version`."""
        ...

    def get_template(self, tenant: str, template_id: str) -> MessageTemplate | None: ...

    def get_templates(self, tenant: str, ids: list[str]) -> dict[str, MessageTemplate]: ...

    def list_templates(
        self, tenant: str, channel: TemplateChannel | None = None
    ) -> list[MessageTemplate]: ...

    def save_template(self, template: MessageTemplate, expected_version: int) -> None: ...


class ScheduleRepository(Protocol):
    SHARDS: int

    def campaign_versions(self, tenant: str) -> dict[str, int]:
        """The campaign versions the planner last re-anchored the due index for (one GetItem)."""
        ...

    def save_campaign_versions(self, tenant: str, versions: dict[str, int]) -> None: ...

    def due_debts(self, tenant: str, shard: int, until: datetime, limit: int) -> list[Debt]:
        """Debts whose next action is at or before `until`, oldest first (sparse index, one shard)."""
        ...

    def move_next_action(self, debt: Debt, expected: NextAction | None, new: NextAction | None) -> bool:
        """Set the debt's next action if it is still `expected` (conditional update of those attributes
        only, so ledger writes are never refused for it). False when someone moved it first."""
        ...


@dataclass(frozen=True)
class MessageFilter:
    status: MessageStatus | None = None
    channel: TemplateChannel | None = None
    campaign_id: str | None = None
    debtor_id: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None


@dataclass(frozen=True)
class SendClaim:
    """One debt's share of an idempotency key: (debt, campaign, step, occurrence day)."""

    debt_id: str
    campaign_id: str
    step_id: str
    occurrence: date


@dataclass(frozen=True)
class RecentContacts:
    """A debtor's contacts as one read found them: complete for the last `span` before the read."""

    records: tuple[ContactRecord, ...]
    span: timedelta

    def covers(self, since: datetime, now: datetime) -> bool:
        return since >= now - self.span

    def since(self, since: datetime) -> list[ContactRecord]:
        return [r for r in self.records if r.at >= since]


class MessageRepository(Protocol):
    def claim_message(self, message: Message, claims: list[SendClaim]) -> list[SendClaim]:
        """Create `message` with its claims atomically. If some claims exist already, write nothing and
        return those (the caller drops their debts and retries with the rest, or stops)."""
        ...

    def message_for_claim(self, tenant: str, claim: SendClaim) -> Message | None:
        """The message that owns a claim (to resume a job retried after a crash)."""
        ...

    def save_message(
        self, message: Message, expected_version: int, contact: ContactRecord | None = None
    ) -> None:
        """Conditional update on `version`; with `contact`, the contact-history entry is written in the
        same transaction (a sent message and the contact it counts for are never apart)."""
        ...

    def save_messages(self, saves: list[tuple[Message, int, ContactRecord | None]]) -> None:
        """`save_message` for several messages (message, expected version, contact) in one transaction:
        all or nothing. ConcurrencyConflict when any version moved; at most 20 messages."""
        ...

    def get_message(self, tenant: str, debtor_id: str, message_id: str) -> Message | None: ...

    def find_by_provider_id(self, tenant: str | None, provider_message_id: str) -> Message | None: ...

    def debtors_by_address(self, address: str) -> list[tuple[str, str]]:
        """(tenant, debtor id) of every debtor an SMS or WhatsApp was sent to at this number (the
        inbound STOP/BAJA of a shared number names only the sender's number)."""
        ...

    def list_messages(self, tenant: str, query: MessageFilter, page: PageRequest) -> Page[Message]: ...

    def contact_history(self, tenant: str, debtor_id: str, since: datetime) -> list[ContactRecord]: ...

    def recent_contacts(self, tenant: str, debtor_ids: list[str], now: datetime) -> dict[str, RecentContacts]:
        """Several debtors' recent contacts in one read (the agent queue's page), complete for `span`
        before `now`; a policy looking further back asks `contact_history`."""
        ...

    def record_contact(self, tenant: str, debtor_id: str, contact: ContactRecord) -> None: ...

    def save_task(self, task: CallTask) -> None: ...

    def list_tasks(self, tenant: str, agent_id: str | None, page: PageRequest) -> Page[CallTask]: ...

    def save_device(self, device: AgentDevice) -> None: ...

    def devices_of_agent(self, tenant: str, agent_id: str) -> list[AgentDevice]: ...

    def add_stats(self, tenant: str, campaign_id: str, delta: CampaignStats) -> None:
        """Add to the campaign's counters (atomic ADD; counters never go through a read)."""
        ...

    def get_stats(self, tenant: str, campaign_id: str) -> CampaignStats: ...

    def claim_attribution(self, tenant: str, payment_id: str, campaign_id: str) -> bool:
        """Claim (payment, campaign) once; False when it was already counted."""
        ...


class JobQueue(Protocol):
    def enqueue(self, jobs: list[SendJob], delay_seconds: int = 0) -> None:
        """Put send jobs on the dispatcher's queue (batched)."""
        ...


@dataclass(frozen=True)
class SendJob:
    """What the planner asks the dispatcher to do: one step for one debtor, one or more debts."""

    tenant: str
    debtor_id: str
    debt_ids: tuple[str, ...]
    campaign_id: str
    step_id: str
    occurrence: date
    planned_at: datetime
    attempt: int = 0
    members: tuple[SendClaim, ...] = ()
    """Consolidation: when debts reached different steps of the same channel in one cycle, each debt's
    own (campaign, step, occurrence); empty means every debt is at the lead step above."""

    def claims(self) -> list[SendClaim]:
        """The idempotency claim of every debt in the job."""
        if self.members:
            return list(self.members)
        return [SendClaim(d, self.campaign_id, self.step_id, self.occurrence) for d in self.debt_ids]

    def to_json(self) -> dict[str, object]:
        return {
            "tenant": self.tenant,
            "debtorId": self.debtor_id,
            "debtIds": list(self.debt_ids),
            "campaignId": self.campaign_id,
            "stepId": self.step_id,
            "occurrence": self.occurrence.isoformat(),
            "plannedAt": self.planned_at.isoformat(),
            "attempt": self.attempt,
            "members": [
                {
                    "debtId": m.debt_id,
                    "campaignId": m.campaign_id,
                    "stepId": m.step_id,
                    "occurrence": m.occurrence.isoformat(),
                }
                for m in self.members
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> SendJob:
        debt_ids = data["debtIds"]
        if not isinstance(debt_ids, list):
            raise ValueError("debtIds must be a list")
        return cls(
            tenant=str(data["tenant"]),
            debtor_id=str(data["debtorId"]),
            debt_ids=tuple(str(d) for d in debt_ids),
            campaign_id=str(data["campaignId"]),
            step_id=str(data["stepId"]),
            occurrence=date.fromisoformat(str(data["occurrence"])),
            planned_at=datetime.fromisoformat(str(data["plannedAt"])),
            attempt=int(str(data.get("attempt", 0))),
            members=tuple(_claim_from_json(m) for m in _list(data.get("members", []))),
        )


def _list(value: object) -> list[dict[str, object]]:
    if not isinstance(value, list):
        raise ValueError("members must be a list")
    return [m for m in value if isinstance(m, dict)]


def _claim_from_json(data: dict[str, object]) -> SendClaim:
    return SendClaim(
        debt_id=str(data["debtId"]),
        campaign_id=str(data["campaignId"]),
        step_id=str(data["stepId"]),
        occurrence=date.fromisoformat(str(data["occurrence"])),
    )
