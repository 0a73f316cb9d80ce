"""Reminder-engine benchmarks on in-process moto.

- Planner: the same 500 due debts in a table of 10,000 and of 100,000 debts (the others are open and
  scheduled later, so they sit in the same due index): DynamoDB items read per due debt and the time
  of one planner cycle, and the ratio between the two tables. moto answers a GSI Query by walking the
  whole table, which DynamoDB does not; the cycle is timed both on plain moto and with
  `bench.moto_gsi` (moto reading only the queried index partition), and the items read come from the
  responses' `Count`s, which do not depend on that.
- Dispatcher: messages per second through the whole path (job → checks → render → SES → records)
  beside the floor of raw SES `send_raw_email` calls with the same rendered message, in the same run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.pop("RECAUDO_AWS_ENDPOINT", None)

import boto3  # noqa: E402
import botocore.client  # noqa: E402
from moto import mock_aws  # noqa: E402

from bench.planner_floor import planner_floor  # noqa: E402

TEMPLATE = Path(__file__).resolve().parents[1] / "template.yaml"
TABLE = "recaudo-bench-reminders"
TENANT = "bench"
DUE = 500
BATCH = 10
"""Jobs per dispatcher invocation: the SQS event source's BatchSize in template.yaml."""


class ItemsRead:
    """Counts DynamoDB requests and the items their responses carried, inside the `with` block."""

    def __init__(self) -> None:
        self.requests: dict[str, int] = {}
        self.items = 0
        self._original = botocore.client.BaseClient._make_api_call

    def __enter__(self) -> ItemsRead:
        original, me = self._original, self

        def counting(client: Any, operation: str, params: Any) -> Any:
            response = original(client, operation, params)
            if client.meta.service_model.endpoint_prefix == "dynamodb":
                me.requests[operation] = me.requests.get(operation, 0) + 1
                if operation in ("Query", "Scan"):
                    me.items += int(response.get("Count", 0))
                elif operation == "GetItem":
                    me.items += 1 if response.get("Item") else 0
                elif operation == "BatchGetItem":
                    me.items += sum(len(v) for v in response.get("Responses", {}).values())
            return response

        botocore.client.BaseClient._make_api_call = counting  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        botocore.client.BaseClient._make_api_call = self._original  # type: ignore[method-assign]


@contextmanager
def _aws() -> Iterator[None]:
    from infra.dynamodb.models import configure
    from infra.dynamodb.schema_from_template import create_table

    with mock_aws():
        create_table(boto3.client("dynamodb", region_name="us-east-1"), TABLE, TEMPLATE)
        configure(table_name=TABLE, host=None, region="us-east-1")
        yield


def _debt(i: int, due: date, now: datetime, scheduled_at: datetime) -> Any:
    from domain.entities import Debt, DebtKind, NextAction

    debt_id = f"d{i:06d}"
    return Debt(
        tenant=TENANT,
        id=debt_id,
        debtor_id=f"dr{i:06d}",
        portfolio_id="pf1",
        external_id=debt_id,
        kind=DebtKind.INVOICE,
        currency="PEN",
        original_amount=Decimal("150.00"),
        issue_date=due - timedelta(days=30),
        due_date=due,
        next_action=NextAction(scheduled_at, "c1", "s1", due, "America/Lima", "PE"),
        created_at=now,
        updated_at=now,
    )


def _seed(total: int, now: datetime) -> None:
    """`DUE` debts whose step fired 5 minutes ago and `total - DUE` scheduled weeks ahead."""
    from infra.dynamodb.mapping import to_item
    from infra.dynamodb.models import TableItem

    today = now.date()
    with TableItem.batch_write() as batch:
        for i in range(total):
            if i < DUE:
                batch.save(to_item(TENANT, _debt(i, today, now, now - timedelta(minutes=5))))
            else:
                later = today + timedelta(days=10 + i % 50)
                batch.save(to_item(TENANT, _debt(i, later, now, now + timedelta(days=10 + i % 50))))


def _engine(now: datetime) -> Any:
    from domain.campaigns.deps import EngineDeps
    from domain.campaigns.engine import Reminders
    from domain.clock import FixedClock
    from domain.ids import TimeOrderedIds
    from infra.dynamodb.campaign_repository import DynamoCampaignRepository
    from infra.dynamodb.dispatch_reads import DynamoDispatchReads
    from infra.dynamodb.message_repository import DynamoMessageRepository
    from infra.dynamodb.repository import DynamoLedgerRepository
    from infra.dynamodb.schedule import DynamoScheduleRepository
    from infra.tick import MemoryJobQueue

    clock = FixedClock(now)
    deps = EngineDeps(
        ledger=DynamoLedgerRepository(),
        campaigns=DynamoCampaignRepository(),
        messages=DynamoMessageRepository(),
        schedule=DynamoScheduleRepository(),
        clock=clock,
        ids=TimeOrderedIds(clock),
        queue=MemoryJobQueue(),
        dispatch_reads=DynamoDispatchReads(clock),
    )
    return Reminders.build(deps)


