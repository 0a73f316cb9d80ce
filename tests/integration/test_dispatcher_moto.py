"""The dispatcher's whole path on moto: ledger table, claims, contact history, SES and SNS for real, and
the Lambda handlers (SQS jobs with partial batch failures; SNS feedback). Exactly once under crashes,
duplicates and throttling; never to an opted-out or invalid address, a paid or disputed debt, nor
outside Peru's window; bounces and BAJA come back as INVALID and OPTED_OUT."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from domain.campaigns.campaigns import CampaignInput, StepInput
from domain.campaigns.deps import EngineDeps
from domain.campaigns.dispatcher import DispatchResult
from domain.campaigns.engine import Reminders
from domain.campaigns.model import Message, MessageStatus
from domain.campaigns.ports import MessageFilter, SendJob
from domain.clock import FixedClock
from domain.entities import ContactKind, ContactStatus, PaymentMethod
from domain.ids import TimeOrderedIds
from domain.messaging import SendChannel
from domain.ports import PageRequest
from domain.principal import Principal, Role
from domain.services import Deps, Ledger
from domain.services.debtors import ContactInput, DebtorInput, DebtorPatch
from domain.services.debts import DebtInput
from domain.services.payments import PaymentInput
from domain.services.portfolios import PortfolioInput
from domain.services.tenants import TenantPatch
from domain.templates import TemplateChannel
from infra.dynamodb.campaign_repository import DynamoCampaignRepository
from infra.dynamodb.dispatch_reads import DynamoDispatchReads
from infra.dynamodb.message_repository import DynamoMessageRepository
from infra.dynamodb.repository import DynamoLedgerRepository
from infra.dynamodb.schedule import DynamoScheduleRepository
from infra.messaging.ses import SesEmailSender
from infra.messaging.sns_sms import SnsSmsSender

ADMIN = Principal("ana", "acme", Role.ADMIN)
DUE = date(2026, 12, 14)  # a Monday, not a holiday in Peru
AT_10_LIMA = datetime(2026, 12, 14, 15, 0, tzinfo=UTC)
SENDER = "cobranzas@acme.pe"
EMAIL, PHONE = "rosa@example.pe", "+51987654321"


@dataclass
class RecordingQueue:
    jobs: list[tuple[SendJob, int]] = field(default_factory=list)

    def enqueue(self, jobs: list[SendJob], delay_seconds: int = 0) -> None:
        self.jobs.extend((job, delay_seconds) for job in jobs)


class Context:
    function_name = "dispatcher"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:dispatcher"
    aws_request_id = "req-1"


@dataclass
class World:
    clock: FixedClock
    ledger: Ledger
    reminders: Reminders
    queue: RecordingQueue
    ses: Any
    sns: Any
    templates: dict[str, str]
    debtor_id: str = ""
    debt_ids: list[str] = field(default_factory=list)

    def campaign(self, channel: str, offset: int = 0, fallback: str | None = None) -> str:
        template = self.templates[channel]
        fallback_channel = TemplateChannel(fallback) if fallback else None
        fallback_template = self.templates[fallback] if fallback else None
        step = StepInput(offset, TemplateChannel(channel), template, fallback_channel, fallback_template)
        data = CampaignInput(name=f"{channel} {offset}", priority=10, locales=["es-PE"], steps=[step])
        campaign = self.reminders.campaigns.create(ADMIN, data)
        self.reminders.campaigns.activate(ADMIN, campaign.id)
        return campaign.id

    def job(self, campaign_id: str, occurrence: date = DUE) -> SendJob:
        campaign = self.reminders.deps.campaigns.get_campaign("acme", campaign_id)
        assert campaign is not None
        step = campaign.steps[0].id
        return SendJob(
            "acme", self.debtor_id, tuple(self.debt_ids), campaign_id, step, occurrence, self.clock.now()
        )

    def dispatch(self, job: SendJob) -> DispatchResult:
        return self.reminders.dispatcher.handle(job)

    def messages(self) -> list[Message]:
        return self.reminders.messages.list(ADMIN, MessageFilter(), PageRequest(first=50)).items

    def contact(self, kind: ContactKind) -> list[ContactStatus]:
        debtor = self.ledger.deps.repo.get_debtor("acme", self.debtor_id)
        assert debtor is not None
        return [c.status for c in debtor.contacts if c.kind is kind]


def sent_emails() -> list[Any]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return list(ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages)


def sent_sms() -> list[tuple[str, str]]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    return list(sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sms_messages.values())


@pytest.fixture
def world(table: str) -> Iterator[World]:
    ses = boto3.client("ses", region_name="us-east-1")
    ses.verify_email_identity(EmailAddress=SENDER)
    sns = boto3.client("sns", region_name="us-east-1")
    clock = FixedClock(AT_10_LIMA - timedelta(days=20))
    ledger = Ledger.build(Deps(DynamoLedgerRepository(), clock, TimeOrderedIds(clock)))
    queue = RecordingQueue()
    deps = EngineDeps(
        ledger=DynamoLedgerRepository(),
        campaigns=DynamoCampaignRepository(),
        messages=DynamoMessageRepository(),
        schedule=DynamoScheduleRepository(),
        clock=clock,
        ids=TimeOrderedIds(clock),
        queue=queue,
        senders={SendChannel.EMAIL: SesEmailSender(ses), SendChannel.SMS: SnsSmsSender(sns)},
        unsubscribe_url=lambda tenant, debtor: f"https://pay.acme.pe/baja/{tenant}/{debtor}",
        dispatch_reads=DynamoDispatchReads(clock),
    )
    reminders = Reminders.build(deps)
    ledger.tenants.update(ADMIN, TenantPatch(name="Acme SAC", country="PE", sender_email=SENDER))
    installed = reminders.templates.install_defaults(ADMIN)
    templates = {t.channel.value: t.id for t in installed if t.name == "due-today"}
    templates["SMS"] = next(t.id for t in installed if t.channel is TemplateChannel.SMS)
    w = World(clock, ledger, reminders, queue, ses, sns, templates)
    pf = ledger.portfolios.create(ADMIN, PortfolioInput(name="Retail", currency="PEN"))
    debtor = ledger.debtors.create(
        ADMIN,
        DebtorInput(
            name="Rosa Quispe",
            external_id="C-1",
            contacts=[
                ContactInput(ContactKind.EMAIL, EMAIL, consent=True),
                ContactInput(ContactKind.PHONE, "987654321", consent=True),
            ],
        ),
    )
    w.debtor_id = debtor.id
    for i in (1, 2):
        debt = ledger.debts.create(ADMIN, DebtInput(debtor.id, pf.id, f"{i}00.00", DUE, external_id=f"F-{i}"))
        w.debt_ids.append(debt.id)
    clock.set(AT_10_LIMA)
    yield w


# --- sent for real, once -------------------------------------------------------------------------------


def test_an_email_really_goes_out_through_ses_with_its_record(world: World) -> None:
    before = len(sent_emails())
    result = world.dispatch(world.job(world.campaign("EMAIL")))
    assert result.status == "SENT"
    [email] = sent_emails()[before:]
    assert EMAIL in str(email.destinations)
    raw = email.raw_data
    assert "List-Unsubscribe:" in raw and "https://pay.acme.pe/baja/acme/" in raw and "Rosa Quispe" in raw
    [message] = world.messages()
    assert message.status is MessageStatus.SENT and message.provider == "ses"
    assert message.amount == Decimal("300.00") and message.decision is not None
    found = world.reminders.deps.messages.find_by_provider_id("acme", message.provider_message_id or "")
    assert found is not None and found.id == message.id
    [contact] = world.reminders.deps.messages.contact_history("acme", world.debtor_id, AT_10_LIMA)
    assert contact.address == EMAIL


def test_an_sms_really_goes_out_through_sns(world: World) -> None:
    before = len(sent_sms())
    assert world.dispatch(world.job(world.campaign("SMS"))).status == "SENT"
    [(number, text)] = sent_sms()[before:]
    assert number == PHONE and "Acme SAC" in text
    assert world.reminders.deps.messages.debtors_by_address(PHONE) == [("acme", world.debtor_id)]


def test_the_same_job_twice_makes_one_message_and_one_email(world: World) -> None:
    job = world.job(world.campaign("EMAIL"))
    before = len(sent_emails())
    assert [world.dispatch(job).status, world.dispatch(job).status] == ["SENT", "DUPLICATE"]
    assert len(sent_emails()) == before + 1 and len(world.messages()) == 1


def test_a_crash_after_ses_accepted_is_never_sent_twice(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = world.job(world.campaign("EMAIL"))
    repo = world.reminders.deps.messages
    original = repo.save_message

    def crash_on_sent(message: Message, expected: int, contact: Any = None) -> None:
        if message.status is MessageStatus.SENT:
            raise RuntimeError("Lambda timed out after SES accepted the e-mail")
        original(message, expected, contact)

    def crash_on_sent_group(saves: list[tuple[Message, int, Any]]) -> None:
        for message, expected, contact in saves:
            crash_on_sent(message, expected, contact)

    before = len(sent_emails())
    monkeypatch.setattr(repo, "save_message", crash_on_sent)
    monkeypatch.setattr(repo, "save_messages", crash_on_sent_group)
    with pytest.raises(RuntimeError):
        world.dispatch(job)
    monkeypatch.setattr(repo, "save_message", original)
    world.clock.advance(timedelta(seconds=90))
    assert (world.dispatch(job).reason, world.dispatch(job).status) == ("OUTCOME_UNKNOWN", "DUPLICATE")
    assert len(sent_emails()) == before + 1
    [message] = world.messages()
    assert message.status is MessageStatus.FAILED and message.error_code == "OUTCOME_UNKNOWN"


def test_ses_throttling_is_retried_and_nothing_is_lost(world: World) -> None:
    real = world.ses.send_raw_email
    calls: list[int] = []

    def throttled(**kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            error = {"Error": {"Code": "Throttling", "Message": "Maximum sending rate exceeded."}}
            raise ClientError(error, "SendRawEmail")  # type: ignore[arg-type]
        return real(**kwargs)

    world.ses.send_raw_email = throttled
    before = len(sent_emails())
    assert world.dispatch(world.job(world.campaign("EMAIL"))).status == "RETRY"
    [(again, delay)] = world.queue.jobs
    assert 10 <= delay <= 20 and again.attempt == 1
    assert world.messages()[0].status is MessageStatus.QUEUED
    world.clock.advance(timedelta(seconds=delay))
    assert world.dispatch(again).status == "SENT"
    assert len(sent_emails()) == before + 1
    [message] = world.messages()
    assert message.status is MessageStatus.SENT and message.attempts == 2


# --- never to the wrong address, debt or hour ------------------------------------------------------------


def test_an_opted_out_or_invalid_address_is_never_sent_to(world: World) -> None:
    campaign = world.campaign("EMAIL")
    before = len(sent_emails())
    world.reminders.feedback.opt_out(ADMIN, world.debtor_id, _scope("ADDRESS"), address=EMAIL)
    blocked = world.dispatch(world.job(campaign))
    assert blocked.status == "BLOCKED" and blocked.rule_ids == ("PE-PRODUCT-opt-out",)
    world.ledger.debtors.update(
        ADMIN,
        world.debtor_id,
        DebtorPatch(
            contacts=[ContactInput(ContactKind.EMAIL, EMAIL, consent=True, status=ContactStatus.INVALID)]
        ),
    )
    other = world.campaign("EMAIL", offset=0)
    invalid = world.dispatch(world.job(other))
    assert invalid.status == "BLOCKED" and invalid.rule_ids == ("PRODUCT-invalid-contact",)
    assert len(sent_emails()) == before
    stats = world.reminders.deps.messages.get_stats("acme", campaign)
    assert stats.blocked_by_rule == {"PE-PRODUCT-opt-out": 1}


def test_an_sns_opted_out_number_is_marked_and_the_email_fallback_used(world: World) -> None:
    world.ledger.debtors.update(
        ADMIN,
        world.debtor_id,
        DebtorPatch(
            contacts=[
                ContactInput(ContactKind.EMAIL, EMAIL, consent=True),
                ContactInput(ContactKind.PHONE, "+51987654399", consent=True),  # moto: ...99 opted out
            ]
        ),
    )
    before = len(sent_emails())
    result = world.dispatch(world.job(world.campaign("SMS", fallback="EMAIL")))
    assert (result.status, result.channel) == ("SENT", "EMAIL")
    assert world.contact(ContactKind.PHONE) == [ContactStatus.OPTED_OUT]
    assert len(sent_emails()) == before + 1


@pytest.mark.parametrize("change", ["paid", "disputed"])
def test_a_debt_paid_or_disputed_after_planning_is_not_chased(world: World, change: str) -> None:
    job = world.job(world.campaign("EMAIL"))
    for debt_id in world.debt_ids:
        if change == "paid":
            payment = PaymentInput(
                world.debtor_id, Decimal("300.00"), "PEN", PaymentMethod.TRANSFER, idempotency_key="bank-1"
            )
            world.ledger.payments.record(ADMIN, payment)
            break
        world.ledger.debts.dispute_open(ADMIN, world.debtor_id, debt_id, "no reconoce la deuda")
    before = len(sent_emails())
    assert world.dispatch(job).status == "SKIPPED"
    assert len(sent_emails()) == before and world.messages() == []


def test_at_20_00_00_in_lima_the_email_waits_and_at_19_59_59_it_goes(world: World) -> None:
    campaign = world.campaign("EMAIL")
    world.clock.set(datetime(2026, 12, 15, 1, 0, 0, tzinfo=UTC))  # Monday 20:00:00 in Lima
    result = world.dispatch(world.job(campaign))
    assert result.status == "DEFERRED" and result.rule_ids
    assert world.queue.jobs[-1][1] == 900 and world.messages() == []
    world.clock.set(datetime(2026, 12, 15, 0, 59, 59, tzinfo=UTC))  # 19:59:59
    assert world.dispatch(world.job(campaign)).status == "SENT"


def test_on_sunday_the_job_waits_for_monday_7_00_in_lima(world: World) -> None:
    campaign = world.campaign("EMAIL", offset=-1)
    sunday = DUE - timedelta(days=1)
    world.clock.set(datetime(2026, 12, 13, 15, 0, tzinfo=UTC))  # Sunday 10:00
    job = world.job(campaign, occurrence=sunday)
    assert world.dispatch(job).status == "DEFERRED"
    assert world.queue.jobs[-1] == (job, 900)
    world.clock.set(datetime(2026, 12, 14, 11, 59, 59, tzinfo=UTC))  # Monday 06:59:59
    assert world.dispatch(job).status == "DEFERRED" and world.queue.jobs[-1][1] == 1
    world.clock.set(datetime(2026, 12, 14, 12, 0, tzinfo=UTC))  # Monday 07:00:00
    assert world.dispatch(job).status == "SENT"


# --- the Lambda handlers -------------------------------------------------------------------------------


def test_the_dispatcher_function_reports_only_the_bad_record(world: World) -> None:
    module = importlib.import_module("functions.dispatcher")
    module.reminders = world.reminders
    job = world.job(world.campaign("EMAIL"))
    event = {
        "Records": [
            _sqs_record("m-1", json.dumps(job.to_json())),
            _sqs_record("m-2", "{not json"),
        ]
    }
    assert module.handler(event, Context()) == {"batchItemFailures": [{"itemIdentifier": "m-2"}]}
    assert world.messages()[0].status is MessageStatus.SENT


def test_a_bounce_through_the_feedback_function_marks_the_email_invalid(world: World) -> None:
    world.dispatch(world.job(world.campaign("EMAIL")))
    [message] = world.messages()
    module = importlib.import_module("functions.delivery_feedback")
    module.reminders = world.reminders
    bounce = {
        "notificationType": "Bounce",
        "bounce": {
            "bounceType": "Permanent",
            "bouncedRecipients": [{"emailAddress": EMAIL, "diagnosticCode": "550 5.1.1 user unknown"}],
        },
        "mail": {
            "messageId": message.provider_message_id,
            "timestamp": AT_10_LIMA.isoformat(),
            "tags": {"recaudo-ref": [message.id], "recaudo-tenant": ["acme"]},
        },
    }
    for _ in range(2):  # SNS delivers at least once
        module.handler(_sns_event(bounce), Context())
    assert world.contact(ContactKind.EMAIL) == [ContactStatus.INVALID]
    assert world.messages()[0].status is MessageStatus.BOUNCED
    audits = world.ledger.audit.list(ADMIN, world.debtor_id, PageRequest(first=50)).items
    assert sum(a.action == "contactInvalid" for a in audits) == 1


def test_baja_through_the_feedback_function_opts_the_phone_out(world: World) -> None:
    world.dispatch(world.job(world.campaign("SMS")))
    module = importlib.import_module("functions.delivery_feedback")
    module.reminders = world.reminders
    inbound = {
        "originationNumber": PHONE,
        "destinationNumber": "+15550100",
        "messageKeyword": "KEYWORD_123",
        "messageBody": "BAJA",
        "inboundMessageId": "in-1",
    }
    module.handler(_sns_event(inbound), Context())
    assert world.contact(ContactKind.PHONE) == [ContactStatus.OPTED_OUT]
    assert world.contact(ContactKind.EMAIL) == [ContactStatus.VALID]


def _scope(name: str) -> Any:
    from domain.campaigns.feedback import OptOutScope

    return OptOutScope(name)


def _sqs_record(message_id: str, body: str) -> dict[str, Any]:
    return {
        "messageId": message_id,
        "receiptHandle": f"rh-{message_id}",
        "body": body,
        "attributes": {"ApproximateReceiveCount": "1"},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:reminder-jobs",
        "awsRegion": "us-east-1",
    }


def _sns_event(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "Sns": {"Type": "Notification", "MessageId": "sns-1", "Message": json.dumps(body)},
            }
        ]
    }


# --- the SQS job queue ---------------------------------------------------------------------------------


def test_the_sqs_queue_sends_batches_of_ten_with_the_delay_capped(world: World) -> None:
    from infra.reminder_queue import SqsJobQueue

    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="reminder-jobs")["QueueUrl"]
    calls: list[dict[str, Any]] = []
    real = sqs.send_message_batch

    def spy(**kwargs: Any) -> Any:
        calls.append(kwargs)
        return real(**kwargs)

    sqs.send_message_batch = spy
    job = world.job(world.campaign("EMAIL"))
    jobs = [replace(job, debtor_id=f"dr-{i}") for i in range(23)]
    SqsJobQueue(sqs, url).enqueue(jobs, delay_seconds=5000)
    assert [len(c["Entries"]) for c in calls] == [10, 10, 3]
    assert {e["DelaySeconds"] for c in calls for e in c["Entries"]} == {900}
    SqsJobQueue(sqs, url).enqueue([job])
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [SendJob.from_json(json.loads(m["Body"])) for m in received] == [job]


def test_failed_queue_entries_are_retried_once_then_raised(world: World) -> None:
    from infra.reminder_queue import SqsJobQueue

    class Flaky:
        def __init__(self, failures: int) -> None:
            self.failures, self.calls = failures, []  # type: ignore[var-annotated]

        def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803
            self.calls.append([e["Id"] for e in Entries])
            if self.failures:
                self.failures -= 1
                return {"Successful": [], "Failed": [{"Id": Entries[-1]["Id"], "Code": "InternalError"}]}
            return {"Successful": [{"Id": e["Id"]} for e in Entries], "Failed": []}

    job = world.job(world.campaign("EMAIL"))
    once = Flaky(failures=1)
    SqsJobQueue(once, "url").enqueue([job, replace(job, debtor_id="dr-2")])
    assert once.calls == [["0", "1"], ["1"]]
    with pytest.raises(RuntimeError):
        SqsJobQueue(Flaky(failures=2), "url").enqueue([job])
