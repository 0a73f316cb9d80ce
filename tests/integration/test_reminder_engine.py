"""The reminder engine on moto: planner → jobs → dispatcher → SES/SNS, with the ledger table, claims and
contact history for real. Exactly-once under retries and crashes; never to a paid debt, an opted-out
address or outside the window; throttling retried; feedback applied."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3
import pytest

from domain.campaigns.campaigns import CampaignInput, StepInput
from domain.campaigns.deps import EngineDeps
from domain.campaigns.engine import Reminders
from domain.campaigns.model import MessageStatus
from domain.campaigns.ports import MessageFilter, SendJob
from domain.clock import FixedClock
from domain.entities import ContactKind, ContactStatus, PaymentMethod
from domain.ids import TimeOrderedIds
from domain.messaging import Feedback, FeedbackKind, SendChannel, TransientSendError
from domain.ports import PageRequest
from domain.principal import Principal, Role
from domain.services import Deps, Ledger
from domain.services.debtors import ContactInput, DebtorInput
from domain.services.debts import DebtInput
from domain.services.payments import PaymentInput
from domain.services.portfolios import PortfolioInput
from domain.services.tenants import TenantPatch
from infra.dynamodb.campaign_repository import DynamoCampaignRepository
from infra.dynamodb.message_repository import DynamoMessageRepository
from infra.dynamodb.repository import DynamoLedgerRepository
from infra.dynamodb.schedule import DynamoScheduleRepository
from infra.messaging.ses import SesEmailSender
from infra.messaging.sns_sms import SnsSmsSender
from infra.messaging.whatsapp import RecordingWhatsAppSender
from infra.tick import MemoryJobQueue

ADMIN = Principal("ana", "acme", Role.ADMIN)
DUE = date(2026, 12, 7)  # a Monday
AT_10_LIMA = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
SENDER = "cobranzas@acme.pe"


@dataclass
class World:
    clock: FixedClock
    ledger: Ledger
    reminders: Reminders
    queue: MemoryJobQueue
    ses: Any
    debtor_id: str = ""
    debt_ids: list[str] = field(default_factory=list)

    def plan_and_dispatch(self) -> list[Any]:
        self.reminders.planner.run(["acme"])
        results = []
        while self.queue.ready:
            jobs, self.queue.ready = self.queue.ready, []
            results.extend(self.reminders.dispatcher.handle(j) for j in jobs)
        return results

    def messages(self) -> list[Any]:
        page = self.reminders.messages.list(ADMIN, MessageFilter(), PageRequest(first=50))
        return page.items


def sent_emails() -> list[Any]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return list(ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages)


@pytest.fixture
def world(table: str) -> Iterator[World]:
    ses = boto3.client("ses", region_name="us-east-1")
    ses.verify_email_identity(EmailAddress=SENDER)
    sns = boto3.client("sns", region_name="us-east-1")
    clock = FixedClock(AT_10_LIMA - timedelta(days=10))
    ledger = Ledger.build(Deps(DynamoLedgerRepository(), clock, TimeOrderedIds(clock)))
    queue = MemoryJobQueue()
    deps = EngineDeps(
        ledger=DynamoLedgerRepository(),
        campaigns=DynamoCampaignRepository(),
        messages=DynamoMessageRepository(),
        schedule=DynamoScheduleRepository(),
        clock=clock,
        ids=TimeOrderedIds(clock),
        queue=queue,
        senders={
            SendChannel.EMAIL: SesEmailSender(ses),
            SendChannel.SMS: SnsSmsSender(sns),
            SendChannel.WHATSAPP: RecordingWhatsAppSender(),
        },
    )
    reminders = Reminders.build(deps)
    w = World(clock, ledger, reminders, queue, ses)
    ledger.tenants.update(ADMIN, TenantPatch(name="Acme SAC", country="PE", sender_email=SENDER))
    pf = ledger.portfolios.create(ADMIN, PortfolioInput(name="Retail", currency="PEN"))
    debtor = ledger.debtors.create(
        ADMIN,
        DebtorInput(
            name="Rosa Quispe",
            external_id="C-1",
            contacts=[
                ContactInput(ContactKind.EMAIL, "rosa@example.pe", consent=True),
                ContactInput(ContactKind.PHONE, "987654321", consent=True),
            ],
        ),
    )
    w.debtor_id = debtor.id
    for i in (1, 2):
        debt = ledger.debts.create(ADMIN, DebtInput(debtor.id, pf.id, f"{i}00.00", DUE, external_id=f"F-{i}"))
        w.debt_ids.append(debt.id)
    templates = reminders.templates.install_defaults(ADMIN)
    by_name = {(t.name, t.channel.value): t.id for t in templates}
    campaign = reminders.campaigns.create(
        ADMIN,
        CampaignInput(
            name="Estándar",
            priority=10,
            locales=["es-PE"],
            steps=[
                StepInput(0, _ch("EMAIL"), by_name[("due-today", "EMAIL")]),
                StepInput(3, _ch("SMS"), by_name[("overdue", "SMS")]),
            ],
        ),
    )
    reminders.campaigns.activate(ADMIN, campaign.id)
    clock.set(AT_10_LIMA)
    yield w


def _ch(name: str) -> Any:
    from domain.templates import TemplateChannel

    return TemplateChannel(name)


def test_two_debts_due_today_get_one_lawful_email_listing_both(world: World) -> None:
    before = len(sent_emails())
    results = world.plan_and_dispatch()
    assert [r.status for r in results] == ["SENT"]
    emails = sent_emails()[before:]
    assert len(emails) == 1
    raw = emails[0].raw_data if hasattr(emails[0], "raw_data") else str(emails[0])
    assert "List-Unsubscribe" in raw and "rosa@example.pe" in str(emails[0].destinations)
    [message] = world.messages()
    assert message.status is MessageStatus.SENT and message.provider == "ses" and message.provider_message_id
    assert sorted(message.debt_ids) == sorted(world.debt_ids)
    assert message.decision is not None and message.decision.policy_id.startswith("PE")
    history = world.reminders.deps.messages.contact_history(
        "acme", world.debtor_id, AT_10_LIMA - timedelta(days=1)
    )
    assert len(history) == 1 and history[0].address == "rosa@example.pe"
    stats = world.reminders.campaigns.stats(ADMIN, message.campaign_id or "")
    assert (stats.planned, stats.sent) == (1, 1)


def test_planner_twice_and_dispatcher_twice_send_nothing_twice(world: World) -> None:
    before = len(sent_emails())
    world.reminders.planner.run(["acme"])
    world.reminders.planner.run(["acme"])
    assert len(world.queue.ready) == 1
    job = world.queue.ready[0]
    first = world.reminders.dispatcher.handle(job)
    second = world.reminders.dispatcher.handle(job)
    assert (first.status, second.status) == ("SENT", "DUPLICATE")
    assert len(sent_emails()) == before + 1


def test_a_crash_after_the_provider_accepted_is_never_sent_again(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = len(sent_emails())
    world.reminders.planner.run(["acme"])
    job: SendJob = world.queue.ready.pop()
    repo = world.reminders.deps.messages
    original = repo.save_message

    def crash_on_sent(message: Any, expected: int, contact: Any = None) -> None:
        if message.status is MessageStatus.SENT:
            raise RuntimeError("Lambda timed out after SES accepted the e-mail")
        original(message, expected, contact)

    def crash_on_sent_group(saves: list[tuple[Any, int, Any]]) -> None:
        for message, expected, contact in saves:
            crash_on_sent(message, expected, contact)

    monkeypatch.setattr(repo, "save_message", crash_on_sent)
    monkeypatch.setattr(repo, "save_messages", crash_on_sent_group)
    with pytest.raises(RuntimeError):
        world.reminders.dispatcher.handle(job)
    monkeypatch.setattr(repo, "save_message", original)
    retried = world.reminders.dispatcher.handle(job)  # SQS delivers the job again
    assert retried.status == "FAILED" and retried.reason == "OUTCOME_UNKNOWN"
    assert len(sent_emails()) == before + 1
    [message] = world.messages()
    assert message.status is MessageStatus.FAILED and message.error_code == "OUTCOME_UNKNOWN"


def test_throttling_is_retried_and_loses_nothing(world: World) -> None:
    sender = world.reminders.deps.senders[SendChannel.EMAIL]

    class Throttled:
        calls = 0

        def send(self, message: Any) -> Any:
            Throttled.calls += 1
            if Throttled.calls == 1:
                raise TransientSendError("Maximum sending rate exceeded.", "Throttling")
            return sender.send(message)

    world.reminders.deps.senders = {**world.reminders.deps.senders, SendChannel.EMAIL: Throttled()}
    world.reminders.planner.run(["acme"])
    job = world.queue.ready.pop()
    assert world.reminders.dispatcher.handle(job).status == "RETRY"
    [(again, delay)] = world.queue.later
    assert 10 <= delay <= 900 and again.attempt == 1
    assert world.reminders.dispatcher.handle(again).status == "SENT"
    [message] = world.messages()
    assert message.status is MessageStatus.SENT and message.attempts == 2


def test_a_debt_paid_between_planning_and_dispatch_is_not_chased(world: World) -> None:
    world.reminders.planner.run(["acme"])
    job = world.queue.ready.pop()
    total = Decimal("300.00")
    world.ledger.payments.record(
        ADMIN, PaymentInput(world.debtor_id, total, "PEN", PaymentMethod.TRANSFER, idempotency_key="bank-1")
    )
    before = len(sent_emails())
    assert world.reminders.dispatcher.handle(job).status == "SKIPPED"
    assert len(sent_emails()) == before and world.messages() == []


def test_an_opted_out_address_is_blocked_with_the_rule_recorded(world: World) -> None:
    from domain.campaigns.feedback import OptOutScope

    world.reminders.feedback.opt_out(ADMIN, world.debtor_id, OptOutScope.ADDRESS, address="rosa@example.pe")
    results = world.plan_and_dispatch()
    assert [r.status for r in results] == ["BLOCKED"]
    [message] = world.messages()
    assert message.status is MessageStatus.BLOCKED and message.decision is not None
    assert message.decision.rule_ids


def test_outside_the_window_the_dispatcher_defers_to_the_next_morning(world: World) -> None:
    world.reminders.planner.run(["acme"])
    job = world.queue.ready.pop()
    world.clock.set(datetime(2026, 12, 8, 1, 0, tzinfo=UTC))  # Monday 20:00 Lima
    result = world.reminders.dispatcher.handle(job)
    assert result.status == "DEFERRED"
    [(_, delay)] = world.queue.later
    assert delay == 900  # SQS's longest delay; the job hops until Wednesday 07:00 (8 and 9 Dec are holidays)


def test_bounce_marks_the_email_invalid_and_baja_opts_the_phone_out(world: World) -> None:
    world.plan_and_dispatch()
    [message] = world.messages()
    world.reminders.feedback.apply(
        [
            Feedback(
                FeedbackKind.BOUNCED,
                SendChannel.EMAIL,
                "rosa@example.pe",
                AT_10_LIMA.isoformat(),
                provider_message_id=message.provider_message_id,
                tenant="acme",
                detail="550 mailbox unavailable",
            )
        ]
    )
    debtor = world.ledger.deps.repo.get_debtor("acme", world.debtor_id)
    assert debtor is not None
    assert [c.status for c in debtor.contacts if c.kind is ContactKind.EMAIL] == [ContactStatus.INVALID]
    assert world.messages()[0].status is MessageStatus.BOUNCED
    # three days later the SMS step goes out; the debtor answers BAJA
    world.clock.set(AT_10_LIMA + timedelta(days=3))
    assert [r.status for r in world.plan_and_dispatch()] == ["SENT"]
    world.reminders.feedback.apply(
        [Feedback(FeedbackKind.INBOUND, SendChannel.SMS, "+51987654321", "x", text="Baja")]
    )
    debtor = world.ledger.deps.repo.get_debtor("acme", world.debtor_id)
    assert debtor is not None
    assert [c.status for c in debtor.contacts if c.kind is ContactKind.PHONE] == [ContactStatus.OPTED_OUT]


def test_a_payment_within_7_days_counts_once_for_the_campaign_that_reached_the_debtor(world: World) -> None:
    world.plan_and_dispatch()
    [message] = world.messages()
    envelope = {
        "type": "PaymentRecorded",
        "tenant": "acme",
        "data": {
            "paymentId": "pay-1",
            "debtorId": world.debtor_id,
            "amount": "300.00",
            "currency": "PEN",
            "paidAt": (AT_10_LIMA + timedelta(days=2)).isoformat(),
        },
    }
    assert world.reminders.attribution.apply(envelope) == 1
    assert world.reminders.attribution.apply(envelope) == 0  # redelivered by the bus: counted once
    late = {
        **envelope,
        "data": {**envelope["data"], "paymentId": "pay-2", "paidAt": "2026-12-20T15:00:00+00:00"},
    }
    assert world.reminders.attribution.apply(late) == 0
    stats = world.reminders.campaigns.stats(ADMIN, message.campaign_id or "")
    assert stats.payments_within_7_days == 1 and stats.amount_within_7_days == {"PEN": Decimal("300.00")}
