"""Composition root: wires the domain's use cases to DynamoDB, EventBridge, the clock and ids.

Imports stay inside the builders so each Lambda pulls in only what it uses.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from domain.clock import Clock, SystemClock

if TYPE_CHECKING:
    from domain.campaigns.deps import DeviceRegistry, EngineDeps
    from domain.campaigns.engine import Reminders
    from domain.campaigns.ports import JobQueue
    from domain.imports.jobs import ImportJobs
    from domain.interactions.ports import InteractionObserver
    from domain.interactions.service import Interactions
    from domain.messaging import MessageSender, SendChannel
    from domain.plans.service import PaymentPlans
    from domain.plans.sweeper import PlanSweeper
    from domain.promises.ports import PromiseObserver
    from domain.promises.service import Promises
    from domain.promises.sweeper import PromiseSweeper
    from domain.reports.exports import Exports
    from domain.reports.ports import ReportPublisher
    from domain.services import Ledger
    from domain.services.outbox import OutboxRelay
    from domain.services.overdue import OverdueNotices
    from domain.services.webhooks import Webhooks
    from domain.summaries.nightly import LedgerSnapshots
    from domain.terms.service import DebtTerms
    from domain.workforce import Workforce
    from infra.imports.events import SqsImportContinuation

DEFAULT_BUS = "recaudo-events"


def _configure_table() -> None:
    from infra.dynamodb.models import configure

    configure(
        table_name=os.environ.get("RECAUDO_TABLE", "recaudo"),
        host=os.environ.get("RECAUDO_AWS_ENDPOINT") or None,
        region=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
    )


def build_ledger(clock: Clock | None = None) -> Ledger:
    """A Ledger on the table named by RECAUDO_TABLE (at RECAUDO_AWS_ENDPOINT when set, e.g. moto)."""
    from domain.ids import TimeOrderedIds
    from domain.services import Deps, Ledger
    from infra.dynamodb.repository import DynamoLedgerRepository

    _configure_table()
    clock = clock or SystemClock()
    return Ledger.build(Deps(repo=DynamoLedgerRepository(), clock=clock, ids=TimeOrderedIds(clock)))


def build_overdue_notices(clock: Clock | None = None) -> OverdueNotices:
    """The hourly DebtOverdue notices, on the same table and wiring as `build_ledger`."""
    from domain.ids import TimeOrderedIds
    from domain.services import Deps
    from domain.services.overdue import OverdueNotices
    from infra.dynamodb.repository import DynamoLedgerRepository

    _configure_table()
    clock = clock or SystemClock()
    return OverdueNotices(Deps(repo=DynamoLedgerRepository(), clock=clock, ids=TimeOrderedIds(clock)))


def build_ledger_snapshots(clock: Clock | None = None) -> LedgerSnapshots:
    """The nightly summaries snapshot (and aggregate repair), on the same table as `build_ledger`."""
    from domain.ids import TimeOrderedIds
    from domain.services import Deps
    from domain.summaries.nightly import LedgerSnapshots
    from infra.dynamodb.repository import DynamoLedgerRepository

    _configure_table()
    clock = clock or SystemClock()
    repo = DynamoLedgerRepository()
    return LedgerSnapshots(Deps(repo=repo, clock=clock, ids=TimeOrderedIds(clock)), repo)


def build_outbox_relay(clock: Clock | None = None) -> OutboxRelay:
    """The outbox relay: EventBridge bus from RECAUDO_EVENT_BUS, outbox items in the ledger table."""
    import boto3

    from domain.services.outbox import OutboxRelay
    from infra.dynamodb.outbox import DynamoOutboxStore
    from infra.eventbridge import EventBridgePublisher

    _configure_table()
    client = boto3.client("events", endpoint_url=os.environ.get("RECAUDO_AWS_ENDPOINT") or None)
    publisher = EventBridgePublisher(client, os.environ.get("RECAUDO_EVENT_BUS", DEFAULT_BUS))
    return OutboxRelay(publisher, DynamoOutboxStore(), clock or SystemClock())


def webhooks_configured() -> bool:
    return bool(os.environ.get("RECAUDO_WEBHOOK_QUEUE_URL") and os.environ.get("RECAUDO_WEBHOOK_KEY_ID"))


def build_webhooks(clock: Clock | None = None) -> Webhooks:
    """Webhooks on the ledger table (secrets under KMS key RECAUDO_WEBHOOK_KEY_ID), the delivery
    queue RECAUDO_WEBHOOK_QUEUE_URL, and the SSRF-guarded sender (loopback allowed only when
    RECAUDO_WEBHOOK_ALLOW_LOOPBACK=1, for the local stack)."""
    import boto3

    from domain.ids import TimeOrderedIds
    from domain.services.webhooks import Webhooks, WebhookSettings
    from infra.dynamodb.repository import DynamoLedgerRepository
    from infra.dynamodb.webhook_repository import DynamoWebhookRepository
    from infra.secrets import KmsSecretBox
    from infra.webhook_queue import SqsDeliveryQueue
    from infra.webhooks.http import SafeWebhookSender
    from infra.webhooks.signing import StandardWebhooksSigner

    _configure_table()
    clock = clock or SystemClock()
    endpoint = os.environ.get("RECAUDO_AWS_ENDPOINT") or None
    loopback = os.environ.get("RECAUDO_WEBHOOK_ALLOW_LOOPBACK") == "1"
    box = KmsSecretBox(boto3.client("kms", endpoint_url=endpoint), os.environ["RECAUDO_WEBHOOK_KEY_ID"])
    queue = SqsDeliveryQueue(
        boto3.client("sqs", endpoint_url=endpoint), os.environ["RECAUDO_WEBHOOK_QUEUE_URL"], clock
    )
    return Webhooks(
        DynamoWebhookRepository(box),
        StandardWebhooksSigner(),
        SafeWebhookSender(timeout=5.0, allow_loopback=loopback),
        queue,
        clock,
        TimeOrderedIds(clock),
        WebhookSettings(allow_insecure_loopback=loopback),
        outbox=DynamoLedgerRepository(),
    )


def build_reminder_engine(
    clock: Clock | None = None,
    *,
    queue: JobQueue | None = None,
    with_senders: bool = True,
    cache_campaigns: bool = False,
) -> Reminders:
    """The reminder engine on the ledger table: campaigns, due index, messages, the plans and promises
    event-triggered messages state; the job queue from RECAUDO_REMINDER_QUEUE_URL (or `queue`), and
    the providers (SES, SNS SMS, WhatsApp, SNS push)."""
    import boto3

    from domain.campaigns.deps import EngineDeps
    from domain.campaigns.engine import Reminders
    from domain.ids import TimeOrderedIds
    from infra.agent_names import CachedAgentNames
    from infra.dynamodb.agent_repository import DynamoAgentRepository
    from infra.dynamodb.campaign_cache import CachedCampaignRepository
    from infra.dynamodb.campaign_repository import DynamoCampaignRepository
    from infra.dynamodb.digest_log import DynamoDigestLog
    from infra.dynamodb.dispatch_reads import DynamoDispatchReads
    from infra.dynamodb.message_repository import DynamoMessageRepository
    from infra.dynamodb.policy_repository import DynamoPolicySettingRepository
    from infra.dynamodb.repository import DynamoLedgerRepository
    from infra.dynamodb.schedule import DynamoScheduleRepository
    from infra.event_facts import LazyEventFacts

    _configure_table()
    clock = clock or SystemClock()
    endpoint = os.environ.get("RECAUDO_AWS_ENDPOINT") or None
    if queue is None and os.environ.get("RECAUDO_REMINDER_QUEUE_URL"):
        from infra.reminder_queue import SqsJobQueue

        queue = SqsJobQueue(
            boto3.client("sqs", endpoint_url=endpoint), os.environ["RECAUDO_REMINDER_QUEUE_URL"]
        )
    campaigns = DynamoCampaignRepository()
    from infra.messaging.digests import SnsDigestTopics

    prefix = os.environ.get("RECAUDO_DIGEST_TOPIC_PREFIX", "recaudo-digest")
    digests = SnsDigestTopics(boto3.client("sns", endpoint_url=endpoint), prefix)
    senders: dict[SendChannel, MessageSender] = {}
    devices = None
    if with_senders:
        senders, devices = _senders(endpoint)
    return Reminders.build(
        EngineDeps(
            ledger=DynamoLedgerRepository(),
            campaigns=CachedCampaignRepository(campaigns) if cache_campaigns else campaigns,
            messages=DynamoMessageRepository(),
            schedule=DynamoScheduleRepository(),
            clock=clock,
            ids=TimeOrderedIds(clock),
            queue=queue,
            senders=senders,
            devices=devices,
            digest_topics=digests,
            policy_settings=DynamoPolicySettingRepository(),
            digest_log=DynamoDigestLog(),
            agent_name=CachedAgentNames(DynamoAgentRepository()),
            dispatch_reads=DynamoDispatchReads(clock),
            event_facts=LazyEventFacts(),  # plans and promises, for event-triggered steps
        )
    )


def _senders(endpoint: str | None) -> tuple[dict[SendChannel, MessageSender], DeviceRegistry | None]:
    import boto3

    from domain.messaging import SendChannel
    from infra.messaging.push import SnsDeviceRegistry, SnsPushSender
    from infra.messaging.ses import SesEmailSender
    from infra.messaging.sns_sms import SnsSmsSender
    from infra.messaging.whatsapp import EndUserMessagingWhatsAppSender, RecordingWhatsAppSender

    sns = boto3.client("sns", endpoint_url=endpoint)
    phone_number_id = os.environ.get("RECAUDO_WHATSAPP_PHONE_NUMBER_ID")
    whatsapp: MessageSender = (
        EndUserMessagingWhatsAppSender(
            boto3.client("socialmessaging", endpoint_url=endpoint), phone_number_id
        )
        if phone_number_id
        else RecordingWhatsAppSender()
    )
    senders: dict[SendChannel, MessageSender] = {
        SendChannel.EMAIL: SesEmailSender(
            boto3.client("ses", endpoint_url=endpoint),
            os.environ.get("RECAUDO_SES_CONFIGURATION_SET") or None,
        ),
        SendChannel.SMS: SnsSmsSender(sns),
        SendChannel.WHATSAPP: whatsapp,
        SendChannel.PUSH: SnsPushSender(sns),
    }
    platform = os.environ.get("RECAUDO_PUSH_PLATFORM_ARN")
    return senders, (SnsDeviceRegistry(sns, platform) if platform else None)


def build_reminder_workers(clock: Clock | None = None) -> Reminders:
    """The reminder engine as its SQS and SNS workers run it (dispatcher, delivery feedback): Dynamo
    stores (campaigns and templates cached a minute), the job queue from RECAUDO_REMINDER_QUEUE_URL,
    SES (RECAUDO_SES_CONFIGURATION_SET), SNS SMS, WhatsApp (End User Messaging when
    RECAUDO_WHATSAPP_PHONE_NUMBER_ID is set, else the recording sender), SNS push and the agents'
    device registry (RECAUDO_PUSH_PLATFORM_ARN), digest topics (RECAUDO_DIGEST_TOPIC_PREFIX)."""
    return build_reminder_engine(clock, cache_campaigns=True)


def build_exports(
    clock: Clock | None = None, *, publisher: ReportPublisher | None = None, max_rows: int | None = -1
) -> Exports:
    """Report exports on the ledger table: files to the bucket RECAUDO_FILES_BUCKET (or `publisher`),
    interactions from the reminder engine's stores. `max_rows=None` lifts the API's row bound (CLI)."""
    import boto3

    from domain.ids import TimeOrderedIds
    from domain.promises.report_source import PromiseReportSource
    from domain.reports.exports import MAX_SYNC_ROWS, ExportDeps, Exports
    from domain.reports.interactions import ReminderInteractions
    from infra.dynamodb.campaign_repository import DynamoCampaignRepository
    from infra.dynamodb.message_repository import DynamoMessageRepository
    from infra.dynamodb.promise_repository import DynamoPromiseRepository
    from infra.dynamodb.repository import DynamoLedgerRepository
    from infra.files import files_bucket_name
    from infra.reports.publisher import S3ReportPublisher

    _configure_table()
    clock = clock or SystemClock()
    if publisher is None:
        from botocore.config import Config

        def s3() -> Any:
            return boto3.client(
                "s3",
                endpoint_url=os.environ.get("RECAUDO_AWS_ENDPOINT") or None,
                config=Config(signature_version="s3v4"),  # presigned URLs with X-Amz-Expires, SigV4
            )

        publisher = S3ReportPublisher(s3, files_bucket_name())
    return Exports(
        ExportDeps(
            repo=DynamoLedgerRepository(),
            clock=clock,
            ids=TimeOrderedIds(clock),
            publisher=publisher,
            interactions=ReminderInteractions(DynamoMessageRepository(), DynamoCampaignRepository()),
            promises=PromiseReportSource(DynamoPromiseRepository()),
            max_rows=MAX_SYNC_ROWS if max_rows == -1 else max_rows,
        )
    )


def build_workforce(clock: Clock | None = None, engine: EngineDeps | None = None) -> Workforce:
    """Agents, assignment, work queues and risk scores on the ledger table; with the reminder engine's
    deps (`engine`), queue entries say whether the contact policy allows a call now."""
    from domain.ids import TimeOrderedIds
    from domain.queues.callable import PolicyCallCheck
    from domain.workforce import Workforce, WorkforceDeps
    from infra.dynamodb.agent_repository import DynamoAgentRepository
    from infra.dynamodb.queue_repository import DynamoWorkStore
    from infra.dynamodb.repository import DynamoLedgerRepository

    _configure_table()
    clock = clock or SystemClock()
    return Workforce.build(
        WorkforceDeps(
            ledger=DynamoLedgerRepository(),
            agents=DynamoAgentRepository(),
            work=DynamoWorkStore(),
            clock=clock,
            ids=TimeOrderedIds(clock),
            calls=PolicyCallCheck(engine) if engine is not None else None,
        )
    )


def build_import_jobs(clock: Clock | None = None) -> ImportJobs:
    """File imports: jobs in the ledger table, files in RECAUDO_FILES_BUCKET (`imports/` prefix)."""
    import boto3

    from domain.ids import TimeOrderedIds
    from domain.imports.jobs import ImportJobs
    from domain.services import Deps
    from infra.dynamodb.import_repository import DynamoImportJobStore
    from infra.dynamodb.repository import DynamoLedgerRepository
    from infra.files import files_bucket_name
    from infra.imports.s3_files import S3ImportFiles

    _configure_table()
    clock = clock or SystemClock()
    from botocore.config import Config

    endpoint = os.environ.get("RECAUDO_AWS_ENDPOINT") or None
    # SigV4, so the presigned PUT signs the content type and length.
    s3 = boto3.client("s3", endpoint_url=endpoint, config=Config(signature_version="s3v4"))
    deps = Deps(repo=DynamoLedgerRepository(), clock=clock, ids=TimeOrderedIds(clock))
    return ImportJobs(deps, DynamoImportJobStore(), S3ImportFiles(s3, files_bucket_name()))


def build_import_continuation() -> SqsImportContinuation:
    """Continuations of long imports: the queue RECAUDO_IMPORT_QUEUE_URL."""
    import boto3

    from infra.imports.events import SqsImportContinuation

    sqs = boto3.client("sqs", endpoint_url=os.environ.get("RECAUDO_AWS_ENDPOINT") or None)
    return SqsImportContinuation(sqs, os.environ.get("RECAUDO_IMPORT_QUEUE_URL", ""))


def build_interactions(
    ledger: Ledger, reminders: Reminders, observer: InteractionObserver | None = None
) -> Interactions:
    """Interactions and the debtor timeline on the ledger table, judged by the reminder engine's
    contact policies (as each tenant tightened them) and counted in the same contact history.
    `observer` is the agent queue / risk score hook (none by default). The table is the ledger's, as
    `build_ledger` configured it."""
    from domain.interactions.ports import NoObserver
    from domain.interactions.service import InteractionDeps, Interactions
    from infra.dynamodb.interaction_repository import DynamoInteractionRepository
    from infra.dynamodb.timeline_sources import default_sources

    return Interactions(
        InteractionDeps(
            ledger=ledger,
            repo=DynamoInteractionRepository(),
            history=reminders.deps.messages,
            policies_for=reminders.deps.policies_for,
            observer=observer or NoObserver(),
            sources=default_sources(),
        )
    )


def build_promises(
    ledger: Ledger, reminders: Reminders | None = None, *observers: PromiseObserver
) -> Promises:
    """Promises on the ledger's table, wired to payments and campaigns: every payment recorded or
    reversed through `ledger` re-evaluates the debtor's promises and fires PAYMENT_RECEIVED; a
    broken promise fires PROMISE_BROKEN (both when `reminders` has a job queue). `observers` hear
    every promise change (work queues, risk scores)."""
    from domain.campaigns.triggers import StepTriggers
    from domain.promises.listeners import PaymentReceivedSteps, PromiseBrokenSteps, PromisePaymentListener
    from domain.promises.ports import PromiseObservers
    from domain.promises.service import Promises
    from domain.services.payment_events import PaymentObserver, PaymentObservers
    from infra.dynamodb.promise_repository import DynamoPromiseRepository

    triggers = StepTriggers(reminders.deps) if reminders is not None and reminders.deps.queue else None
    heard: list[PromiseObserver] = [*observers]
    if triggers is not None:
        heard.append(PromiseBrokenSteps(triggers))
    promises = Promises(ledger.deps, DynamoPromiseRepository(), PromiseObservers(*heard))
    on_payment: list[PaymentObserver] = [PromisePaymentListener(promises)]
    if triggers is not None:
        on_payment.append(PaymentReceivedSteps(triggers))
    on_payment.append(build_terms(ledger).settlement)  # a payment may settle a discount offer
    ledger.payments.observer = PaymentObservers(*on_payment)
    return promises


def build_terms(ledger: Ledger) -> DebtTerms:
    """Debt extensions and discount offers on the ledger's table (their settlement on payments is
    wired by `build_promises`, with the other payment observers)."""
    from domain.terms.service import DebtTerms
    from infra.dynamodb.terms_repository import DynamoTermsRepository

    return DebtTerms.build(ledger.deps, DynamoTermsRepository())


def build_promise_sweeper(clock: Clock | None = None) -> PromiseSweeper:
    """The daily promise sweep: ledger, promises and the reminder job queue (for PROMISE_DUE_TOMORROW
    and PROMISE_BROKEN steps), on the table and queue of the environment."""
    from domain.campaigns.triggers import StepTriggers
    from domain.promises.sweeper import PromiseSweeper
    from domain.queues.hooks import QueuePromiseObserver

    clock = clock or SystemClock()
    ledger = build_ledger(clock)
    reminders = build_reminder_engine(clock, with_senders=False, cache_campaigns=True)
    queues = QueuePromiseObserver(build_workforce(clock).signals, clock)  # "broken recently" in queues
    promises = build_promises(ledger, reminders, queues)
    return PromiseSweeper(promises, StepTriggers(reminders.deps) if reminders.deps.queue else None)


def build_plans(ledger: Ledger) -> PaymentPlans:
    """Payment plans on the ledger's table: every payment recorded or reversed through `ledger`
    re-evaluates the debtor's plans (joining the payment observers `build_promises` set, so build
    it after them)."""
    from domain.plans.listeners import PlanPaymentListener
    from domain.plans.service import PaymentPlans
    from domain.services.payment_events import PaymentObservers
    from infra.dynamodb.plan_repository import DynamoPlanRepository

    plans = PaymentPlans(ledger.deps, DynamoPlanRepository())
    current = ledger.payments.observer
    if isinstance(current, PaymentObservers):
        current.observers.append(PlanPaymentListener(plans))
    else:
        ledger.payments.observer = PaymentObservers(current, PlanPaymentListener(plans))
    return plans


def build_plan_sweeper(clock: Clock | None = None) -> PlanSweeper:
    """The daily plan sweep: ledger, plans and the reminder job queue (for INSTALMENT_DUE steps), on
    the table and queue of the environment."""
    from domain.campaigns.triggers import StepTriggers
    from domain.plans.sweeper import PlanSweeper

    clock = clock or SystemClock()
    ledger = build_ledger(clock)
    reminders = build_reminder_engine(clock, with_senders=False, cache_campaigns=True)
    plans = build_plans(ledger)
    return PlanSweeper(plans, StepTriggers(reminders.deps) if reminders.deps.queue else None)


def observe_ledger(ledger: Ledger, workforce: Workforce) -> Ledger:
    """The same ledger on a repository that refreshes risk scores and queue entries after each commit."""
    from domain.services import Deps, Ledger
    from infra.dynamodb.observed_repository import ObservedLedgerRepository

    repo = ObservedLedgerRepository(workforce.signals)
    return Ledger.build(Deps(repo=repo, clock=ledger.deps.clock, ids=ledger.deps.ids))