def _setup_tenant(reminders: Any, now: datetime) -> None:
    from domain.campaigns.model import Campaign, CampaignStatus, Segment, Step
    from domain.entities import Tenant
    from domain.ports import Transaction
    from domain.templates import TemplateChannel

    tx = Transaction()
    tx.save(Tenant(TENANT, "Bench SAC", "PE", "PEN", "America/Lima", "es-PE", "noreply@bench.test"))
    reminders.deps.ledger.commit(TENANT, tx)
    campaign = Campaign(
        tenant=TENANT,
        id="c1",
        name="bench",
        priority=1,
        status=CampaignStatus.ACTIVE,
        segment=Segment(),
        steps=[Step("s1", 0, TemplateChannel.SMS, "t1")],
        locales=["es-PE"],
        activated_at=now,
    )
    reminders.deps.campaigns.save_campaign(campaign, 0)
    # The planner re-anchors a campaign once per version; the bench measures the steady state.
    reminders.deps.schedule.save_campaign_versions(TENANT, {"c1": campaign.version})


def planner_cycle(total: int, indexed: bool) -> dict[str, Any]:
    """One planner cycle over `DUE` due debts in a table of `total` debts."""
    # A Monday 10:00 in Lima: the Peruvian window is open, so every due debt becomes a job.
    now = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
    with _aws():
        from bench import moto_gsi

        if indexed:
            moto_gsi.install()
        else:
            moto_gsi.uninstall()
        _seed(total, now)
        reminders = _engine(now)
        _setup_tenant(reminders, now)
        floor = planner_floor(TABLE, TENANT, now)
        with ItemsRead() as reads:
            start, cpu = time.perf_counter(), time.process_time()
            summary = reminders.planner.run([TENANT])
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {
        "table_debts": total,
        "due_debts": summary.due_debts,
        "jobs": summary.jobs,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "floor": floor,
        "over_floor": seconds / floor["seconds"],
        "cpu_over_floor": cpu / floor["cpu_seconds"],
        "items_read": reads.items,
        "items_read_per_due_debt": reads.items / max(summary.due_debts, 1),
        "requests": reads.requests,
    }


def run_planner_benchmarks(small: int = 10_000, large: int = 100_000) -> dict[str, Any]:
    out: dict[str, Any] = {}
    # Plain moto first: the partition index, once installed, stays for the rest of the process.
    for label, indexed in (("plain_moto", False), ("partition_indexed_moto", True)):
        a, b = planner_cycle(small, indexed), planner_cycle(large, indexed)
        out[label] = {
            "small": a,
            "large": b,
            "time_ratio": b["seconds"] / a["seconds"],
            "floor_ratio": b["floor"]["seconds"] / a["floor"]["seconds"],
            "over_floor_ratio": b["over_floor"] / a["over_floor"],
            "cpu_time_ratio": b["cpu_seconds"] / a["cpu_seconds"],
            "cpu_over_floor_ratio": b["cpu_over_floor"] / a["cpu_over_floor"],
        }
    return out


def run_dispatcher_benchmark(messages: int = 300) -> dict[str, Any]:
    """The dispatcher on plain moto, then with `bench.moto_gsi` (moto reading only the queried
    partition: its Query otherwise walks and sorts the whole table, so each debtor's contact-history
    Query grows with everything the run has written), then also with `bench.moto_fast` (without
    moto's attribute-by-attribute response serialisation and its quadratic item-size check, costs
    DynamoDB does not have; the SES floor keeps moto's own SES costs)."""
    from bench import moto_fast, moto_gsi

    moto_gsi.uninstall()
    plain = dispatcher_run(messages)
    moto_gsi.install()
    indexed = dispatcher_run(messages)
    moto_fast.install()
    try:
        fast = dispatcher_run(messages)
    finally:
        moto_fast.uninstall()
    return {"plain_moto": plain, "partition_indexed_moto": indexed, "partition_indexed_fast_moto": fast}


