"""The demo seed against DynamoDB (moto): the promised volumes, every aging bucket, re-runs write nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3
import pytest
from moto import mock_aws

from domain.clock import FixedClock
from domain.entities import AgingBucket, Debt, Debtor, DebtState
from domain.ports import DebtorQuery, PageRequest
from domain.principal import Principal, Role
from domain.services import Ledger
from domain.services.debts import DebtFilter
from infra.container import build_ledger
from infra.dynamodb.models import configure
from infra.dynamodb.schema_from_template import create_table
from infra.local import speed_up_moto_transactions
from infra.seed import SeedSummary, seed_demo

NOW = datetime(2026, 3, 15, 15, 0, tzinfo=UTC)  # 10:00 in Lima
TABLE = "recaudo-seed-test"
ADMIN = Principal(sub="test", tenant="demo", role=Role.ADMIN)


@dataclass
class Seeded:
    client: Any
    ledger: Ledger
    summary: SeedSummary


@pytest.fixture(scope="module")
def seeded() -> Iterator[Seeded]:
    """The demo seeded once into a moto table (the seed takes a few seconds; both tests read it)."""
    speed_up_moto_transactions()
    with pytest.MonkeyPatch.context() as env, mock_aws():
        env.delenv("RECAUDO_AWS_ENDPOINT", raising=False)
        env.setenv("RECAUDO_TABLE", TABLE)
        env.setenv("AWS_DEFAULT_REGION", "us-east-1")
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_table(client, TABLE)
        clock = FixedClock(NOW)
        ledger = build_ledger(clock)
        yield Seeded(client, ledger, seed_demo(ledger, clock))
    configure()


def all_items(client: Any) -> list[dict[str, Any]]:
    """Every item of the table (a Scan is fine in a test)."""
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": TABLE, "ConsistentRead": True}
    while True:
        page = client.scan(**kwargs)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return sorted(items, key=lambda i: (i["PK"]["S"], i["SK"]["S"]))
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def all_debts(ledger: Ledger, f: DebtFilter | None = None) -> list[Debt]:
    debts: list[Debt] = []
    after = None
    while True:
        page = ledger.debts.list(ADMIN, f or DebtFilter(), PageRequest(first=100, after=after))
        debts.extend(page.items)
        if not page.has_next_page:
            return debts
        after = page.end_cursor


def all_debtors(ledger: Ledger) -> list[Debtor]:
    debtors: list[Debtor] = []
    after = None
    while True:
        page = ledger.debtors.list(ADMIN, DebtorQuery(), PageRequest(first=100, after=after))
        debtors.extend(page.items)
        if not page.has_next_page:
            return debtors
        after = page.end_cursor


def test_seed_creates_the_demo_tenant(seeded: Seeded) -> None:
    # GIVEN an empty table WHEN the demo is seeded (by the fixture)
    ledger, summary = seeded.ledger, seeded.summary

    # THEN the tenant and both portfolios exist
    tenant = ledger.tenants.get(ADMIN)
    assert tenant is not None
    assert (tenant.name, tenant.country, tenant.currency) == ("Demo Cobranzas SAC", "PE", "PEN")
    assert tenant.sender_email == "noreply@demo.recaudo.dev"
    assert tenant.sms_sender_id == "RECAUDO"
    portfolios = {p.external_id: p for p in ledger.portfolios.list(ADMIN)}
    assert portfolios["PF-PE"].name == "Cartera Retail Lima"
    assert portfolios["PF-PE"].currency == "PEN"
    assert portfolios["PF-CO"].name == "Cartera Pymes Bogotá"
    assert portfolios["PF-CO"].currency == "COP"

    # AND about 50 debtors in Peru and Colombia, with valid documents and normalised phones
    debtors = all_debtors(ledger)
    assert 45 <= len(debtors) <= 55
    assert len(debtors) == summary.debtors
    by_country = {c: [d for d in debtors if d.jurisdiction == c] for c in ("PE", "CO")}
    assert len(by_country["PE"]) >= 25 and len(by_country["CO"]) >= 15
    assert {d.document_type for d in by_country["PE"]} == {"DNI", "RUC"}
    assert {d.document_type for d in by_country["CO"]} == {"CC", "NIT"}
    phones = [c.value for d in debtors for c in d.contacts if c.kind.value == "PHONE"]
    assert all(p.startswith("+519") or p.startswith("+573") for p in phones)
    assert {d.assigned_agent_id for d in debtors} >= {"ag-lucia", "ag-mateo"}

    # AND about 300 debts in the portfolio's currency, every aging bucket populated
    debts = all_debts(ledger)
    assert 280 <= len(debts) <= 320
    assert summary.debts == len(debts)
    for debt in debts:
        expected = "PEN" if debt.portfolio_id == portfolios["PF-PE"].id else "COP"
        assert debt.currency == expected
        assert debt.original_amount == debt.original_amount.quantize(Decimal("0.01"))
    for bucket in AgingBucket:
        page = ledger.debts.list(ADMIN, DebtFilter(aging_bucket=bucket), PageRequest(first=1))
        assert page.items, f"no open debt in {bucket}"

    # AND about 40 payments: some settle a debt, some pay part, one leaves a credit
    assert 30 <= summary.payments_recorded <= 50
    assert any(d.state is DebtState.PAID for d in debts)
    assert any(d.state is DebtState.OPEN and d.paid_total > 0 for d in debts)
    assert any(d.unapplied_credit for d in debtors)


def test_seeding_twice_changes_nothing(seeded: Seeded) -> None:
    # GIVEN a seeded table
    before = all_items(seeded.client)

    # WHEN the seed runs again, an hour later the same day
    later = FixedClock(NOW + timedelta(hours=1))
    summary = seed_demo(build_ledger(later), later)

    # THEN nothing was written
    assert all_items(seeded.client) == before
    assert summary.debts_created == summary.debts_updated == 0
    assert summary.payments_recorded == 0
    assert summary.payments_replayed == summary.payments


def test_the_demo_plan_is_made_once_with_instalment_reminders_ahead(seeded: Seeded) -> None:
    from domain.plans.model import PlanStatus
    from domain.plans.service import PaymentPlans
    from infra.dynamodb.plan_repository import DynamoPlanRepository
    from infra.seed_plans import seed_demo_plan

    plans = PaymentPlans(seeded.ledger.deps, DynamoPlanRepository())
    plan = seed_demo_plan(plans)
    assert plan is not None and plan.status is PlanStatus.ACTIVE and len(plan.instalments) == 3
    assert plan.agent_id == "ag-lucia" and plan.first_due_date == NOW.date() + timedelta(days=7)
    debt = seeded.ledger.deps.repo.get_debt("demo", plan.debtor_id, plan.debt_ids[0])
    assert debt is not None and debt.plan_id == plan.id
    again = seed_demo_plan(plans)
    assert again is not None and again.id == plan.id


def test_the_demo_campaign_reminds_instalments_and_promises_with_their_own_templates(seeded: Seeded) -> None:
    from domain.campaigns.model import CampaignStatus, StepTrigger
    from domain.plans.service import PaymentPlans
    from infra.container import build_reminder_engine
    from infra.dynamodb.plan_repository import DynamoPlanRepository
    from infra.seed_campaign import seed_demo_campaign
    from infra.seed_plans import seed_demo_plan

    reminders = build_reminder_engine(seeded.ledger.deps.clock, with_senders=False)
    campaign = seed_demo_campaign(reminders)
    assert campaign.status is CampaignStatus.ACTIVE
    names = {t.id: t.name for t in reminders.templates.list(ADMIN)}
    events = {s.trigger: (names[s.template_id], s.fallback_template_id) for s in campaign.steps if s.trigger}
    assert {t: n for t, (n, _) in events.items()} == {
        StepTrigger.INSTALMENT_DUE: "instalment-due",
        StepTrigger.PROMISE_DUE_TOMORROW: "promise-due",
    }
    # the preview of the instalment template on the demo plan's debt shows its first instalment
    plan = seed_demo_plan(PaymentPlans(seeded.ledger.deps, DynamoPlanRepository()))
    assert plan is not None
    step = campaign.triggered_step(StepTrigger.INSTALMENT_DUE)
    assert step is not None and step.fallback_template_id is not None
    preview = reminders.templates.preview(ADMIN, step.fallback_template_id, plan.debtor_id, plan.debt_ids[0])
    first = plan.instalments[0]
    text = preview.text or ""
    assert f"cuota 1/{len(plan.instalments)}" in text and f"{first.amount:,.2f}" in text, text
