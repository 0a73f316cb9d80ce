"""Plan fixtures: the plan use cases on the in-memory ledger (payments re-evaluate plans), a debtor of
agent ag-1 in Lima with two PEN debts (1000.00 due 2026-03-01 and 500.00 due 2026-04-01)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest

from domain.clock import FixedClock
from domain.entities import Debt, Debtor, PaymentMethod, Portfolio
from domain.plans.listeners import PlanPaymentListener
from domain.plans.model import Frequency, PaymentPlan
from domain.plans.ports import PlanChange
from domain.plans.service import PaymentPlans, PlanInput
from domain.principal import Principal
from domain.services import Ledger
from domain.services.debtors import DebtorInput
from domain.services.debts import DebtInput
from domain.services.payments import AllocationInput, PaymentInput
from tests.fakes import InMemoryLedgerRepository
from tests.plan_fakes import InMemoryPlanRepository


@dataclass
class RecordingObserver:
    changes: list[tuple[str, PlanChange]] = field(default_factory=list)

    def plan_changed(self, plan: PaymentPlan, change: PlanChange) -> None:
        self.changes.append((plan.id, change))


@dataclass
class World:
    ledger: Ledger
    plans: PaymentPlans
    store: InMemoryPlanRepository
    repo: InMemoryLedgerRepository
    observer: RecordingObserver
    debtor: Debtor
    debt: Debt
    other_debt: Debt
    clock: FixedClock

    def input(self, key: str = "k-1", **kw: object) -> PlanInput:
        data = PlanInput(
            debtor_id=self.debtor.id,
            debt_ids=[self.debt.id],
            instalments=3,
            frequency=Frequency.MONTHLY,
            first_due_date=date(2026, 4, 1),
            idempotency_key=key,
        )
        for name, value in kw.items():
            setattr(data, name, value)
        return data

    def pay(self, who: Principal, amount: str, key: str, debt_id: str | None = None) -> None:
        allocations = [AllocationInput(debt_id, amount)] if debt_id else []
        data = PaymentInput(self.debtor.id, amount, "PEN", PaymentMethod.CASH, key, allocations=allocations)
        self.ledger.payments.record(who, data)

    def reload(self, plan: PaymentPlan) -> PaymentPlan:
        found = self.store.get_plan("acme", plan.debtor_id, plan.id)
        assert found is not None
        return found

    def debt_now(self, debt_id: str) -> Debt:
        found = self.repo.get_debt("acme", self.debtor.id, debt_id)
        assert found is not None
        return found


def add_debt(
    ledger: Ledger, admin: Principal, debtor: Debtor, pf: Portfolio, amount: str, due: date, ext: str
) -> Debt:
    return ledger.debts.create(
        admin, DebtInput(debtor.id, pf.id, amount, due, external_id=ext, issue_date=date(2026, 1, 1))
    )


@pytest.fixture
def world(
    ledger: Ledger, repo: InMemoryLedgerRepository, clock: FixedClock, admin: Principal, configured: Portfolio
) -> World:
    store = InMemoryPlanRepository(repo)
    observer = RecordingObserver()
    plans = PaymentPlans(ledger.deps, store, observer)
    ledger.payments.observer = PlanPaymentListener(plans)
    debtor = ledger.debtors.create(
        admin,
        DebtorInput(name="Ana Pérez", external_id="D-1", assigned_agent_id="ag-1", time_zone="America/Lima"),
    )
    debt = add_debt(ledger, admin, debtor, configured, "1000.00", date(2026, 3, 1), "X-1")
    other = add_debt(ledger, admin, debtor, configured, "500.00", date(2026, 4, 1), "X-2")
    return World(ledger, plans, store, repo, observer, debtor, debt, other, clock)
