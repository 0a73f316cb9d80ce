"""Promise fixtures: the promise use cases on the in-memory ledger, a debtor of agent ag-1 with two
PEN debts (1000.00 due 2026-03-01 and 500.00 due 2026-04-01)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest

from domain.clock import FixedClock
from domain.entities import Channel, Debt, Debtor, Portfolio
from domain.principal import Principal
from domain.promises.model import Promise
from domain.promises.ports import PromiseChange
from domain.promises.service import PromiseInput, Promises
from domain.services import Ledger
from domain.services.debtors import DebtorInput
from domain.services.debts import DebtInput
from tests.fakes import InMemoryLedgerRepository
from tests.promise_fakes import InMemoryPromiseRepository


@dataclass
class RecordingObserver:
    changes: list[tuple[str, PromiseChange]] = field(default_factory=list)

    def promise_changed(self, promise: Promise, change: PromiseChange) -> None:
        self.changes.append((promise.id, change))


@dataclass
class World:
    ledger: Ledger
    promises: Promises
    store: InMemoryPromiseRepository
    observer: RecordingObserver
    debtor: Debtor
    debt: Debt
    other_debt: Debt
    clock: FixedClock

    def input(
        self, key: str = "k-1", amount: str = "300.00", day: date = date(2026, 3, 20), **kw: object
    ) -> PromiseInput:
        data = PromiseInput(
            debtor_id=self.debtor.id,
            debt_ids=[self.debt.id],
            amount=amount,
            currency="PEN",
            promised_date=day,
            channel=Channel.CALL,
            idempotency_key=key,
        )
        for name, value in kw.items():
            setattr(data, name, value)
        return data


@pytest.fixture
def world(
    ledger: Ledger, repo: InMemoryLedgerRepository, clock: FixedClock, admin: Principal, configured: Portfolio
) -> World:
    store = InMemoryPromiseRepository(repo)
    observer = RecordingObserver()
    promises = Promises(ledger.deps, store, observer)
    debtor = ledger.debtors.create(
        admin,
        DebtorInput(name="Ana Pérez", external_id="D-1", assigned_agent_id="ag-1", time_zone="America/Lima"),
    )
    debt = ledger.debts.create(
        admin,
        DebtInput(
            debtor.id,
            configured.id,
            "1000.00",
            date(2026, 3, 1),
            external_id="X-1",
            issue_date=date(2026, 1, 1),
        ),
    )
    other = ledger.debts.create(
        admin,
        DebtInput(
            debtor.id,
            configured.id,
            "500.00",
            date(2026, 4, 1),
            external_id="X-2",
            issue_date=date(2026, 1, 1),
        ),
    )
    return World(ledger, promises, store, observer, debtor, debt, other, clock)
