"""Event facts on moto: the plan sweep's INSTALMENT_DUE reminder, rendered with the instalment starter
template, states the instalment's amount and due date (not the debt's balance) for one extra GetItem;
a batch of cadence messages costs what it did and never builds the plan and promise stores."""

from __future__ import annotations

from datetime import date
from email import message_from_string
from email.message import EmailMessage
from email.policy import default

import pytest

from domain.campaigns.campaigns import CampaignInput, StepInput
from domain.campaigns.dispatcher import DispatchResult
from domain.campaigns.model import StepTrigger
from domain.campaigns.triggers import StepTriggers
from domain.plans.model import Frequency
from domain.plans.service import PaymentPlans, PlanInput
from domain.plans.sweeper import PlanSweeper
from domain.templates import TemplateChannel
from infra.dynamodb.plan_repository import DynamoPlanRepository
from infra.event_facts import LazyEventFacts
from tests.integration import test_dispatcher_moto as single
from tests.integration.test_dispatch_batch_moto import DynamoRequests, jobs_for_new_debtors
from tests.integration.test_dispatcher_moto import ADMIN, DUE, World, sent_emails

world = single.world  # tenant acme (Peru), Rosa with debts of 100.00 and 200.00 due DUE, 10:00 Lima


def test_an_instalment_reminder_states_the_instalment_amount_and_date(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = LazyEventFacts()
    world.reminders.deps.event_facts = reader
    plans = PaymentPlans(world.ledger.deps, DynamoPlanRepository())
    # two weekly instalments of 50.00 for the 100.00 debt, the first due tomorrow (Tuesday)
    data = PlanInput(world.debtor_id, [world.debt_ids[0]], 2, Frequency.WEEKLY, date(2026, 12, 15), "k-1")
    plans.create(ADMIN, data)
    templates = {(t.name, t.channel): t.id for t in world.reminders.templates.list(ADMIN)}
    step = StepInput(
        0,
        TemplateChannel.EMAIL,
        templates[("instalment-due", TemplateChannel.EMAIL)],
        trigger=StepTrigger.INSTALMENT_DUE,
    )
    campaign = world.reminders.campaigns.create(
        ADMIN, CampaignInput(name="Planes", priority=10, locales=["es-PE"], steps=[step])
    )
    world.reminders.campaigns.activate(ADMIN, campaign.id)
    assert PlanSweeper(plans, StepTriggers(world.reminders.deps)).run(["acme"]).jobs == 1
    [(job, _)] = world.queue.jobs
    assert job.occurrence == DUE  # the day before the instalment's due date

    before = len(sent_emails())
    requests = DynamoRequests(monkeypatch)
    [outcome] = world.reminders.dispatcher.handle_batch([job])
    assert isinstance(outcome, DispatchResult) and outcome.status == "SENT"
    assert requests.counts == {
        "BatchGetItem": 2,  # tenant, debtor, contact log, debt and claim; the template
        "GetItem": 2,  # the campaign, and the plan: the one read the facts cost
        "TransactWriteItems": 2,  # the claim with SENDING, then SENT
        "UpdateItem": 1,  # the campaign's counters
    }

    [email] = sent_emails()[before:]
    [message] = [m for m in world.messages() if m.step_id == job.step_id]
    mime = message_from_string(email.raw_data, policy=default)
    plain = mime.get_body(preferencelist=("plain",))
    assert isinstance(plain, EmailMessage)
    for text in (message.text or "", plain.get_content()):
        assert "cuota 1 de 2" in text
        assert "Monto a pagar: S/ 50.00" in text
        assert "vence el 15 de diciembre de 2026" in text
        assert "Saldo de su plan, incluida esta cuota: S/ 100.00" in text  # the balance, labelled so
        assert "14 de diciembre de 2026" not in text  # nor its original due date
    assert "15 de diciembre de 2026" in (message.subject or "")


def test_a_cadence_batch_costs_the_same_with_event_facts_wired(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = LazyEventFacts()
    world.reminders.deps.event_facts = reader
    jobs = jobs_for_new_debtors(world, 10)
    requests = DynamoRequests(monkeypatch)
    outcomes = world.reminders.dispatcher.handle_batch(jobs)
    assert [o.status for o in outcomes if isinstance(o, DispatchResult)] == ["SENT"] * 10
    assert requests.counts == {  # as in test_dispatch_batch_moto: no read for the cadence
        "BatchGetItem": 2,
        "GetItem": 1,
        "TransactWriteItems": 11,
        "UpdateItem": 1,
    }
    assert reader._reader is None  # the plan and promise stores were never built