def dispatcher_run(messages: int) -> dict[str, Any]:
    """Messages/s through the dispatcher (job → checks → render → SES → records) beside the floor of
    raw SES `send_raw_email` calls carrying the same rendered message, in the same run."""
    from domain.campaigns.model import MessageTemplate, Step
    from domain.campaigns.ports import SendJob
    from domain.entities import ContactKind, ContactPoint, Debtor, PartyKind
    from domain.messaging import OutgoingMessage, SendChannel
    from domain.ports import Transaction
    from domain.templates import TemplateBody, TemplateChannel
    from infra.local import speed_up_moto_transactions
    from infra.messaging.ses import SesEmailSender, build_mime

    # The local stack's moto patch: a transaction no longer deep-copies every table to roll back
    # (DynamoDB does no such thing); without it moto's transactions dominate this figure.
    speed_up_moto_transactions()
    now = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # Monday 10:00 Lima
    with _aws():
        ses = boto3.client("ses", region_name="us-east-1")
        ses.verify_email_identity(EmailAddress="noreply@bench.test")
        reminders = _engine(now)
        reminders.deps.senders = {SendChannel.EMAIL: SesEmailSender(ses)}
        _setup_tenant(reminders, now)
        from infra.dynamodb.campaign_cache import CachedCampaignRepository

        # As the dispatcher Lambda is wired: campaigns and templates cached for a minute.
        cached = CachedCampaignRepository(reminders.deps.campaigns)
        body = TemplateBody(
            TemplateChannel.EMAIL,
            "es-PE",
            subject="{{ creditor_name }}: vence hoy {{ balance }}",
            html="<p>Hola {{ debtor_name }}, hoy vence {{ balance }} ({{ debt_number }}).</p>",
            text="Hola {{ debtor_name }}, hoy vence {{ balance }} ({{ debt_number }}).",
        )
        reminders.deps.campaigns.save_template(
            MessageTemplate(TENANT, "t1", "hoy", TemplateChannel.EMAIL, [body]), 0
        )
        campaign = reminders.deps.campaigns.get_campaign(TENANT, "c1")
        campaign.steps = [Step("s1", 0, TemplateChannel.EMAIL, "t1")]
        reminders.deps.campaigns.save_campaign(campaign, campaign.version)
        reminders.deps.campaigns = cached
        jobs = []
        for i in range(messages):
            debt = _debt(i, now.date(), now, now)
            debtor = Debtor(
                TENANT,
                debt.debtor_id,
                f"C-{i}",
                PartyKind.PERSON,
                f"Deudor {i}",
                None,
                None,
                "America/Lima",
                "PE",
                contacts=[ContactPoint(ContactKind.EMAIL, f"d{i}@example.pe", consent=True)],
            )
            tx = Transaction()
            tx.save(debtor)
            tx.save(debt)
            reminders.deps.ledger.commit(TENANT, tx)
            jobs.append(SendJob(TENANT, debtor.id, (debt.id,), "c1", "s1", now.date(), now))
        with ItemsRead() as calls:
            start, cpu = time.perf_counter(), time.process_time()
            outcomes = [
                outcome
                for start in range(0, len(jobs), BATCH)
                for outcome in reminders.dispatcher.handle_batch(jobs[start : start + BATCH])
            ]
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        sample = OutgoingMessage(
            SendChannel.EMAIL,
            "d0@example.pe",
            "ref",
            TENANT,
            "noreply@bench.test",
            "Bench SAC: vence hoy S/ 150.00",
            "<p>Hola Deudor 0, hoy vence S/ 150.00 (d000000).</p>",
            "Hola Deudor 0, hoy vence S/ 150.00 (d000000).",
        )
        start, floor_cpu = time.perf_counter(), time.process_time()
        for i in range(messages):
            ses.send_raw_email(
                Source="noreply@bench.test",
                Destinations=[f"d{i}@example.pe"],
                RawMessage={"Data": build_mime(sample).as_bytes()},
            )
        floor, floor_cpu = time.perf_counter() - start, time.process_time() - floor_cpu
    sent = sum(1 for o in outcomes if not isinstance(o, Exception) and o.status == "SENT")
    return {
        "messages": messages,
        "batch": BATCH,
        "sent": sent,
        "messages_per_second": sent / seconds,
        "floor_ses_per_second": messages / floor,
        "ratio_to_floor": seconds / floor,
        "cpu_ratio_to_floor": cpu / floor_cpu,
        "dynamodb_requests_per_message": sum(calls.requests.values()) / max(sent, 1),
        "dynamodb_requests": calls.requests,
    }
