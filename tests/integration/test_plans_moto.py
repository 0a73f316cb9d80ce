"""Payment plans on DynamoDB (moto): the plan's keys and indexes, IN_PLAN debts off the due index and
back on it when the plan breaks, a cadence job planned before the plan dropped at dispatch, the sweep's
index Query and the instalment reminder sent once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3

from domain.campaigns.campaigns import CampaignInput, StepInput
from domain.campaigns.deps import EngineDeps
from domain.campaigns.engine import Reminders
from domain.campaigns.model import StepTrigger
from domain.campaigns.ports import MessageFilter
from domain.campaigns.triggers import StepTriggers
from domain.clock import FixedClock
from domain.entities import ContactKind
from domain.ids import TimeOrderedIds
from domain.messaging import SendChannel
from domain.plans.listeners import PlanPaymentListener
from domain.plans.model import Frequency, PlanStatus
from domain.plans.ports import PlanQuery
from domain.plans.service import PaymentPlans, PlanInput
from domain.plans.sweeper import PlanSweeper
from domain.ports import PageRequest
from domain.principal import Principal, Role
from domain.services import Deps, Ledger
from domain.services.debtors import ContactInput, DebtorInput
from domain.services.debts import DebtInput
from domain.services.portfolios import PortfolioInput
from domain.services.tenants import TenantPatch
from domain.templates import TemplateChannel
from infra.dynamodb.campaign_repository import DynamoCampaignRepository
from infra.dynamodb.message_repository import DynamoMessageRepository
from infra.dynamodb.plan_repository import DynamoPlanRepository
from infra.dynamodb.repository import DynamoLedgerRepository
from infra.dynamodb.schedule import DynamoScheduleRepository
from infra.messaging.ses import SesEmailSender
from infra.tick import MemoryJobQueue

ADMIN = Principal("ana", "acme", Role.ADMIN)
SENDER = "cobranzas@acme.pe"
DUE = date(2026, 12, 7)  # a Monday
AT_10_LIMA = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)


def _item(client: Any, pk: str, sk: str) -> dict[str, Any]:
    found: dict[str, Any] = client.get_item(
        TableName="recaudo-test", Key={"PK": {"S": pk}, "SK": {"S": sk}}, ConsistentRead=True
    )["Item"]
    return found


def test_a_plan_holds_its_debt_off_the_cadence_and_reminds_its_instalments(table: str) -> None:
    ses = boto3.client("ses", region_name="us-east-1")
    ses.verify_email_identity(EmailAddress=SENDER)
    clock = FixedClock(AT_10_LIMA - timedelta(days=3))
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
    ledger.tenants.update(ADMIN, TenantPatch(name="Acme", country="PE", sender_email=SENDER))
    pf = ledger.portfolios.create(ADMIN, PortfolioInput(name="Retail", currency="PEN"))
    contact = ContactInput(ContactKind.EMAIL, "rosa@example.com", consent=True)
    debtor = ledger.debtors.create(
        ADMIN, DebtorInput(name="Rosa", external_id="C-1", assigned_agent_id="ag-1", contacts=[contact])
    )
    debt = ledger.debts.create(ADMIN, DebtInput(debtor.id, pf.id, "100.00", DUE, external_id="F-1"))
    reminders.templates.install_defaults(ADMIN)
    email = next(t.id for t in reminders.templates.list(ADMIN) if t.channel is TemplateChannel.EMAIL)
    steps = [
        StepInput(0, TemplateChannel.EMAIL, email),
        StepInput(0, TemplateChannel.EMAIL, email, trigger=StepTrigger.INSTALMENT_DUE),
    ]
    campaign = reminders.campaigns.create(ADMIN, CampaignInput(name="C", locales=["es-PE"], steps=steps))
    reminders.campaigns.activate(ADMIN, campaign.id)

    # a cadence job planned (the due-day e-mail) before the plan is made ...
    clock.set(AT_10_LIMA)
    reminders.planner.run(["acme"])
    planned_before = list(queue.ready)
    queue.ready.clear()
    assert len(planned_before) == 1

    plans = PaymentPlans(ledger.deps, DynamoPlanRepository())
    ledger.payments.observer = PlanPaymentListener(plans)
    data = PlanInput(debtor.id, [debt.id], 2, Frequency.WEEKLY, date(2026, 12, 16), "k-1")
    plan = plans.create(ADMIN, data).plan

    client = boto3.client("dynamodb", region_name="us-east-1")
    item = _item(client, f"T#acme#DR#{debtor.id}", f"PLN#{plan.id}")
    assert item["GSI1PK"]["S"] == "T#acme#PLANS"
    assert item["GSI1SK"]["S"] == f"ACTIVE#2026-12-16#{plan.id}"
    assert item["GSI3PK"]["S"] == "T#acme#AG#ag-1#PLN"
    debt_item = _item(client, f"T#acme#DR#{debtor.id}", f"DEBT#{debt.id}")
    assert debt_item["planId"]["S"] == plan.id and "GSI5PK" not in debt_item and "nextAction" not in debt_item
    assert _item(client, f"T#acme#UQ#PLAN_DEBT#{debt.id}", "UQ")["target"]["S"] == f"{debtor.id}/{plan.id}"

    # ... sends nothing, and the planner no longer sees the debt
    assert [r.status for r in (reminders.dispatcher.handle(j) for j in planned_before)] == ["SKIPPED"]
    assert reminders.planner.run(["acme"]).due_debts == 0

    # the sweep (one index Query) reminds instalment 1 on the day before, and again the due day: one message
    def due_by(day: date) -> list[str]:
        query = PlanQuery(PlanStatus.ACTIVE, due_to=day)
        return [p.id for p in plans.store.list_plans("acme", query, PageRequest()).items]

    assert (due_by(date(2026, 12, 15)), due_by(date(2026, 12, 16))) == ([], [plan.id])
    sweeper = PlanSweeper(plans, StepTriggers(reminders.deps))
    for day in (15, 16):  # Tuesday and Wednesday (Dec 8 and 9 are holidays in Peru)
        clock.set(datetime(2026, 12, day, 15, 0, tzinfo=UTC))
        assert sweeper.run(["acme"]).jobs == 1
        results = [reminders.dispatcher.handle(job).status for job in list(queue.ready)]
        assert results == (["SENT"] if day == 15 else ["DUPLICATE"])
        queue.ready.clear()
    sent = reminders.deps.messages.list_messages("acme", MessageFilter(), PageRequest(10)).items
    instalment_step = next(s.id for s in campaign.steps if s.trigger is StepTrigger.INSTALMENT_DUE)
    assert [(m.step_id, m.occurrence, m.status.value) for m in sent] == [
        (instalment_step, date(2026, 12, 15), "SENT")
    ]

    # unpaid past grace (5 days): broken, the debt back on the due index to be evaluated
    clock.set(datetime(2026, 12, 22, 15, 0, tzinfo=UTC))
    assert sweeper.run(["acme"]).outcomes == {"BROKEN": 1}
    debt_item = _item(client, f"T#acme#DR#{debtor.id}", f"DEBT#{debt.id}")
    assert "planId" not in debt_item and debt_item["GSI5PK"]["S"].startswith("T#acme#DUE#")
    assert _item(client, f"T#acme#DR#{debtor.id}", f"PLN#{plan.id}")["GSI1SK"]["S"].startswith(
        "BROKEN#2026-12-22#"
    )
