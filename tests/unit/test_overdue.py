"""OverdueNotices: one DebtOverdue per open debt and due date, on its first day past due (tenant calendar)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from domain.clock import FixedClock
from domain.entities import Debt, DebtState, DomainEvent, PaymentMethod, Portfolio
from domain.event_catalogue import EVENT_TYPES, envelope
from domain.ids import TimeOrderedIds, derived_id
from domain.ports import DebtQuery, Page, PageRequest, Transaction
from domain.principal import Principal
from domain.services import Ledger
from domain.services.base import Deps
from domain.services.debtors import DebtorInput
from domain.services.debts import DebtInput, DebtPatch, debt_event_data
from domain.services.imports import ImportRow
from domain.services.overdue import MAX_LOOKBACK_DAYS, OverdueNotices, OverdueNoticesIncomplete
from domain.services.payments import PaymentInput
from domain.services.portfolios import PortfolioInput
from domain.services.tenants import TenantPatch
from tests.fakes import InMemoryLedgerRepository

SCHEMA = Path(__file__).resolve().parents[2] / "schema" / "events" / "DebtOverdue.v1.json"
TODAY = date(2026, 3, 15)  # in Lima at the fixtures' NOW (15:00 UTC)
YESTERDAY = TODAY - timedelta(days=1)


@pytest.fixture
def notices(repo: InMemoryLedgerRepository, clock: FixedClock) -> OverdueNotices:
    return OverdueNotices(Deps(repo, clock, TimeOrderedIds(clock)))


def add_debt(
    ledger: Ledger, admin: Principal, pf: Portfolio, ext: str, due: date, amount: str = "100.00"
) -> Debt:
    debtor = ledger.debtors.create(admin, DebtorInput(name=f"Debtor {ext}", external_id=f"C-{ext}"))
    return ledger.debts.create(admin, DebtInput(debtor.id, pf.id, amount, due, external_id=ext))


def overdue(repo: InMemoryLedgerRepository, tenant: str = "acme") -> list[DomainEvent]:
    return repo.events_of(tenant, "DebtOverdue")


def stored(repo: InMemoryLedgerRepository, debt: Debt) -> Debt:
    found = repo.get_debt(debt.tenant, debt.debtor_id, debt.id)
    assert found is not None
    return found


def test_a_debt_due_yesterday_gets_exactly_one_notice(
    ledger: Ledger,
    repo: InMemoryLedgerRepository,
    clock: FixedClock,
    admin: Principal,
    configured: Portfolio,
    notices: OverdueNotices,
) -> None:
    # GIVEN an open debt due yesterday (tenant calendar, America/Lima)
    debt = add_debt(ledger, admin, configured, "F-1", YESTERDAY)
    # WHEN the notices run
    assert notices.run() == 1
    # THEN one DebtOverdue: deterministic id, the debt snapshot plus daysPastDue, emitted now
    [event] = overdue(repo)
    assert event.id == derived_id("acme", "DebtOverdue", debt.id, "2026-03-14")
    assert (event.type, event.version, event.aggregate_id) == ("DebtOverdue", 1, debt.id)
    assert event.occurred_at == clock.now()
    assert event.data == debt_event_data(stored(repo, debt)) | {"daysPastDue": 1}
    # AND running again (later the same day, or the next day) emits nothing more
    assert notices.run() == 0
    clock.advance(timedelta(days=1))
    assert notices.run() == 0
    assert len(overdue(repo)) == 1


def test_a_debt_due_today_or_later_gets_no_notice(
    ledger: Ledger,
    repo: InMemoryLedgerRepository,
    admin: Principal,
    configured: Portfolio,
    notices: OverdueNotices,
) -> None:
    add_debt(ledger, admin, configured, "F-1", TODAY)
    add_debt(ledger, admin, configured, "F-2", TODAY + timedelta(days=3))
    assert notices.run() == 0
    assert overdue(repo) == []


def test_the_day_turns_at_the_tenants_midnight_not_at_utc_midnight(
    ledger: Ledger,
    repo: InMemoryLedgerRepository,
    clock: FixedClock,
    admin: Principal,
    configured: Portfolio,
    notices: OverdueNotices,
) -> None:
    # GIVEN a debt due 2026-03-15, at 03:00 UTC on the 16th, which is still 22:00 on the 15th in Lima
    debt = add_debt(ledger, admin, configured, "F-1", TODAY)
    clock.set(datetime(2026, 3, 16, 3, 0, tzinfo=UTC))
    # THEN it is not overdue yet, although the UTC date says so
    assert notices.run() == 0
    # WHEN Lima's midnight passes (05:00 UTC)
    clock.set(datetime(2026, 3, 16, 5, 0, tzinfo=UTC))
    # THEN its notice goes out, one day past due
    assert notices.run() == 1
    [event] = overdue(repo)
    assert event.aggregate_id == debt.id and event.data["daysPastDue"] == 1


def test_paid_disputed_and_written_off_debts_get_no_notice(
    ledger: Ledger,
    repo: InMemoryLedgerRepository,
    admin: Principal,
    configured: Portfolio,
    notices: OverdueNotices,
) -> None:
    open_debt = add_debt(ledger, admin, configured, "F-1", YESTERDAY)
    paid = add_debt(ledger, admin, configured, "F-2", YESTERDAY)
    disputed = add_debt(ledger, admin, configured, "F-3", YESTERDAY)
    written_off = add_debt(ledger, admin, configured, "F-4", YESTERDAY)
    payment = PaymentInput(paid.debtor_id, "100.00", "PEN", PaymentMethod.CASH, "k-1", debt_id=paid.id)
    ledger.payments.record(admin, payment)
    ledger.debts.dispute_open(admin, disputed.debtor_id, disputed.id, "Never delivered")
    ledger.debts.write_off(admin, written_off.debtor_id, written_off.id, "Insolvent")
    assert [stored(repo, d).state for d in (paid, disputed, written_off)] == [
        DebtState.PAID,
        DebtState.DISPUTED,
        DebtState.WRITTEN_OFF,
    ]

    assert notices.run() == 1
    assert [e.aggregate_id for e in overdue(repo)] == [open_debt.id]


def test_the_lookback_covers_seven_days_and_no_more(
    ledger: Ledger,
    repo: InMemoryLedgerRepository,
    admin: Principal,
    configured: Portfolio,
    notices: OverdueNotices,
) -> None:
    # GIVEN debts past due 7 (missed runs: still caught up), 8 and 10 days (too old: never notified)
    seven = add_debt(ledger, admin, configured, "F-7", TODAY - timedelta(days=7))
    add_debt(ledger, admin, configured, "F-8", TODAY - timedelta(days=8))
    add_debt(ledger, admin, configured, "F-10", TODAY - timedelta(days=10))
    assert notices.run() == 1
    [event] = overdue(repo)
    assert event.aggregate_id == seven.id and event.data["daysPastDue"] == 7
    with pytest.raises(ValueError):
        notices.run(lookback_days=MAX_LOOKBACK_DAYS + 1)
    with pytest.raises(ValueError):
        notices.run(lookback_days=0)


def test_an_extended_due_date_gets_a_new_notice_once_it_passes(
    ledger: Ledger,
    repo: InMemoryLedgerRepository,
    clock: FixedClock,
    admin: Principal,
    configured: Portfolio,
    notices: OverdueNotices,
) -> None:
    # GIVEN a debt notified as overdue, whose due date is then extended (prórroga) to the 20th
    debt = add_debt(ledger, admin, configured, "F-1", YESTERDAY)
    assert notices.run() == 1
    ledger.debts.update(admin, debt.debtor_id, debt.id, DebtPatch(due_date=date(2026, 3, 20)))
    # THEN nothing until the new date has passed
    assert notices.run() == 0
    clock.set(datetime(2026, 3, 20, 15, 0, tzinfo=UTC))
    assert notices.run() == 0
    # WHEN the 21st starts in Lima, a second notice goes out, for the new due date
    clock.set(datetime(2026, 3, 21, 15, 0, tzinfo=UTC))
    assert notices.run() == 1
    first, second = overdue(repo)
    assert (first.data["dueDate"], second.data["dueDate"]) == ("2026-03-14", "2026-03-20")
    assert second.id == derived_id("acme", "DebtOverdue", debt.id, "2026-03-20") != first.id
    assert notices.run() == 0


def test_every_tenant_is_covered_each_on_its_own_calendar(
    ledger: Ledger,
    repo: InMemoryLedgerRepository,
    clock: FixedClock,
    admin: Principal,
    other_admin: Principal,
    configured: Portfolio,
    notices: OverdueNotices,
) -> None:
    # GIVEN acme in Lima (UTC-5) and globex in Tokyo (UTC+9), each with a debt due on the 15th
    ledger.tenants.update(other_admin, TenantPatch(name="Globex", country="JP"))
    globex = repo.get_tenant("globex")
    assert globex is not None and globex.time_zone == "Asia/Tokyo"
    globex_pf = ledger.portfolios.create(other_admin, PortfolioInput(name="Main", currency="JPY"))
    acme_debt = add_debt(ledger, admin, configured, "F-1", TODAY)
    globex_debt = add_debt(ledger, other_admin, globex_pf, "G-1", TODAY, amount="5000")
    assert repo.list_tenants() == ["acme", "globex"]
    # WHEN it is 16:00 UTC on the 15th: already the 16th in Tokyo, still the 15th in Lima
    clock.set(datetime(2026, 3, 15, 16, 0, tzinfo=UTC))
    assert notices.run() == 1
    assert [e.aggregate_id for e in overdue(repo, "globex")] == [globex_debt.id]
    assert overdue(repo, "acme") == []
    # AND once Lima's day turns too, acme's debt follows (each notice in its own tenant)
    clock.set(datetime(2026, 3, 16, 5, 0, tzinfo=UTC))
    assert notices.run() == 1
    assert [e.aggregate_id for e in overdue(repo, "acme")] == [acme_debt.id]
    assert all(e.tenant == "globex" for e in overdue(repo, "globex"))


def test_a_tenant_without_settings_is_not_listed(
    repo: InMemoryLedgerRepository, notices: OverdueNotices
) -> None:
    assert repo.list_tenants() == []
    assert notices.run() == 0


def test_the_notice_matches_its_schema(
    ledger: Ledger,
    repo: InMemoryLedgerRepository,
    admin: Principal,
    configured: Portfolio,
    notices: OverdueNotices,
) -> None:
    assert "DebtOverdue" in EVENT_TYPES
    add_debt(ledger, admin, configured, "F-1", YESTERDAY - timedelta(days=2), amount="1500.50")
    notices.run()
    [event] = overdue(repo)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    wire = json.loads(json.dumps(envelope(event)))  # what the publisher puts on the bus
    assert [e.message for e in validator.iter_errors(wire)] == []
    assert wire["data"]["daysPastDue"] == 3


def test_many_notices_page_through_the_debts_and_commit_in_batches(
    ledger: Ledger,
    repo: InMemoryLedgerRepository,
    admin: Principal,
    configured: Portfolio,
    notices: OverdueNotices,
) -> None:
    # GIVEN 250 debts due yesterday (more than one page of 200)
    rows = [ImportRow(f"C-{i}", f"Debtor {i}", f"F-{i}", "10.00", YESTERDAY) for i in range(250)]
    for start in range(0, len(rows), 125):
        assert not ledger.imports.run(admin, configured.id, rows[start : start + 125]).errors
    commits = repo.commits
    # WHEN the notices run: pages of 200 and 50, each committed in transactions of up to 100 events
    assert notices.run() == 250
    assert repo.commits - commits == 3
    assert len({e.aggregate_id for e in overdue(repo)}) == 250
    # AND a re-run reads which exist and writes nothing
    assert notices.run() == 0
    assert repo.commits - commits == 3


class BlindRepo:
    """Delegates to the fake, but the bulk existence check sees nothing: as if a concurrent run wrote the
    notices between this run's check and its commit. Counts commit attempts."""

    def __init__(self, inner: InMemoryLedgerRepository) -> None:
        self.inner, self.attempts = inner, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def existing_event_ids(self, tenant: str, ids: list[str], consistent: bool = False) -> set[str]:
        return self.inner.existing_event_ids(tenant, ids, consistent) if consistent else set()

    def commit(self, tenant: str, tx: Transaction) -> None:
        self.attempts += 1
        self.inner.commit(tenant, tx)


