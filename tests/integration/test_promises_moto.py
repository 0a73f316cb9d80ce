"""Promises on DynamoDB (moto): items and indexes, idempotent offline sync, the cadence pause seen by
the planner and the dispatcher, payments keeping promises, the sweeper and event-triggered steps."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3
import pytest

from domain.campaigns.campaigns import CampaignInput, StepInput
from domain.campaigns.deps import EngineDeps
from domain.campaigns.engine import Reminders
from domain.campaigns.model import StepTrigger
from domain.campaigns.ports import MessageFilter, SendJob
from domain.campaigns.triggers import StepTriggers
from domain.clock import FixedClock
from domain.entities import Channel, ContactKind, PaymentMethod
from domain.ids import TimeOrderedIds
from domain.messaging import SendChannel
from domain.ports import PageRequest
from domain.principal import Principal, Role
from domain.promises.listeners import PaymentReceivedSteps, PromiseBrokenSteps, PromisePaymentListener
from domain.promises.model import PromiseStatus
from domain.promises.ports import PromiseQuery
from domain.promises.service import PromiseInput, Promises, SyncOutcome
from domain.promises.sweeper import PromiseSweeper
from domain.services import Deps, Ledger
from domain.services.debtors import ContactInput, DebtorInput
from domain.services.debts import DebtInput
from domain.services.payment_events import PaymentObservers
from domain.services.payments import AllocationInput, PaymentInput
from domain.services.portfolios import PortfolioInput
from domain.services.tenants import TenantPatch
from domain.templates import TemplateChannel
from infra.dynamodb.campaign_repository import DynamoCampaignRepository
from infra.dynamodb.message_repository import DynamoMessageRepository
from infra.dynamodb.promise_repository import DynamoPromiseRepository
from infra.dynamodb.repository import DynamoLedgerRepository
from infra.dynamodb.schedule import DynamoScheduleRepository
from infra.messaging.ses import SesEmailSender
from infra.tick import MemoryJobQueue

ADMIN = Principal("ana", "acme", Role.ADMIN)
AGENT = Principal("luis", "acme", Role.AGENT, agent_id="ag-1")
DUE = date(2026, 12, 7)  # a Monday
AT_10_LIMA = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
SENDER = "cobranzas@acme.pe"


@dataclass
class World:
    clock: FixedClock
    ledger: Ledger
    promises: Promises
    reminders: Reminders
    sweeper: PromiseSweeper
    queue: MemoryJobQueue
    debtor_id: str
    debt_ids: list[str]

    def run_planner_and_dispatcher(self) -> list[Any]:
        self.reminders.planner.run(["acme"])
        return self.dispatch()

    def dispatch(self) -> list[Any]:
        results = []
        while self.queue.ready:
            jobs, self.queue.ready = self.queue.ready, []
            results.extend(self.reminders.dispatcher.handle(j) for j in jobs)
        return results

    def promise(self, key: str, amount: str = "60.00", day: date = date(2026, 12, 10)) -> PromiseInput:
        return PromiseInput(
            self.debtor_id,
            [self.debt_ids[0]],
            amount,
            "PEN",
            day,
            Channel.VISIT,
            key,
            recorded_at=self.clock.now() - timedelta(hours=2),
        )

    def pay(self, amount: str, key: str) -> None:
        data = PaymentInput(
            self.debtor_id,
            amount,
            "PEN",
            PaymentMethod.CASH,
            key,
            allocations=[AllocationInput(self.debt_ids[0], amount)],
        )
        self.ledger.payments.record(AGENT, data)


@pytest.fixture
def world(table: str) -> Iterator[World]:
    ses = boto3.client("ses", region_name="us-east-1")
    ses.verify_email_identity(EmailAddress=SENDER)
    clock = FixedClock(AT_10_LIMA - timedelta(days=10))
    ledger = Ledger.build(Deps(DynamoLedgerRepository(), clock, TimeOrderedIds(clock)))
    queue = MemoryJobQueue()
    reminders = Reminders.build(
        EngineDeps(
            ledger=DynamoLedgerRepository(),
            campaigns=DynamoCampaignRepository(),
            messages=DynamoMessageRepository(),
            schedule=DynamoScheduleRepository(),
            clock=clock,
            ids=TimeOrderedIds(clock),
            queue=queue,
            senders={SendChannel.EMAIL: SesEmailSender(ses)},
        )
    )
    triggers = StepTriggers(reminders.deps)
    promises = Promises(ledger.deps, DynamoPromiseRepository(), PromiseBrokenSteps(triggers))
    ledger.payments.observer = PaymentObservers(
        PromisePaymentListener(promises), PaymentReceivedSteps(triggers)
    )
    ledger.tenants.update(ADMIN, TenantPatch(name="Acme SAC", country="PE", sender_email=SENDER))
    pf = ledger.portfolios.create(ADMIN, PortfolioInput(name="Retail", currency="PEN"))
    debtor = ledger.debtors.create(
        ADMIN,
        DebtorInput(
            name="Rosa Quispe",
            external_id="C-1",
            assigned_agent_id="ag-1",
            contacts=[ContactInput(ContactKind.EMAIL, "rosa@example.pe", consent=True)],
        ),
    )
    debts = [
        ledger.debts.create(ADMIN, DebtInput(debtor.id, pf.id, f"{i}00.00", DUE, external_id=f"F-{i}")).id
        for i in (1, 2)
    ]
    templates = {(t.name, t.channel.value): t.id for t in reminders.templates.install_defaults(ADMIN)}
    email = TemplateChannel.EMAIL
    campaign = reminders.campaigns.create(
        ADMIN,
        CampaignInput(
            name="Estándar",
            priority=10,
            locales=["es-PE"],
            steps=[
                StepInput(0, email, templates[("due-today", "EMAIL")]),
                StepInput(2, email, templates[("overdue", "EMAIL")]),
                StepInput(0, email, templates[("overdue", "EMAIL")], trigger=StepTrigger.PROMISE_BROKEN),
                StepInput(
                    0, email, templates[("due-today", "EMAIL")], trigger=StepTrigger.PROMISE_DUE_TOMORROW
                ),
                StepInput(0, email, templates[("due-today", "EMAIL")], trigger=StepTrigger.PAYMENT_RECEIVED),
            ],
        ),
    )
    reminders.campaigns.activate(ADMIN, campaign.id)
    clock.set(AT_10_LIMA - timedelta(days=1))
    reminders.planner.run(["acme"])  # anchors the cadence
    clock.set(AT_10_LIMA - timedelta(hours=1))
    yield World(
        clock, ledger, promises, reminders, PromiseSweeper(promises, triggers), queue, debtor.id, debts
    )


def test_items_keys_and_listings(world: World, dynamodb: Any) -> None:
    promise = world.promises.create(AGENT, world.promise("phone-1")).promise
    raw = dynamodb.get_item(
        TableName="recaudo-test",
        Key={"PK": {"S": f"T#acme#DR#{world.debtor_id}"}, "SK": {"S": f"PRM#{promise.id}"}},
    )["Item"]
    assert raw["kind"]["S"] == "PROMISE"
    assert (raw["GSI1PK"]["S"], raw["GSI1SK"]["S"]) == ("T#acme#PROMISES", f"PENDING#2026-12-10#{promise.id}")
    assert raw["GSI3PK"]["S"] == "T#acme#AG#ag-1#PRM"
    assert all(v["S"].startswith("T#acme#") for k, v in raw.items() if k.endswith(("PK",)))
    store = world.promises.store
    found = store.list_promises(
        "acme",
        PromiseQuery(status=PromiseStatus.PENDING, due_from=date(2026, 12, 10), due_to=date(2026, 12, 10)),
        PageRequest(),
    )
    assert [p.id for p in found.items] == [promise.id]
    assert store.list_promises("acme", PromiseQuery(status=PromiseStatus.KEPT), PageRequest()).items == []
    assert [
        p.id for p in store.list_promises("acme", PromiseQuery(agent_id="ag-1"), PageRequest()).items
    ] == [promise.id]
    assert store.list_promises("acme", PromiseQuery(agent_id="ag-2"), PageRequest()).items == []
    loaded = store.get_promise("acme", world.debtor_id, promise.id)
    assert loaded == promise
    assert store.get_promise("globex", world.debtor_id, promise.id) is None


def test_offline_sync_retried_three_times_creates_each_promise_once(world: World, dynamodb: Any) -> None:
    items = [world.promise("phone-1"), world.promise("phone-2", amount="9999.00")]
    outcomes = [[r.outcome for r in world.promises.sync(AGENT, items)] for _ in range(3)]
    assert outcomes == [
        [SyncOutcome.CREATED, SyncOutcome.FAILED],
        [SyncOutcome.EXISTING, SyncOutcome.FAILED],
        [SyncOutcome.EXISTING, SyncOutcome.FAILED],
    ]
    page = world.promises.of_debtor(AGENT, world.debtor_id, PageRequest())
    assert len(page.items) == 1


def test_a_promise_pauses_the_cadence_and_a_payment_keeps_it(world: World) -> None:
    # GIVEN the agent takes a promise on the first debt (twice: a flaky network retries it)
    first = world.promises.create(AGENT, world.promise("phone-1")).promise
    assert world.promises.create(AGENT, world.promise("phone-1")).promise.id == first.id
    # WHEN the due-date reminder comes: only the unpromised debt is reminded
    world.clock.set(AT_10_LIMA)
    results = world.run_planner_and_dispatcher()
    sent = world.reminders.messages.list(ADMIN, MessageFilter(), PageRequest()).items
    assert [r.status for r in results] == ["SENT"]
    assert [m.debt_ids for m in sent] == [[world.debt_ids[1]]]
    # AND a job planned before the promise is dropped by the dispatcher
    stale = SendJob(
        "acme",
        world.debtor_id,
        (world.debt_ids[0],),
        sent[0].campaign_id or "",
        sent[0].step_id or "",
        DUE,
        AT_10_LIMA,
    )
    assert world.reminders.dispatcher.handle(stale).status == "SKIPPED"
    # WHEN the debtor pays the promised amount: the promise is kept at once, the debt resumes,
    # and the thank-you step goes out (the debt is still open: 40.00 left)
    world.pay("60.00", "pay-1")
    kept = world.promises.store.get_promise("acme", world.debtor_id, first.id)
    assert kept is not None and kept.status is PromiseStatus.KEPT and kept.kept_amount == Decimal("60.00")
    debt = world.ledger.deps.repo.get_debt("acme", world.debtor_id, world.debt_ids[0])
    assert debt is not None and debt.paused_until is None
    assert [r.status for r in world.dispatch()] == ["SENT"]


def test_the_sweeper_reminds_the_day_before_and_breaks_the_unpaid_promise(world: World) -> None:
    promise = world.promises.create(AGENT, world.promise("phone-1", day=date(2026, 12, 8))).promise
    world.clock.set(AT_10_LIMA)  # Dec 7, 10:00 in Lima: the promise is due tomorrow
    world.queue.ready.clear()
    summary = world.sweeper.run(["acme"])
    assert (summary.due_tomorrow, summary.jobs, summary.judged) == (1, 1, 0)
    assert [r.status for r in world.dispatch()] == ["SENT"]
    assert world.sweeper.run(["acme"]).jobs == 1 and [r.status for r in world.dispatch()] == ["DUPLICATE"]
    world.clock.set(promise.deadline + timedelta(hours=1))  # 01:00 in Lima: the step waits for day
    summary = world.sweeper.run(["acme"])
    assert summary.judged == 1 and summary.outcomes == {"BROKEN": 1}
    broken = world.promises.store.get_promise("acme", world.debtor_id, promise.id)
    assert broken is not None and broken.status is PromiseStatus.BROKEN
    assert [r.status for r in world.dispatch()] == ["DEFERRED"]  # the PROMISE_BROKEN step, at night
    world.clock.set(promise.deadline + timedelta(hours=10))
    world.queue.ready, world.queue.later = [job for job, _ in world.queue.later], []
    assert [r.status for r in world.dispatch()] == ["SENT"]
    assert world.sweeper.run(["acme"]).judged == 0
    # the partner events were written with the changes, once each: re-runs added none
    events = promise_events(world)
    assert events == [("PromiseCreated", promise.id), ("PromiseBroken", promise.id)]


def promise_events(world: World) -> list[tuple[str, str]]:
    """(type, aggregate id) of every promise outbox item, oldest first (a test may scan)."""
    client = boto3.client("dynamodb", region_name="us-east-1")
    pages = client.get_paginator("scan").paginate(TableName="recaudo-test")
    items = [item for page in pages for item in page["Items"]]
    found = [
        (i["occurredAt"]["S"], i["id"]["S"], i["type"]["S"], i["aggregateId"]["S"])
        for i in items
        if i["kind"]["S"] == "EVENT" and i["type"]["S"].startswith("Promise")
    ]
    return [(kind, aggregate) for _, _, kind, aggregate in sorted(found)]
