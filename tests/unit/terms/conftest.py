"""Terms fixtures: the terms use cases on the in-memory ledger, wired to payments as in production; a
debtor of agent ag-1 in Lima with two PEN debts of 100.00 due 2026-03-10 (five days overdue)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from domain.clock import FixedClock
from domain.entities import Debt, Debtor, Portfolio
from domain.principal import Principal
from domain.services import Ledger
from domain.services.debtors import DebtorInput
from domain.services.debts import DebtInput
from domain.terms.service import DebtTerms
from tests.fakes import InMemoryLedgerRepository
from tests.terms_fakes import InMemoryTermsRepository


@dataclass
class World:
    ledger: Ledger
    terms: DebtTerms
    repo: InMemoryLedgerRepository
    debtor: Debtor
    debts: list[Debt]
    clock: FixedClock

    def debt(self, n: int = 0) -> Debt:
        found = self.repo.get_debt("acme", self.debtor.id, self.debts[n].id)
        assert found is not None
        return found


@pytest.fixture
def world(
    ledger: Ledger, repo: InMemoryLedgerRepository, clock: FixedClock, admin: Principal, configured: Portfolio
) -> World:
    terms = DebtTerms.build(ledger.deps, InMemoryTermsRepository(repo))
    ledger.payments.observer = terms.settlement
    debtor = ledger.debtors.create(
        admin,
        DebtorInput(name="Ana Pérez", external_id="D-1", assigned_agent_id="ag-1", time_zone="America/Lima"),
    )
    debts = [
        ledger.debts.create(
            admin,
            DebtInput(
                debtor.id,
                configured.id,
                "100.00",
                date(2026, 3, 10),
                external_id=f"X-{n}",
                issue_date=date(2026, 1, 1),
            ),
        )
        for n in (1, 2)
    ]
    return World(ledger, terms, repo, debtor, debts, clock)
