"""`recaudo tick --at …` runs the day's sweeps before planning: the day before an instalment, the tick
queues and sends its INSTALMENT_DUE reminder in the same cycle (once: a second tick sends nothing)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import boto3

from domain.campaigns.campaigns import CampaignInput, StepInput
from domain.campaigns.model import StepTrigger
from domain.clock import FixedClock
from domain.entities import ContactKind
from domain.plans.model import Frequency
from domain.plans.service import PlanInput
from domain.services.debtors import ContactInput, DebtorInput
from domain.services.debts import DebtInput
from domain.services.portfolios import PortfolioInput
from domain.services.tenants import TenantPatch
from domain.templates import TemplateChannel
from infra.container import build_ledger, build_plans, build_reminder_engine
from infra.tick import run_tick
from tests.integration.test_plans_moto import ADMIN, DUE, SENDER


def test_a_tick_the_day_before_an_instalment_sends_its_reminder_once(table: str) -> None:
    boto3.client("ses", region_name="us-east-1").verify_email_identity(EmailAddress=SENDER)
    clock = FixedClock(datetime(2026, 12, 7, 15, 0, tzinfo=UTC))
    ledger = build_ledger(clock)
    reminders = build_reminder_engine(clock, with_senders=False)
    ledger.tenants.update(ADMIN, TenantPatch(name="Acme", country="PE", sender_email=SENDER))
    pf = ledger.portfolios.create(ADMIN, PortfolioInput(name="Retail", currency="PEN"))
    contact = ContactInput(ContactKind.EMAIL, "rosa@example.com", consent=True)
    debtor = ledger.debtors.create(ADMIN, DebtorInput(name="Rosa", external_id="C-1", contacts=[contact]))
    debt = ledger.debts.create(ADMIN, DebtInput(debtor.id, pf.id, "100.00", DUE, external_id="F-1"))
    reminders.templates.install_defaults(ADMIN)
    email = next(t.id for t in reminders.templates.list(ADMIN) if t.channel is TemplateChannel.EMAIL)
    step = StepInput(0, TemplateChannel.EMAIL, email, trigger=StepTrigger.INSTALMENT_DUE)
    campaign = reminders.campaigns.create(ADMIN, CampaignInput(name="C", locales=["es-PE"], steps=[step]))
    reminders.campaigns.activate(ADMIN, campaign.id)
    plan = (
        build_plans(ledger)
        .create(ADMIN, PlanInput(debtor.id, [debt.id], 2, Frequency.WEEKLY, date(2026, 12, 16), "k-1"))
        .plan
    )

    first = run_tick(datetime(2026, 12, 15, 15, 0, tzinfo=UTC))  # Tuesday 10:00 in Lima
    assert first["planSweep"]["instalments_due"] == 1 and first["planSweep"]["jobs"] == 1
    assert first["sent"] == {"EMAIL": 1}
    again = run_tick(datetime(2026, 12, 15, 16, 0, tzinfo=UTC))
    assert again["sent"] == {} and again["planSweep"]["jobs"] == 1  # queued again, sent once
    assert again["other"] == {"DUPLICATE": 1}
    assert plan.instalments[0].due_date == date(2026, 12, 16)
