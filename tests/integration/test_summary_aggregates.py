"""Live aggregates under moto: exact to the cent through every ledger write, retries included."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from domain.clock import FixedClock
from domain.entities import AdjustmentKind, Debt, Debtor, Portfolio
from domain.entities import PaymentMethod as Method
from domain.errors import ConcurrencyConflict
from domain.ids import TimeOrderedIds
from domain.ports import DebtQuery, PageRequest, Transaction
from domain.principal import Principal, Role
from domain.services import Ledger
from domain.services.base import Deps
from domain.services.debtors import DebtorInput
from domain.services.debts import DebtInput
from domain.services.payments import PaymentInput
from domain.services.portfolios import PortfolioInput
from domain.services.tenants import TenantPatch
from domain.summaries.figures import TENANT_SCOPE, AggregateDelta, Figures, figures_of, portfolio_scope
from domain.summaries.nightly import LedgerSnapshots
from infra.dynamodb.repository import DynamoLedgerRepository

ADMIN = Principal("u-admin", "acme", Role.ADMIN)
D = Decimal


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 15, 15, 0, tzinfo=UTC))


@pytest.fixture
def ledger(repo: DynamoLedgerRepository, clock: FixedClock) -> Ledger:
    ledger = Ledger.build(Deps(repo, clock, TimeOrderedIds(clock)))
    ledger.tenants.update(ADMIN, TenantPatch(name="Acme", country="PE"))
    return ledger


def debtor(ledger: Ledger, ext: str) -> Debtor:
    return ledger.debtors.create(ADMIN, DebtorInput(name=f"Debtor {ext}", external_id=ext))


def debt(
    ledger: Ledger, dr: Debtor, pf: Portfolio, ext: str, amount: str, due: date, cur: str = "PEN"
) -> Debt:
    data = DebtInput(dr.id, pf.id, amount, due, external_id=ext, currency=cur, issue_date=date(2026, 1, 5))
    return ledger.debts.create(ADMIN, data)


def all_debts(repo: DynamoLedgerRepository) -> list[Debt]:
    return repo.list_debts("acme", DebtQuery(), PageRequest(first=1000)).items


def counted(repo: DynamoLedgerRepository, scope: str) -> dict[str, Figures]:
    sums: dict[str, Figures] = {}
    for d in all_debts(repo):
        if scope in (TENANT_SCOPE, portfolio_scope(d.portfolio_id)):
            sums[d.currency] = sums.get(d.currency, Figures()) + figures_of(d)
    return sums


def pen(repo: DynamoLedgerRepository, scope: str = TENANT_SCOPE) -> Figures:
    live = repo.live_figures("acme", scope)
    assert live == counted(repo, scope)  # the aggregates always equal a full recount
    return live["PEN"]


def test_aggregates_follow_payments_reversals_adjustments_disputes_and_write_offs(
    ledger: Ledger, repo: DynamoLedgerRepository
) -> None:
    retail = ledger.portfolios.create(ADMIN, PortfolioInput(name="Retail", currency="PEN"))
    export = ledger.portfolios.create(ADMIN, PortfolioInput(name="Export"))
    ana, bruno = debtor(ledger, "C-1"), debtor(ledger, "C-2")
    a = debt(ledger, ana, retail, "A", "100.00", date(2026, 2, 1))
    b = debt(ledger, ana, retail, "B", "50.00", date(2026, 4, 1))
    debt(ledger, bruno, export, "C", "200.00", date(2026, 3, 1), cur="USD")
    debt(ledger, bruno, export, "E", "30.10", date(2026, 3, 1))
    assert pen(repo) == Figures(debts=3, open_debts=3, original=D("180.10"), balance=D("180.10"))
    assert pen(repo, portfolio_scope(retail.id)) == Figures(
        debts=2, open_debts=2, original=D("150.00"), balance=D("150.00")
    )
    assert repo.live_figures("acme", portfolio_scope(export.id))["USD"].balance == D("200.00")

    paid = ledger.payments.record(ADMIN, PaymentInput(ana.id, "120.00", "PEN", Method.CASH, "k-1")).payment
    f = pen(repo, portfolio_scope(retail.id))
    assert (f.open_debts, f.balance, f.collected) == (1, D("30.00"), D("120.00"))

    # A retried request (same idempotency key) is a replay: nothing moves twice.
    ledger.payments.record(ADMIN, PaymentInput(ana.id, "120.00", "PEN", Method.CASH, "k-1"))
    assert pen(repo, portfolio_scope(retail.id)).collected == D("120.00")

    ledger.payments.reverse(ADMIN, ana.id, paid.id, "bounced cheque")
    f = pen(repo, portfolio_scope(retail.id))
    assert (f.open_debts, f.balance, f.collected) == (2, D("150.00"), D("0.00"))

    ledger.debts.adjust(ADMIN, ana.id, b.id, AdjustmentKind.FEE, "10.00", "late fee")
    ledger.debts.adjust(ADMIN, ana.id, a.id, AdjustmentKind.CREDIT, "5.00", "discount")
    f = pen(repo, portfolio_scope(retail.id))
    assert (f.balance, f.fees, f.credited) == (D("155.00"), D("10.00"), D("5.00"))

    ledger.debts.dispute_open(ADMIN, ana.id, a.id, "never received")
    f = pen(repo, portfolio_scope(retail.id))
    assert (f.open_debts, f.disputed_debts, f.disputed, f.balance) == (1, 1, D("95.00"), D("155.00"))

    ledger.debts.dispute_resolve(ADMIN, ana.id, a.id, "partly right", "15.00")
    f = pen(repo, portfolio_scope(retail.id))
    assert (f.open_debts, f.disputed_debts, f.disputed, f.balance) == (2, 0, D("0"), D("140.00"))

    ledger.debts.write_off(ADMIN, ana.id, b.id, "uncollectable")
    f = pen(repo, portfolio_scope(retail.id))
    assert (f.open_debts, f.balance, f.written_off) == (1, D("80.00"), D("60.00"))
    assert pen(repo).balance == D("110.10")  # tenant scope: retail 80.00 + export's PEN 30.10


def test_a_retried_stale_write_fails_and_counts_nothing(ledger: Ledger, repo: DynamoLedgerRepository) -> None:
    retail = ledger.portfolios.create(ADMIN, PortfolioInput(name="Retail", currency="PEN"))
    ana = debtor(ledger, "C-1")
    a = debt(ledger, ana, retail, "A", "100.00", date(2026, 2, 1))
    stale = copy.deepcopy(a)
    ledger.debts.adjust(ADMIN, ana.id, a.id, AdjustmentKind.FEE, "10.00", "late fee")
    stale.credit_total = D("40.00")  # a write decided on the old version, sent again after the fee
    with pytest.raises(ConcurrencyConflict):
        repo.commit("acme", Transaction(saves=[(stale, stale.version)]))
    assert pen(repo) == Figures(
        debts=1, open_debts=1, original=D("100.00"), balance=D("110.00"), fees=D("10.00")
    )


def test_apply_deltas_with_a_key_applies_once(ledger: Ledger, repo: DynamoLedgerRepository) -> None:
    delta = AggregateDelta(
        TENANT_SCOPE, "PEN", Figures(debts=2, open_debts=2, original=D("9.99"), balance=D("9.99"))
    )
    assert repo.apply_deltas("acme", [delta], "import-1#batch-0") is True
    assert repo.apply_deltas("acme", [delta], "import-1#batch-0") is False
    assert repo.live_figures("acme", TENANT_SCOPE)["PEN"] == delta.figures
    assert repo.live_figures("globex", TENANT_SCOPE) == {}


def test_nightly_snapshot_repairs_drift_and_runs_once_a_day(
    ledger: Ledger, repo: DynamoLedgerRepository, clock: FixedClock
) -> None:
    retail = ledger.portfolios.create(ADMIN, PortfolioInput(name="Retail", currency="PEN"))
    ana = debtor(ledger, "C-1")
    debt(ledger, ana, retail, "A", "100.00", date(2026, 2, 1))
    debt(ledger, ana, retail, "B", "50.00", date(2026, 4, 1))
    drift = AggregateDelta(portfolio_scope(retail.id), "PEN", Figures(balance=D("-7.00")))
    repo.apply_deltas("acme", [drift], None)  # e.g. a bulk write that died before its deltas
    nightly = LedgerSnapshots(ledger.deps, repo)

    run = nightly.run()
    assert run.taken == ["acme"] and not run.failed
    assert [(d.scope, d.figures.balance) for d in run.repaired] == [(portfolio_scope(retail.id), D("7.00"))]
    assert pen(repo, portfolio_scope(retail.id)).balance == D("150.00")
    (snap,) = repo.snapshots_on("acme", portfolio_scope(retail.id), date(2026, 3, 15)) or []
    assert (snap.overdue, snap.debtors, snap.figures.balance) == (D("100.00"), 1, D("150.00"))
    assert nightly.run().taken == []  # the day is taken

    clock.advance(timedelta(days=1))
    assert nightly.run().taken == ["acme"]
    (snap,) = repo.snapshots_on("acme", TENANT_SCOPE, date(2026, 3, 16)) or []
    assert snap.previous_day == date(2026, 3, 15)
    assert repo.snapshots_on("acme", TENANT_SCOPE, date(2026, 3, 14)) is None


def test_apply_deltas_beyond_one_transaction_applies_each_chunk_once(repo: DynamoLedgerRepository) -> None:
    deltas = [AggregateDelta(portfolio_scope(f"pf{i}"), "PEN", Figures(debts=1)) for i in range(150)]
    assert repo.apply_deltas("acme", deltas, "import-2#batch-0") is True
    assert repo.apply_deltas("acme", deltas, "import-2#batch-0") is False
    assert repo.live_figures("acme", portfolio_scope("pf149")) == {"PEN": Figures(debts=1)}


def test_run_snapshots_locally(ledger: Ledger, repo: DynamoLedgerRepository) -> None:
    from infra.snapshot_run import run_snapshots

    at = datetime(2026, 3, 16, 6, 0, tzinfo=UTC)  # 01:00 in Lima
    assert run_snapshots(at) == {"taken": ["acme"], "repaired": [], "skippedRepairs": 0, "failed": {}}
    assert run_snapshots(at)["taken"] == []
    assert run_snapshots(at, replace=True)["taken"] == ["acme"]
    assert repo.last_snapshot_day("acme") == date(2026, 3, 16)
