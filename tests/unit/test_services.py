"""Use cases end to end on the in-memory repository: validation, money movements, events, scope."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.clock import FixedClock
from domain.entities import AdjustmentKind, ContactKind, Debt, Debtor, DebtState, DebtStatus, Portfolio
from domain.entities import AgingBucket as Bucket
from domain.entities import PaymentMethod as Method
from domain.errors import ConcurrencyConflict, DomainError, ErrorCode, Forbidden, UniquenessConflict
from domain.ledger import debt_status
from domain.ports import ClaimKind, DebtorQuery, PageRequest, Transaction
from domain.principal import Principal as P
from domain.principal import Role
from domain.services import Ledger
from domain.services.base import MAX_ATTEMPTS, Deps
from domain.services.debtors import ContactInput, DebtorInput, DebtorPatch
from domain.services.debts import DebtFilter, DebtInput
from domain.services.imports import MAX_ROWS, ImportRow
from domain.services.payments import AllocationInput, PaymentInput, PaymentResult
from domain.services.portfolios import PortfolioInput, PortfolioPatch
from domain.services.tenants import TenantPatch
from tests.fakes import InMemoryLedgerRepository as Repo

D, E = Decimal, ErrorCode
TODAY, ISSUED, APR1 = date(2026, 3, 15), date(2025, 1, 1), date(2026, 4, 1)
ADMIN = P("u-admin", "acme", Role.ADMIN)
Book = tuple[Debtor, Debt, Debt]
CREDIT, FEE = AdjustmentKind.CREDIT, AdjustmentKind.FEE


def fails(call: Callable[[], object], code: ErrorCode, field: str | None) -> None:
    with pytest.raises(DomainError) as exc:
        call()
    assert (exc.value.code, exc.value.errors[0].field) == (code, field)


def new_debtor(ledger: Ledger, ext: str = "C-1", name: str = "Ana", agent: str | None = None) -> Debtor:
    return ledger.debtors.create(ADMIN, DebtorInput(name=name, external_id=ext, assigned_agent_id=agent))


def new_debt(ledger: Ledger, debtor: Debtor, pf: Portfolio, ext: str, amount: str, due: date) -> Debt:
    data = DebtInput(debtor.id, pf.id, amount, due, external_id=ext, issue_date=ISSUED)
    return ledger.debts.create(ADMIN, data)


def pay(ledger: Ledger, debtor: Debtor, amount: str, key: str, cur: str = "PEN", **kw: Any) -> PaymentResult:
    data = PaymentInput(debtor.id, amount, cur, Method.TRANSFER, key, **kw)
    return ledger.payments.record(ADMIN, data)


def reload(repo: Repo, debt: Debt) -> Debt:
    found = repo.get_debt("acme", debt.debtor_id, debt.id)
    assert found is not None
    return found


def counts(repo: Repo) -> tuple[int, int, int]:
    return len(repo.events), len(repo.audits), repo.commits


@pytest.fixture
def book(ledger: Ledger, configured: Portfolio) -> Book:
    """A debtor owing 100.00 (due Feb 1, the older) and 50.00 (due Apr 1)."""
    debtor = new_debtor(ledger)
    old = new_debt(ledger, debtor, configured, "F-OLD", "100.00", date(2026, 2, 1))
    return debtor, old, new_debt(ledger, debtor, configured, "F-NEW", "50.00", APR1)


# --- tenant settings and portfolios -------------------------------------------------------------------

DEFAULTS = [("PE", ("PEN", "America/Lima", "es-PE")), ("co", ("COP", "America/Bogota", "es-CO"))]


@pytest.mark.parametrize(("country", "expected"), DEFAULTS)
def test_tenant_defaults_from_country(
    ledger: Ledger, admin: P, country: str, expected: tuple[str, str, str]
) -> None:
    tenant = ledger.tenants.update(admin, TenantPatch(name="Acme", country=country))
    assert (tenant.currency, tenant.time_zone, tenant.locale, tenant.version) == (*expected, 1)


@pytest.mark.parametrize(
    ("patch", "code", "field"),
    [
        (TenantPatch(name="Acme"), E.REQUIRED, "country"),
        (TenantPatch(country="PE"), E.REQUIRED, "name"),
        (TenantPatch(name="Acme", country="XX"), E.INVALID_COUNTRY, "country"),
        (TenantPatch(name="Acme", country="PE", currency="ABC"), E.INVALID_CURRENCY, "currency"),
        (TenantPatch(name="Acme", country="PE", time_zone="Lima"), E.INVALID_TIME_ZONE, "timeZone"),
        (TenantPatch(name="Acme", country="PE", locale="zz-ZZ"), E.INVALID_LOCALE, "locale"),
        (TenantPatch(name="A", country="PE", sender_email="nope"), E.INVALID_EMAIL, "senderEmail"),
        (TenantPatch(name="A", country="PE", sms_sender_id="TWELVE CHARS"), E.INVALID, "smsSenderId"),
    ],
)
def test_tenant_validation(
    ledger: Ledger, repo: Repo, patch: TenantPatch, code: ErrorCode, field: str
) -> None:
    fails(lambda: ledger.tenants.update(ADMIN, patch), code, field)
    assert repo.get_tenant("acme") is None


def test_tenant_update_patches(ledger: Ledger, repo: Repo, supervisor: P, configured: Any) -> None:
    tenant = ledger.tenants.update(ADMIN, TenantPatch(time_zone="UTC"))
    assert (tenant.name, tenant.time_zone, tenant.version) == ("Acme", "UTC", 2)
    last = [a for a in repo.audits if a.entity_id == "acme"][-1]
    assert (last.before, last.after) == ({"time_zone": "America/Lima"}, {"time_zone": "UTC"})
    with pytest.raises(Forbidden):
        ledger.tenants.update(supervisor, TenantPatch(name="Hacked"))


def test_use_cases_need_tenant_settings(ledger: Ledger) -> None:
    fails(lambda: new_debtor(ledger), E.TENANT_NOT_CONFIGURED, None)


def test_portfolio_external_ids(ledger: Ledger, supervisor: P, agent: P, configured: Portfolio) -> None:
    corp = ledger.portfolios.create(supervisor, PortfolioInput("Corp", external_id="PF-2", currency="usd"))
    assert (corp.currency, corp.version) == ("USD", 1)
    dup = PortfolioInput("X", external_id="PF-1")
    fails(lambda: ledger.portfolios.create(supervisor, dup), E.DUPLICATE, "externalId")
    to_pf1 = PortfolioPatch(external_id="PF-1")
    fails(lambda: ledger.portfolios.update(supervisor, corp.id, to_pf1), E.DUPLICATE, "externalId")
    # WHEN the first portfolio moves to another external id THEN "PF-1" is free again
    ledger.portfolios.update(supervisor, configured.id, PortfolioPatch(name="Alpha", external_id="PF-9"))
    assert ledger.portfolios.update(supervisor, corp.id, to_pf1).external_id == "PF-1"
    assert [p.name for p in ledger.portfolios.list(supervisor)] == ["Alpha", "Corp"]
    with pytest.raises(Forbidden):
        ledger.portfolios.create(agent, PortfolioInput(name="Mine"))


# --- debtors and debts --------------------------------------------------------------------------------


def test_debtor_create_normalises(ledger: Ledger, repo: Repo, admin: P, configured: Portfolio) -> None:
    data = DebtorInput("José  Pérez", external_id="C-7", document_type="dni", document_number="1234 5678")
    phone, email = ContactInput(ContactKind.PHONE, "987 654 321"), ContactInput(ContactKind.EMAIL, "J@X.COM")
    data.contacts = [phone, email]
    debtor = ledger.debtors.create(admin, data)
    assert [c.value for c in debtor.contacts] == ["+51987654321", "J@x.com"]
    assert (debtor.document_type, debtor.document_number) == ("DNI", "12345678")
    assert (debtor.jurisdiction, debtor.time_zone, debtor.version) == ("PE", "America/Lima", 1)
    claim = repo.get_claim("acme", ClaimKind.DEBTOR_EXTERNAL_ID, "C-7")
    assert claim is not None and claim.target == debtor.id
    # AND it is found by accent-free name prefix, document number and external id
    by_name, by_doc = DebtorQuery(name_prefix="JOSE p"), DebtorQuery(document_number="12345678")
    for q in (by_name, by_doc, DebtorQuery(external_id="C-7")):
        assert [d.id for d in ledger.debtors.list(admin, q, PageRequest()).items] == [debtor.id]


def test_debtor_validation_and_duplicates(ledger: Ledger, admin: P, configured: Portfolio) -> None:
    ruc = DebtorInput(name="SAC", external_id="C-2", document_type="RUC", document_number="20100047219")
    fails(lambda: ledger.debtors.create(admin, ruc), E.INVALID_DOCUMENT, "documentNumber")
    new_debtor(ledger, "C-1")
    fails(lambda: new_debtor(ledger, "C-1", "Otra"), E.DUPLICATE, "externalId")


def test_a_released_debtor_external_id_can_be_reused(ledger: Ledger, admin: P, configured: Portfolio) -> None:
    first = new_debtor(ledger, "C-1")
    ledger.debtors.update(admin, first.id, DebtorPatch(external_id="C-9"))
    assert new_debtor(ledger, "C-1", "Nuevo").id != first.id


def test_debt_create_emits_event_and_audit(ledger: Ledger, repo: Repo, configured: Portfolio) -> None:
    debt = new_debt(ledger, new_debtor(ledger), configured, "F-1", "120.50", APR1)
    assert (debt.currency, debt.state, debt.balance, debt.version) == ("PEN", DebtState.OPEN, D("120.50"), 1)
    [event] = repo.events_of("acme", "DebtCreated")
    assert event.data["debtId"] == debt.id and event.data["balance"] == "120.50"
    [audit] = [a for a in repo.audits if a.entity_id == debt.id]
    assert audit.before is None and audit.after is not None and audit.after["original_amount"] == "120.50"


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"currency": "USD"}, E.CURRENCY_MISMATCH, "currency"),
        ({"issue_date": date(2026, 4, 2)}, E.INVALID_DATE, "dueDate"),
        ({"original_amount": "10.001"}, E.INVALID_AMOUNT, "originalAmount"),
        ({"original_amount": "0"}, E.INVALID_AMOUNT, "originalAmount"),
        ({"debtor_id": "missing"}, E.NOT_FOUND, "debtorId"),
        ({"external_id": "F-1"}, E.DUPLICATE, "externalId"),
    ],
)
def test_debt_validation(
    ledger: Ledger, configured: Any, changes: dict[str, Any], code: ErrorCode, field: str
) -> None:
    debtor = new_debtor(ledger)
    new_debt(ledger, debtor, configured, "F-1", "1.00", APR1)
    data = DebtInput(debtor.id, configured.id, "10.00", APR1, external_id="F-2", issue_date=ISSUED)
    fails(lambda: ledger.debts.create(ADMIN, replace(data, **changes)), code, field)


# --- payments ----------------------------------------------------------------------------------------


def test_payment_goes_to_the_oldest_debt_first(ledger: Ledger, repo: Repo, book: Book) -> None:
    debtor, old, new = book
    result = pay(ledger, debtor, "120.00", "k-1")
    assert not result.replayed
    assert [(a.debt_id, a.amount) for a in result.payment.allocations] == [
        (old.id, D("100.00")),
        (new.id, D("20.00")),
    ]
    assert (reload(repo, old).state, reload(repo, new).balance) == (DebtState.PAID, D("30.00"))
    assert [e.aggregate_id for e in repo.events_of("acme", "DebtPaid")] == [old.id]
    assert [e.data["amount"] for e in repo.events_of("acme", "PaymentRecorded")] == ["120.00"]


def test_overpayment_is_kept_as_debtor_credit(ledger: Ledger, repo: Repo, book: Book) -> None:
    assert pay(ledger, book[0], "200.00", "k-1").payment.unapplied == D("50.00")
    stored = repo.get_debtor("acme", book[0].id)
    assert stored is not None and stored.unapplied_credit == {"PEN": D("50.00")}


def test_payment_to_a_chosen_debt_then_the_oldest(ledger: Ledger, book: Book) -> None:
    debtor, old, new = book
    result = pay(ledger, debtor, "60.00", "k-1", debt_id=new.id)
    assert [(a.debt_id, a.amount) for a in result.payment.allocations] == [
        (new.id, D("50.00")),
        (old.id, D("10.00")),
    ]


def test_replay_returns_the_same_payment_and_writes_nothing(ledger: Ledger, repo: Repo, book: Book) -> None:
    debtor, old, _ = book
    first = pay(ledger, debtor, "120.00", "k-1")
    before = counts(repo)
    again = pay(ledger, debtor, "120.00", "k-1")
    assert again.replayed and again.payment.id == first.payment.id
    assert counts(repo) == before and reload(repo, old).balance == 0
    fails(lambda: pay(ledger, debtor, "10.00", "k-1"), E.IDEMPOTENCY_KEY_REUSED, "idempotencyKey")


def test_payment_currency_mismatch(ledger: Ledger, book: Book) -> None:
    debtor, old, _ = book
    fails(lambda: pay(ledger, debtor, "10.00", "k-1", "USD", debt_id=old.id), E.CURRENCY_MISMATCH, "currency")
    alloc = [AllocationInput(old.id, "10.00")]
    call = lambda: pay(ledger, debtor, "10.00", "k-2", "USD", allocations=alloc)  # noqa: E731
    fails(call, E.CURRENCY_MISMATCH, "allocations[0].debtId")


def test_reverse_restores_balances_state_and_credit(ledger: Ledger, repo: Repo, admin: P, book: Book) -> None:
    debtor, old, new = book
    payment = pay(ledger, debtor, "200.00", "k-1").payment
    assert ledger.payments.reverse(admin, debtor.id, payment.id, "cheque rebotado").reversed
    restored = [(reload(repo, d).balance, reload(repo, d).state) for d in (old, new)]
    assert restored == [(D("100.00"), DebtState.OPEN), (D("50.00"), DebtState.OPEN)]
    stored = repo.get_debtor("acme", debtor.id)
    assert stored is not None and stored.unapplied_credit == {}
    assert len(repo.events_of("acme", "PaymentReversed")) == 1
    fails(lambda: ledger.payments.reverse(admin, debtor.id, payment.id, "x"), E.ALREADY_REVERSED, "paymentId")


# --- adjustments, disputes, write-offs, events and audit -----------------------------------------------


def test_credit_and_fee_adjustments(ledger: Ledger, repo: Repo, admin: P, book: Book) -> None:
    debtor, old, _ = book

    def adjust(kind: AdjustmentKind, amount: str) -> Debt:
        return ledger.debts.adjust(admin, debtor.id, old.id, kind, amount, "r")[0]

    adjust(CREDIT, "30.00")
    debt = adjust(FEE, "5.00")
    assert (debt.credit_total, debt.fee_total, debt.balance) == (D("30.00"), D("5.00"), D("75.00"))
    fails(lambda: adjust(CREDIT, "75.01"), E.INVALID_AMOUNT, "amount")
    assert adjust(CREDIT, "75.00").state is DebtState.PAID
    assert len(repo.events_of("acme", "DebtPaid")) == 1
    assert len(repo.adjustments_of_debt("acme", debtor.id, old.id)) == 3


def test_dispute_open_and_resolve(ledger: Ledger, repo: Repo, admin: P, agent: P, book: Book) -> None:
    debtor, old, _ = book
    ledger.debts.dispute_open(admin, debtor.id, old.id, "no reconoce la factura")
    assert debt_status(reload(repo, old), TODAY) is DebtStatus.DISPUTED
    # WHEN a payment arrives during the dispute THEN it skips the disputed debt
    assert old.id not in [a.debt_id for a in pay(ledger, debtor, "10.00", "k-1").payment.allocations]
    with pytest.raises(Forbidden):
        ledger.debts.dispute_resolve(agent, debtor.id, old.id, "x")
    debt, dispute = ledger.debts.dispute_resolve(admin, debtor.id, old.id, "procede en parte", "40.00")
    assert (debt.state, debt.balance, dispute.state.value) == (DebtState.OPEN, D("60.00"), "RESOLVED")
    types = [e.type for e in repo.events_of("acme") if e.aggregate_id == old.id]
    assert types[-3:] == ["DisputeOpened", "DisputeResolved", "DebtUpdated"]
    credited = repo.events_of("acme", "DebtUpdated")[-1].data
    assert (credited["change"], credited["adjustment"]) == (
        "debtDisputeResolve",
        {"kind": "CREDIT", "amount": "40.00"},
    )
    fails(lambda: ledger.debts.dispute_resolve(admin, debtor.id, old.id, "x"), E.INVALID_STATE, "debtId")


def test_write_off(ledger: Ledger, repo: Repo, admin: P, supervisor: P, book: Book) -> None:
    debtor, old, _ = book
    with pytest.raises(Forbidden):
        ledger.debts.write_off(supervisor, debtor.id, old.id, "incobrable")
    assert ledger.debts.write_off(admin, debtor.id, old.id, "incobrable").state is DebtState.WRITTEN_OFF
    assert [e.aggregate_id for e in repo.events_of("acme", "DebtWrittenOff")] == [old.id]
    fails(lambda: ledger.debts.write_off(admin, debtor.id, old.id, "x"), E.INVALID_STATE, "debtId")


def test_events_and_audit_trail(ledger: Ledger, repo: Repo, clock: FixedClock, book: Book) -> None:
    debtor, old, new = book
    clock.advance(timedelta(minutes=1))
    payment = pay(ledger, debtor, "100.00", "k-1").payment
    clock.advance(timedelta(minutes=1))
    ledger.payments.reverse(ADMIN, debtor.id, payment.id, "rebotó")
    ledger.debts.dispute_open(ADMIN, debtor.id, new.id, "reclamo")
    ledger.debts.dispute_resolve(ADMIN, debtor.id, new.id, "ok")
    ledger.debts.write_off(ADMIN, debtor.id, new.id, "incobrable")
    assert {e.type for e in repo.events} == {
        *("DebtCreated", "PaymentRecorded", "DebtPaid", "PaymentReversed", "DebtUpdated"),
        *("DisputeOpened", "DisputeResolved", "DebtWrittenOff"),
    }
    balance_changes = [e.data["change"] for e in repo.events_of("acme", "DebtUpdated")]
    assert balance_changes == ["paymentRecord", "paymentReverse"]
    assert len({e.id for e in repo.events}) == len(repo.events)
    assert {(e.version, e.tenant) for e in repo.events} == {(1, "acme")}
    # AND the debt's audit trail is newest first, with before/after of what changed
    trail = ledger.audit.list(ADMIN, old.id, PageRequest()).items
    assert [a.action for a in trail] == ["paymentReverse", "paymentRecord", "debtCreate"]
    assert trail[0].before == {"balance": "0.00", "state": "PAID", "paymentId": None}
    assert trail[0].after == {"balance": "100.00", "state": "OPEN", "paymentId": payment.id}
    assert trail[-1].before is None and trail[-1].actor == "u-admin"


# --- agent scope and tenant isolation ----------------------------------------------------------------


def test_agent_scope(ledger: Ledger, agent: P, partner: P, configured: Portfolio) -> None:
    mine, theirs = new_debtor(ledger, "C-1", "Mía", "ag-1"), new_debtor(ledger, "C-2", "Ajena", "ag-2")
    my_debt = new_debt(ledger, mine, configured, "F-1", "10.00", APR1)
    their_debt = new_debt(ledger, theirs, configured, "F-2", "10.00", APR1)
    assert ledger.debtors.get(agent, theirs.id) is None and ledger.debtors.get(agent, mine.id) is not None
    assert ledger.debts.get(agent, theirs.id, their_debt.id) is None
    assert ledger.debts.get(agent, mine.id, my_debt.id) is not None
    assert [d.id for d in ledger.debts.list(agent, DebtFilter(), PageRequest()).items] == [my_debt.id]
    assert ledger.debts.list(agent, DebtFilter(agent_id="ag-2"), PageRequest()).items == []
    assert [d.id for d in ledger.debtors.list(agent, DebtorQuery(), PageRequest()).items] == [mine.id]
    data = PaymentInput(theirs.id, "5.00", "PEN", Method.CASH, "k-1")
    fails(lambda: ledger.payments.record(agent, data), E.NOT_FOUND, "debtorId")
    assert ledger.payments.record(agent, replace(data, debtor_id=mine.id)).payment.amount == 5
    with pytest.raises(Forbidden):
        ledger.debts.create(agent, DebtInput(mine.id, configured.id, "1.00", APR1))
    with pytest.raises(Forbidden):
        ledger.debtors.get(partner, mine.id)


def test_tenants_are_isolated(ledger: Ledger, other_admin: P, book: Book) -> None:
    debtor, old, _ = book
    new_debtor(ledger, "C-2", "Beto")
    assert ledger.debtors.get(other_admin, debtor.id) is None
    assert ledger.debts.get(other_admin, debtor.id, old.id) is None
    assert ledger.tenants.get(other_admin) is None
    cursor = ledger.debtors.list(ADMIN, DebtorQuery(), PageRequest(first=1)).end_cursor
    foreign = PageRequest(after=cursor)
    fails(lambda: ledger.debtors.list(other_admin, DebtorQuery(), foreign), E.NOT_FOUND, "after")


# --- debt listing by derived status ------------------------------------------------------------------

DUES = {"due-apr1": APR1, "due-today": TODAY, "dpd-1": date(2026, 3, 14), "dpd-30": date(2026, 2, 13)}
DUES |= {"dpd-31": date(2026, 2, 12), "dpd-121": date(2025, 11, 14), "paid": date(2026, 1, 1)}


@pytest.fixture
def spread(ledger: Ledger, configured: Portfolio) -> None:
    debtor = new_debtor(ledger)
    debts = {ext: new_debt(ledger, debtor, configured, ext, "10.00", due) for ext, due in DUES.items()}
    pay(ledger, debtor, "10.00", "k-paid", debt_id=debts["paid"].id)


def listed(ledger: Ledger, f: DebtFilter) -> set[str]:
    return {d.external_id for d in ledger.debts.list(ADMIN, f, PageRequest(first=100)).items}


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        (DebtFilter(status=DebtStatus.CURRENT), {"due-apr1", "due-today"}),
        (DebtFilter(status=DebtStatus.OVERDUE), {"dpd-1", "dpd-30", "dpd-31", "dpd-121"}),
        (DebtFilter(status=DebtStatus.PAID), {"paid"}),
        (DebtFilter(min_days_past_due=1, max_days_past_due=30), {"dpd-1", "dpd-30"}),
        (DebtFilter(min_days_past_due=31), {"dpd-31", "dpd-121"}),
        (DebtFilter(max_days_past_due=0), {"due-apr1", "due-today"}),
        (DebtFilter(aging_bucket=Bucket.CURRENT), {"due-apr1", "due-today"}),
        (DebtFilter(aging_bucket=Bucket.DPD_1_30), {"dpd-1", "dpd-30"}),
        (DebtFilter(aging_bucket=Bucket.DPD_31_60), {"dpd-31"}),
        (DebtFilter(aging_bucket=Bucket.DPD_120_PLUS), {"dpd-121"}),
        (DebtFilter(status=DebtStatus.OVERDUE, aging_bucket=Bucket.DPD_1_30), {"dpd-1", "dpd-30"}),
        (DebtFilter(status=DebtStatus.CURRENT, min_days_past_due=1), set()),
        (DebtFilter(currency="usd"), set()),
    ],
)
def test_debt_list_filters(ledger: Ledger, spread: None, f: DebtFilter, expected: set[str]) -> None:
    assert listed(ledger, f) == expected


def test_debt_list_order_pages_and_the_tenant_day(ledger: Ledger, clock: FixedClock, spread: None) -> None:
    pages, after = [], None
    while True:
        page = ledger.debts.list(ADMIN, DebtFilter(), PageRequest(first=2, after=after))
        pages.append([d.external_id for d in page.items])
        if not page.has_next_page:
            break
        after = page.end_cursor
    assert [len(p) for p in pages] == [2, 2, 2, 1]
    assert sum(pages, []) == ["dpd-121", "dpd-31", "dpd-30", "dpd-1", "due-today", "due-apr1", "paid"]
    paid_dpd = DebtFilter(status=DebtStatus.PAID, max_days_past_due=9)
    fails(lambda: listed(ledger, paid_dpd), E.INVALID, "filter")
    # GIVEN 23:00 in Lima (04:00 UTC the next day) THEN a debt due today is still current there
    clock.set(datetime(2026, 3, 16, 4, 0, tzinfo=UTC))
    assert "due-today" in listed(ledger, DebtFilter(status=DebtStatus.CURRENT))
    clock.set(datetime(2026, 3, 16, 5, 0, tzinfo=UTC))
    assert "due-today" in listed(ledger, DebtFilter(status=DebtStatus.OVERDUE))


# --- bulk import --------------------------------------------------------------------------------------


def row(i: int, **kw: Any) -> ImportRow:
    return replace(ImportRow(f"C-{i}", f"Cliente {i}", f"F-{i}", "100.00", APR1, issue_date=ISSUED), **kw)


def test_import_limits_rows(ledger: Ledger, configured: Portfolio) -> None:
    rows = [row(i) for i in range(MAX_ROWS + 1)]
    fails(lambda: ledger.imports.run(ADMIN, configured.id, rows), E.TOO_MANY_ROWS, "rows")


def test_import_row_errors_and_reruns(ledger: Ledger, repo: Repo, configured: Portfolio) -> None:
    rows = [
        row(0, phone="987654321"),
        row(1, original_amount="1.001"),
        row(2, document_type="RUC", document_number="20100047219"),
        row(3, debtor_external_id="C-0"),
        row(4, external_id="F-0"),
    ]
    first = ledger.imports.run(ADMIN, configured.id, rows)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    assert [(e.row, e.field, e.code) for e in first.errors] == [
        (1, "originalAmount", E.INVALID_AMOUNT),
        (2, "documentNumber", E.INVALID_DOCUMENT),
        (4, "externalId", E.DUPLICATE),
    ]
    assert len(ledger.debtors.list(ADMIN, DebtorQuery(), PageRequest()).items) == 1  # C-0 holds F-0 and F-3
    # WHEN the same valid rows run again THEN nothing is written
    before = counts(repo)
    again = ledger.imports.run(ADMIN, configured.id, [rows[0], rows[3]])
    assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, 2, [])
    assert counts(repo) == before
    # WHEN one amount changes THEN only that debt is updated
    changed = ledger.imports.run(ADMIN, configured.id, [replace(rows[0], original_amount="150.00"), rows[3]])
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    assert reload(repo, changed.debts[0]).balance == D("150.00")


def test_import_row_error_does_not_orphan_a_debt(ledger: Ledger, repo: Repo, configured: Any) -> None:
    # GIVEN two rows of one new debtor, the first with an invalid amount
    rows = [row(0, original_amount="x"), row(1, debtor_external_id="C-0")]
    result = ledger.imports.run(ADMIN, configured.id, rows)
    assert result.created == 1
    # THEN the debt written for row 1 has its debtor stored too
    assert repo.get_debtor("acme", result.debts[0].debtor_id) is not None


def test_import_rerun_a_day_later(ledger: Ledger, clock: FixedClock, configured: Portfolio) -> None:
    assert ledger.imports.run(ADMIN, configured.id, [row(0, issue_date=None)]).created == 1
    clock.advance(timedelta(days=1))
    again = ledger.imports.run(ADMIN, configured.id, [row(0, issue_date=None)])
    assert (again.updated, again.unchanged, again.errors) == (0, 1, [])


def test_import_requires_external_ids(ledger: Ledger, configured: Portfolio) -> None:
    rows = [row(0, external_id=""), row(1, debtor_external_id=" ")]
    result = ledger.imports.run(ADMIN, configured.id, rows)
    assert result.created == 0
    assert [(e.row, e.code) for e in result.errors] == [(0, E.REQUIRED), (1, E.REQUIRED)]


def test_import_cannot_change_an_amount_after_a_payment(ledger: Ledger, repo: Repo, configured: Any) -> None:
    # GIVEN an imported debt of 100.00 with 40.00 paid
    debt = ledger.imports.run(ADMIN, configured.id, [row(0)]).debts[0]
    debtor = repo.get_debtor("acme", debt.debtor_id)
    assert debtor is not None
    pay(ledger, debtor, "40.00", "k-1")
    # WHEN a file (an ERP's outstanding balance, say) brings 60.00 THEN the row is refused, the
    # balance stays 60.00 (not 20.00), and a due-date change alone still goes through
    refused = ledger.imports.run(ADMIN, configured.id, [row(0, original_amount="60.00")])
    assert [(e.code, e.field) for e in refused.errors] == [(E.INVALID_STATE, "originalAmount")]
    assert reload(repo, debt).balance == D("60.00")
    moved = ledger.imports.run(ADMIN, configured.id, [row(0, due_date=date(2026, 5, 1))])
    assert moved.updated == 1 and reload(repo, debt).due_date == date(2026, 5, 1)
    assert reload(repo, debt).next_action is not None


def test_import_failed_write_is_not_created(
    ledger: Ledger, repo: Repo, configured: Any, monkeypatch: Any
) -> None:
    # GIVEN every write of the batch fails (a concurrent import claimed the ids first)
    monkeypatch.setattr(repo, "commit_many", lambda t, txs: [UniquenessConflict("DEBT_EXT:F-0")] * len(txs))
    result = ledger.imports.run(ADMIN, configured.id, [row(0)])
    assert (result.created, result.debts) == (0, [])
    assert [(e.row, e.code) for e in result.errors] == [(0, E.CONFLICT)]


# --- concurrency and the repository twin ----------------------------------------------------------


class FlakyRepo:
    """Delegates to the fake; its first `conflicts` commits run `before` (a competing writer) or fail."""

    def __init__(self, inner: Repo, conflicts: int, before: Callable[[], object] | None = None) -> None:
        self.inner, self.conflicts, self.before, self.attempts = inner, conflicts, before, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def commit(self, tenant: str, tx: Transaction) -> None:
        self.attempts += 1
        if self.attempts <= self.conflicts:
            if self.before is None:
                raise ConcurrencyConflict("simulated")
            self.before()
        self.inner.commit(tenant, tx)


def flaky(ledger: Ledger, flaky_repo: FlakyRepo) -> Ledger:
    return Ledger.build(Deps(flaky_repo, ledger.deps.clock, ledger.deps.ids))


def test_payment_retries_after_a_concurrency_conflict(ledger: Ledger, repo: Repo, book: Book) -> None:
    wrapper = FlakyRepo(repo, conflicts=1)
    result = pay(flaky(ledger, wrapper), book[0], "30.00", "k-1")
    assert wrapper.attempts == 2 and not result.replayed
    assert len(repo.events_of("acme", "PaymentRecorded")) == 1 and reload(repo, book[1]).balance == 70


def test_adjust_rereads_after_a_competing_write(ledger: Ledger, repo: Repo, book: Book) -> None:
    debtor, old, _ = book
    fee = lambda: ledger.debts.adjust(ADMIN, debtor.id, old.id, FEE, "10.00", "mora")  # noqa: E731
    wrapper = FlakyRepo(repo, conflicts=1, before=fee)
    debt, _ = flaky(ledger, wrapper).debts.adjust(ADMIN, debtor.id, old.id, CREDIT, "20.00", "descuento")
    # THEN the first attempt lost against the fee, the retry saw it, and both changes are kept
    assert (debt.balance, debt.version, wrapper.attempts) == (D("90.00"), 3, 2)


def test_retries_give_up_with_conflict(ledger: Ledger, repo: Repo, book: Book) -> None:
    wrapper = FlakyRepo(repo, conflicts=1_000)
    write_off = flaky(ledger, wrapper).debts.write_off
    fails(lambda: write_off(ADMIN, book[0].id, book[1].id, "x"), E.CONFLICT, None)
    assert wrapper.attempts == MAX_ATTEMPTS and reload(repo, book[1]).state is DebtState.OPEN


def test_fake_commit_is_atomic_and_copies(ledger: Ledger, repo: Repo, book: Book) -> None:
    debtor, old, _ = book
    stale = reload(repo, old)
    stale.paid_total = D("1.00")  # mutating a read copy changes nothing stored
    assert reload(repo, old).paid_total == 0
    pay(ledger, debtor, "1.00", "k-1")
    tx = Transaction()
    tx.save(replace(debtor, id="fresh", version=0))
    tx.save(stale)  # read at version 1, but the payment moved it to 2
    with pytest.raises(ConcurrencyConflict):
        repo.commit("acme", tx)
    assert repo.get_debtor("acme", "fresh") is None and reload(repo, old).version == 2
