"""In-memory fakes for the dispatcher, delivery feedback and devices: the message store (claims, contact
history, lookups, address registry, tasks, devices, counters), campaigns and templates, providers that
record what they are given, a job queue, and `Scenario`, a Peruvian tenant with one debtor ready to
dispatch to.

The message store follows infra/dynamodb/message_repository.py: claims are all-or-nothing, saves are
conditional on `version`, a sent message and its contact entry are one write, and every read or write
goes through a deep copy.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from domain.campaigns.deps import EngineDeps
from domain.campaigns.engine import Reminders
from domain.campaigns.model import (
    AgentDevice,
    CallTask,
    Campaign,
    CampaignStats,
    CampaignStatus,
    Message,
    MessageTemplate,
    Segment,
    Step,
)
from domain.campaigns.ports import MessageFilter, RecentContacts, SendClaim, SendJob
from domain.clock import FixedClock
from domain.entities import (
    ContactKind,
    ContactPoint,
    Debt,
    DebtKind,
    Debtor,
    PartyKind,
    Tenant,
)
from domain.errors import ConcurrencyConflict
from domain.ids import TimeOrderedIds
from domain.messaging import OutgoingMessage, SendChannel, SendReceipt
from domain.policy import ContactRecord
from domain.ports import Page, PageRequest, Transaction
from domain.templates import TemplateBody, TemplateChannel
from tests.fakes import InMemoryLedgerRepository

LIMA = "America/Lima"
DUE = date(2026, 12, 14)  # a Monday, no holiday in Peru
AT_10_LIMA = datetime(2026, 12, 14, 15, 0, tzinfo=UTC)
EMAIL = "rosa@example.pe"
PHONE = "+51987654321"


class InMemoryMessageRepository:
    """Implements `domain.campaigns.ports.MessageRepository`. `before_save` may raise to inject a
    crash (it sees the message about to be written)."""

    def __init__(self) -> None:
        self.messages: dict[tuple[str, str], Message] = {}
        self.claims: dict[tuple[str, SendClaim], str] = {}
        self.lookups: dict[tuple[str, str], str] = {}
        self.history: dict[tuple[str, str], list[ContactRecord]] = {}
        self.addresses: dict[str, set[tuple[str, str]]] = {}
        self.tasks: dict[tuple[str, str], CallTask] = {}
        self.devices: dict[tuple[str, str], AgentDevice] = {}
        self.token_owner: dict[tuple[str, str], str] = {}
        self.stats: dict[tuple[str, str], CampaignStats] = {}
        self.attributions: set[tuple[str, str, str]] = set()
        self.before_save: Callable[[Message], None] | None = None
        self.writes = 0

    def claim_message(self, message: Message, claims: list[SendClaim]) -> list[SendClaim]:
        taken = [c for c in claims if (message.tenant, c) in self.claims]
        if taken:
            return taken
        message.version = 1
        self.messages[(message.tenant, message.id)] = copy.deepcopy(message)
        for claim in claims:
            self.claims[(message.tenant, claim)] = message.id
        self.lookups[(message.tenant, message.id)] = message.id
        self.writes += 1
        return []

    def message_for_claim(self, tenant: str, claim: SendClaim) -> Message | None:
        message_id = self.claims.get((tenant, claim))
        return copy.deepcopy(self.messages.get((tenant, message_id))) if message_id else None

    def save_message(
        self, message: Message, expected_version: int, contact: ContactRecord | None = None
    ) -> None:
        if self.before_save is not None:
            self.before_save(message)
        stored = self.messages.get((message.tenant, message.id))
        if stored is None or stored.version != expected_version:
            raise ConcurrencyConflict(f"message {message.id}")
        message.version = expected_version + 1
        self.messages[(message.tenant, message.id)] = copy.deepcopy(message)
        if contact is not None:
            self.history.setdefault((message.tenant, message.debtor_id), []).append(contact)
            if message.to and message.channel in (TemplateChannel.SMS, TemplateChannel.WHATSAPP):
                self.addresses.setdefault(message.to, set()).add((message.tenant, message.debtor_id))
        if message.provider_message_id:
            self.lookups[(message.tenant, message.provider_message_id)] = message.id
        self.writes += 1

    def save_messages(self, saves: list[tuple[Message, int, ContactRecord | None]]) -> None:
        """All or nothing, one write: every version is checked before anything is stored."""
        for message, _, _ in saves:
            if self.before_save is not None:
                self.before_save(message)
        for message, expected, _ in saves:
            stored = self.messages.get((message.tenant, message.id))
            if stored is None or stored.version != expected:
                raise ConcurrencyConflict(f"message {message.id}")
        writes, before = self.writes, self.before_save
        self.before_save = None
        try:
            for message, expected, contact in saves:
                self.save_message(message, expected, contact)
        finally:
            self.before_save, self.writes = before, writes + 1

    def get_message(self, tenant: str, debtor_id: str, message_id: str) -> Message | None:
        found = self.messages.get((tenant, message_id))
        return copy.deepcopy(found) if found is not None and found.debtor_id == debtor_id else None

    def find_by_provider_id(self, tenant: str | None, provider_message_id: str) -> Message | None:
        if not tenant:
            return None
        message_id = self.lookups.get((tenant, provider_message_id))
        return copy.deepcopy(self.messages.get((tenant, message_id))) if message_id else None

    def debtors_by_address(self, address: str) -> list[tuple[str, str]]:
        return sorted(self.addresses.get(address, set()))

    def list_messages(self, tenant: str, query: MessageFilter, page: PageRequest) -> Page[Message]:
        found = [
            copy.deepcopy(m)
            for (t, _), m in self.messages.items()
            if t == tenant
            and query.status in (None, m.status)
            and query.channel in (None, m.channel)
            and query.campaign_id in (None, m.campaign_id)
            and query.debtor_id in (None, m.debtor_id)
        ]
        found.sort(key=lambda m: (m.created_at or datetime.min.replace(tzinfo=UTC), m.id), reverse=True)
        return Page(found[: page.first], None, len(found) > page.first)

    def contact_history(self, tenant: str, debtor_id: str, since: datetime) -> list[ContactRecord]:
        records = self.history.get((tenant, debtor_id), [])
        return sorted((r for r in records if r.at >= since), key=lambda r: r.at)

    def record_contact(self, tenant: str, debtor_id: str, contact: ContactRecord) -> None:
        self.history.setdefault((tenant, debtor_id), []).append(contact)

    def recent_contacts(self, tenant: str, debtor_ids: list[str], now: datetime) -> dict[str, RecentContacts]:
        span = timedelta(days=40)
        return {
            d: RecentContacts(tuple(self.contact_history(tenant, d, now - span)), span) for d in debtor_ids
        }

    def save_task(self, task: CallTask) -> None:
        task.version += 1
        self.tasks[(task.tenant, task.id)] = copy.deepcopy(task)

    def list_tasks(self, tenant: str, agent_id: str | None, page: PageRequest) -> Page[CallTask]:
        found = [
            copy.deepcopy(t)
            for (tn, _), t in self.tasks.items()
            if tn == tenant and agent_id in (None, t.agent_id)
        ]
        found.sort(key=lambda t: (t.due_at, t.id))
        return Page(found[: page.first], None, len(found) > page.first)

    def save_device(self, device: AgentDevice) -> None:
        previous = self.token_owner.get((device.tenant, device.token))
        if previous and previous != device.agent_id:
            self.devices.pop((f"{device.tenant}/{previous}", device.token), None)
        self.token_owner[(device.tenant, device.token)] = device.agent_id
        device.version += 1
        self.devices[(f"{device.tenant}/{device.agent_id}", device.token)] = copy.deepcopy(device)

    def devices_of_agent(self, tenant: str, agent_id: str) -> list[AgentDevice]:
        return [copy.deepcopy(d) for (owner, _), d in self.devices.items() if owner == f"{tenant}/{agent_id}"]

    def add_stats(self, tenant: str, campaign_id: str, delta: CampaignStats) -> None:
        s = self.stats.setdefault((tenant, campaign_id), CampaignStats())
        s.planned += delta.planned
        s.sent += delta.sent
        s.delivered += delta.delivered
        s.failed += delta.failed
        s.blocked += delta.blocked
        s.skipped += delta.skipped
        for rule, n in delta.blocked_by_rule.items():
            s.blocked_by_rule[rule] = s.blocked_by_rule.get(rule, 0) + n

    def get_stats(self, tenant: str, campaign_id: str) -> CampaignStats:
        return copy.deepcopy(self.stats.get((tenant, campaign_id), CampaignStats()))

    def claim_attribution(self, tenant: str, payment_id: str, campaign_id: str) -> bool:
        if (tenant, payment_id, campaign_id) in self.attributions:
            return False
        self.attributions.add((tenant, payment_id, campaign_id))
        return True

    # helpers for tests
    def all(self) -> list[Message]:
        return sorted((copy.deepcopy(m) for m in self.messages.values()), key=lambda m: m.id)


class InMemoryCampaignRepository:
    def __init__(self) -> None:
        self.campaigns: dict[tuple[str, str], Campaign] = {}
        self.templates: dict[tuple[str, str], MessageTemplate] = {}

    def get_campaign(self, tenant: str, campaign_id: str) -> Campaign | None:
        return copy.deepcopy(self.campaigns.get((tenant, campaign_id)))

    def list_campaigns(self, tenant: str, status: CampaignStatus | None = None) -> list[Campaign]:
        return [
            copy.deepcopy(c)
            for (t, _), c in self.campaigns.items()
            if t == tenant and status in (None, c.status)
        ]

    def save_campaign(self, campaign: Campaign, expected_version: int) -> None:
        campaign.version = expected_version + 1
        self.campaigns[(campaign.tenant, campaign.id)] = copy.deepcopy(campaign)

    def get_template(self, tenant: str, template_id: str) -> MessageTemplate | None:
        return copy.deepcopy(self.templates.get((tenant, template_id)))

    def get_templates(self, tenant: str, ids: list[str]) -> dict[str, MessageTemplate]:
        return {i: t for i in ids if (t := self.get_template(tenant, i)) is not None}

    def list_templates(self, tenant: str, channel: TemplateChannel | None = None) -> list[MessageTemplate]:
        return [
            copy.deepcopy(t)
            for (tn, _), t in self.templates.items()
            if tn == tenant and channel in (None, t.channel)
        ]

    def save_template(self, template: MessageTemplate, expected_version: int) -> None:
        template.version = expected_version + 1
        self.templates[(template.tenant, template.id)] = copy.deepcopy(template)


class NoSchedule:
    SHARDS = 1

    def campaign_versions(self, tenant: str) -> dict[str, int]:
        return {}

    def save_campaign_versions(self, tenant: str, versions: dict[str, int]) -> None:
        return None

    def due_debts(self, tenant: str, shard: int, until: datetime, limit: int) -> list[Debt]:
        return []

    def move_next_action(self, debt: Debt, expected: object, new: object) -> bool:
        return True


@dataclass
class ListQueue:
    """A JobQueue in a list of (job, delay)."""

    jobs: list[tuple[SendJob, int]] = field(default_factory=list)

    def enqueue(self, jobs: list[SendJob], delay_seconds: int = 0) -> None:
        self.jobs.extend((job, delay_seconds) for job in jobs)


class RecordingSender:
    """A provider that keeps what it accepts; `fail_next` errors are raised first, one per call."""

    def __init__(self, provider: str) -> None:
        self.provider = provider
        self.sent: list[OutgoingMessage] = []
        self.fail_next: list[Exception] = []
        self.calls = 0

    def send(self, message: OutgoingMessage) -> SendReceipt:
        self.calls += 1
        if self.fail_next:
            raise self.fail_next.pop(0)
        self.sent.append(message)
        return SendReceipt(self.provider, f"{self.provider}-{len(self.sent)}")


class FakeDeviceRegistry:
    def __init__(self) -> None:
        self.registered: list[tuple[str, str]] = []

    def register(self, token: str, custom_user_data: str) -> str:
        self.registered.append((token, custom_user_data))
        return f"arn:aws:sns:us-east-1:000000000000:endpoint/GCM/recaudo/{abs(hash(token)) % 10**8}"


def body(channel: TemplateChannel, locale: str = "es-PE") -> TemplateBody:
    text = "Hola {{ debtor_name }}: {{ creditor_name }} le recuerda su saldo de {{ balance }}."
    if channel is TemplateChannel.EMAIL:
        return TemplateBody(
            channel, locale, subject="{{ creditor_name }}: recordatorio", html=f"<p>{text}</p>", text=text
        )
    if channel is TemplateChannel.WHATSAPP:
        return TemplateBody(
            channel,
            locale,
            whatsapp_template="recordatorio",
            whatsapp_params=("debtor_name",),
            preview_text="Hola {{1}}",
        )
    return TemplateBody(channel, locale, text=text)


class Scenario:
    """Tenant "acme" (Peru), debtor Rosa (e-mail and mobile, both consented), two debts due `DUE`, and
    an active campaign whose steps are added by the test. The clock starts at 10:00 in Lima on `DUE`."""

    def __init__(self) -> None:
        self.clock = FixedClock(AT_10_LIMA)
        self.ledger = InMemoryLedgerRepository()
        self.messages = InMemoryMessageRepository()
        self.campaigns = InMemoryCampaignRepository()
        self.queue = ListQueue()
        self.email = RecordingSender("ses")
        self.sms = RecordingSender("sns")
        self.whatsapp = RecordingSender("whatsapp")
        self.push = RecordingSender("sns-push")
        self.registry = FakeDeviceRegistry()
        self.deps = EngineDeps(
            ledger=self.ledger,
            campaigns=self.campaigns,
            messages=self.messages,
            schedule=NoSchedule(),
            clock=self.clock,
            ids=TimeOrderedIds(self.clock),
            queue=self.queue,
            senders={
                SendChannel.EMAIL: self.email,
                SendChannel.SMS: self.sms,
                SendChannel.WHATSAPP: self.whatsapp,
                SendChannel.PUSH: self.push,
            },
            devices=self.registry,
            unsubscribe_url=lambda tenant, debtor: f"https://pay.example/{tenant}/optout/{debtor}",
        )
        self.reminders = Reminders.build(self.deps)
        tenant = Tenant("acme", "Acme SAC", "PE", "PEN", LIMA, "es-PE", sender_email="cobranzas@acme.pe")
        self.debtor = Debtor(
            tenant="acme",
            id="dr-1",
            external_id="C-1",
            kind=PartyKind.PERSON,
            name="Rosa Quispe",
            document_type=None,
            document_number=None,
            time_zone=LIMA,
            jurisdiction="PE",
            locale="es-PE",
            contacts=[
                ContactPoint(ContactKind.EMAIL, EMAIL, consent=True, primary=True),
                ContactPoint(ContactKind.PHONE, PHONE, consent=True),
            ],
        )
        self.debts = [self._debt(f"dt-{i}", Decimal(f"{i}00.00")) for i in (1, 2)]
        tx = Transaction()
        tx.save(tenant)
        tx.save(self.debtor)
        for debt in self.debts:
            tx.save(debt)
        self.ledger.commit("acme", tx)
        for channel in TemplateChannel:
            template = MessageTemplate(
                "acme", f"tpl-{channel.value.lower()}", channel.value, channel, [body(channel)]
            )
            self.campaigns.save_template(template, 0)

    def _debt(self, debt_id: str, amount: Decimal) -> Debt:
        return Debt(
            tenant="acme",
            id=debt_id,
            debtor_id="dr-1",
            portfolio_id="pf-1",
            external_id=debt_id.upper(),
            kind=DebtKind.INVOICE,
            currency="PEN",
            original_amount=amount,
            issue_date=DUE - timedelta(days=30),
            due_date=DUE,
            number=f"F-{debt_id}",
        )

    def campaign(
        self, *steps: Step, status: CampaignStatus = CampaignStatus.ACTIVE, cid: str = "cmp-1"
    ) -> Campaign:
        campaign = Campaign("acme", cid, "Estándar", 10, status, Segment(), list(steps), ["es-PE"])
        self.campaigns.save_campaign(campaign, 0)
        return campaign

    def job(
        self,
        step_id: str = "s0",
        occurrence: date = DUE,
        campaign_id: str = "cmp-1",
        debts: tuple[str, ...] = ("dt-1", "dt-2"),
    ) -> SendJob:
        return SendJob("acme", "dr-1", debts, campaign_id, step_id, occurrence, self.clock.now())

    def get_debtor(self) -> Debtor:
        debtor = self.ledger.get_debtor("acme", "dr-1")
        assert debtor is not None
        return debtor

    def update_debtor(self, change: Callable[[Debtor], None]) -> None:
        debtor = self.get_debtor()
        change(debtor)
        tx = Transaction()
        tx.save(debtor)
        self.ledger.commit("acme", tx)

    def update_debt(self, debt_id: str, change: Callable[[Debt], None]) -> None:
        debt = self.ledger.get_debt("acme", "dr-1", debt_id)
        assert debt is not None
        change(debt)
        tx = Transaction()
        tx.save(debt)
        self.ledger.commit("acme", tx)


def step(
    channel: TemplateChannel = TemplateChannel.EMAIL,
    offset: int = 0,
    step_id: str = "s0",
    fallback: TemplateChannel | None = None,
) -> Step:
    return Step(
        step_id,
        offset,
        channel,
        f"tpl-{channel.value.lower()}",
        fallback_channel=fallback,
        fallback_template_id=f"tpl-{fallback.value.lower()}" if fallback else None,
    )