def test_a_batch_that_meets_existing_notices_falls_back_to_one_by_one(
    ledger: Ledger,
    repo: InMemoryLedgerRepository,
    clock: FixedClock,
    admin: Principal,
    configured: Portfolio,
    notices: OverdueNotices,
) -> None:
    # GIVEN two debts already notified, and a third one that is new
    add_debt(ledger, admin, configured, "F-1", YESTERDAY)
    add_debt(ledger, admin, configured, "F-2", YESTERDAY)
    assert notices.run() == 2
    third = add_debt(ledger, admin, configured, "F-3", YESTERDAY)
    # WHEN a run that did not see the existing ones commits all three together
    blind: Any = BlindRepo(repo)
    assert OverdueNotices(Deps(blind, clock, TimeOrderedIds(clock))).run() == 1
    # THEN the batch was refused as a whole, and one by one only the new notice was written
    assert blind.attempts == 1 + 3
    assert len(overdue(repo)) == 3
    assert overdue(repo)[-1].aggregate_id == third.id


class FailingTenantRepo:
    """Delegates to the fake; listing the debts of one tenant fails."""

    def __init__(self, inner: InMemoryLedgerRepository, tenant: str) -> None:
        self.inner, self.tenant = inner, tenant

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def list_debts(self, tenant: str, query: DebtQuery, page: PageRequest) -> Page[Debt]:
        if tenant == self.tenant:
            raise RuntimeError("storage unavailable")
        return self.inner.list_debts(tenant, query, page)


def test_one_failing_tenant_does_not_stop_the_others(
    ledger: Ledger,
    repo: InMemoryLedgerRepository,
    clock: FixedClock,
    admin: Principal,
    other_admin: Principal,
    configured: Portfolio,
) -> None:
    ledger.tenants.update(other_admin, TenantPatch(name="Globex", country="PE"))
    globex_pf = ledger.portfolios.create(other_admin, PortfolioInput(name="Main", currency="PEN"))
    add_debt(ledger, admin, configured, "F-1", YESTERDAY)
    add_debt(ledger, other_admin, globex_pf, "G-1", YESTERDAY)
    wrapper: Any = FailingTenantRepo(repo, "acme")
    failing = OverdueNotices(Deps(wrapper, clock, TimeOrderedIds(clock)))
    with pytest.raises(OverdueNoticesIncomplete) as exc:
        failing.run()
    assert exc.value.emitted == 1 and list(exc.value.failed) == ["acme"]
    assert len(overdue(repo, "globex")) == 1 and overdue(repo, "acme") == []
