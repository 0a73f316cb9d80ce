"""DynamoLedgerRepository against moto: round trips, index listings, cursors, conflicts, batches."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.entities import (
    Adjustment,
    AdjustmentKind,
    Allocation,
    AuditEntry,
    Channel,
    ContactKind,
    ContactPoint,
    ContactStatus,
    Debt,
    DebtKind,
    Debtor,
    DebtState,
    Dispute,
    DomainEvent,
    PartyKind,
    Payment,
    PaymentMethod,
    Portfolio,
    RelatedPerson,
    RelationKind,
    Tenant,
)
from domain.errors import ConcurrencyConflict, DomainError, ErrorCode, UniquenessConflict
from domain.money import to_amount
from domain.ports import (
    Claim,
    ClaimKind,
    DebtorQuery,
    DebtQuery,
    Page,
    PageRequest,
    PaymentQuery,
    Transaction,
)
from infra.dynamodb import queries
from infra.dynamodb.models import EventItem
from infra.dynamodb.repository import DynamoLedgerRepository

T = "acme"
OTHER = "globex"
NOW = datetime(2026, 3, 15, 15, 0, tzinfo=UTC)


def debtor(id_: str, name: str = "José Pérez", tenant: str = T, **kw: Any) -> Debtor:
    fields: dict[str, Any] = {
        "tenant": tenant,
        "id": id_,
        "external_id": f"ext-{id_}",
        "kind": PartyKind.PERSON,
        "name": name,
        "document_type": "CC",
        "document_number": None,
        "time_zone": "America/Bogota",
        "jurisdiction": "CO",
        "created_at": NOW,
        "updated_at": NOW,
    }
    fields.update(kw)
    return Debtor(**fields)


def debt(id_: str, due: date, *, debtor_id: str = "dr1", tenant: str = T, **kw: Any) -> Debt:
    fields: dict[str, Any] = {
        "tenant": tenant,
        "id": id_,
        "debtor_id": debtor_id,
        "portfolio_id": "pf1",
        "external_id": f"ext-{id_}",
        "kind": DebtKind.INVOICE,
        "currency": "USD",
        "original_amount": Decimal("100.00"),
        "issue_date": date(2026, 1, 1),
        "due_date": due,
        "created_at": NOW,
    }
    fields.update(kw)
    return Debt(**fields)


def save(repo: DynamoLedgerRepository, *entities: Any, tenant: str = T) -> None:
    tx = Transaction()
    for entity in entities:
        tx.save(entity)
    repo.commit(tenant, tx)


def collect(fetch: Any, first: int) -> tuple[list[list[str]], list[Page[Any]]]:
    """Walk every page of a listing; return the ids per page and the pages."""
    pages: list[Page[Any]] = []
    after = None
    while True:
        page = fetch(PageRequest(first=first, after=after))
        pages.append(page)
        if not page.has_next_page:
            break
        after = page.end_cursor
        assert len(pages) < 50
    return [[item.id for item in p.items] for p in pages], pages


# --- round trips ----------------------------------------------------------------------------------


def test_tenant_and_portfolio_round_trip(repo: DynamoLedgerRepository) -> None:
    tenant = Tenant(T, "Acme", "CO", "COP", "America/Bogota", "es-CO", "cobros@acme.co", None, NOW, NOW)
    portfolios = [Portfolio(T, f"pf{i}", f"Cartera {i}", external_id=f"P{i}", currency="COP") for i in (1, 2)]
    save(repo, tenant, *portfolios)

    assert repo.get_tenant(T) == replace(tenant, version=1)
    assert tenant.version == 1
    assert repo.get_portfolio(T, "pf1") == portfolios[0]
    assert repo.list_portfolios(T) == portfolios
    assert repo.get_portfolios(T, ["pf2", "pf1", "nope", "pf2"]) == {
        "pf1": portfolios[0],
        "pf2": portfolios[1],
    }
    assert repo.get_tenant(OTHER) is None
    assert repo.list_portfolios(OTHER) == []


def test_debtor_round_trip_keeps_nested_values_and_decimals(repo: DynamoLedgerRepository) -> None:
    contact = ContactPoint(ContactKind.EMAIL, "jose@example.com", True, ContactStatus.VALID, "home", True)
    person = debtor(
        "dr1",
        document_number="1020304050",
        preferred_channel=Channel.WHATSAPP,
        contacts=[contact, ContactPoint(ContactKind.PHONE, "+573001234567")],
        related=[RelatedPerson(RelationKind.GUARANTOR, "Ana Gómez", "CC", "99", [contact])],
        tags=["vip", "legal"],
        assigned_agent_id="ag1",
        unapplied_credit={"CLP": Decimal("15000"), "USD": Decimal("12.50"), "COP": Decimal("9.00")},
    )
    save(repo, person)

    loaded = repo.get_debtor(T, "dr1")
    assert loaded == person
    assert loaded is not None
    assert str(loaded.unapplied_credit["USD"]) == "12.50"
    assert [str(v) for v in loaded.unapplied_credit.values()] == ["15000", "12.50", "9.00"]
    assert repo.get_debtor(OTHER, "dr1") is None
    assert repo.get_debtors(T, ["dr1", "dr1", "zz"]) == {"dr1": person}


def test_debt_round_trip_keeps_exact_decimals(repo: DynamoLedgerRepository, dynamodb: Any) -> None:
    usd = debt(
        "d1",
        date(2026, 4, 1),
        original_amount=Decimal("1234.50"),
        paid_total=Decimal("0.10"),
        fee_total=Decimal("0.20"),
        custom_fields={"branch": "norte", "score": 7, "flags": ["a"]},
        tags=["x"],
        number="F-1",
        assigned_agent_id="ag1",
    )
    cop = debt("d2", date(2026, 4, 2), currency="COP", original_amount=to_amount("1500000", "COP"))
    big = debt("d3", date(2026, 4, 3), original_amount=Decimal("12345678901234567890.12"))
    clp = debt("d4", date(2026, 4, 4), currency="CLP", original_amount=Decimal("1500000"))  # 0 decimals
    save(repo, usd, cop, big, clp)

    keys = [("dr1", "d1"), ("dr1", "d2"), ("dr1", "d3"), ("dr1", "d4"), ("dr9", "d1")]
    got = repo.get_debts(T, keys)
    assert got == {("dr1", "d1"): usd, ("dr1", "d2"): cop, ("dr1", "d3"): big, ("dr1", "d4"): clp}
    assert str(got[("dr1", "d1")].original_amount) == "1234.50"
    assert str(got[("dr1", "d1")].paid_total) == "0.10"
    assert str(got[("dr1", "d2")].original_amount) == "1500000.00"
    assert str(got[("dr1", "d3")].original_amount) == "12345678901234567890.12"
    assert str(got[("dr1", "d4")].original_amount) == "1500000"
    assert str(got[("dr1", "d4")].balance) == "1500000"
    assert isinstance(got[("dr1", "d1")].balance, Decimal)
    raw = dynamodb.get_item(
        TableName="recaudo-test", Key={"PK": {"S": "T#acme#DR#dr1"}, "SK": {"S": "DEBT#d1"}}
    )
    assert raw["Item"]["originalAmount"] == {"N": "1234.50"}
    assert raw["Item"]["GSI1SK"] == {"S": "OPEN#2026-04-01#d1"}
    assert raw["Item"]["GSI3SK"] == {"S": "DT#OPEN#2026-04-01#d1"}
    assert [d.id for d in repo.debts_of_debtor(T, "dr1")] == ["d1", "d2", "d3", "d4"]


def test_money_scale_is_restored_when_dynamodb_trims_zeros(
    repo: DynamoLedgerRepository, dynamodb: Any
) -> None:
    save(repo, debt("d1", date(2026, 4, 1), original_amount=Decimal("1234.50")))
    key = {"PK": {"S": "T#acme#DR#dr1"}, "SK": {"S": "DEBT#d1"}}
    # real DynamoDB returns numbers normalised ("1234.5"); the currency's scale comes back on read
    dynamodb.update_item(
        TableName="recaudo-test",
        Key=key,
        UpdateExpression="SET originalAmount = :a, paidTotal = :z",
        ExpressionAttributeValues={":a": {"N": "1234.5"}, ":z": {"N": "0"}},
    )
    loaded = repo.get_debt(T, "dr1", "d1")
    assert loaded is not None
    assert str(loaded.original_amount) == "1234.50" and str(loaded.paid_total) == "0.00"


def test_payment_adjustment_dispute_and_claim_round_trip(repo: DynamoLedgerRepository) -> None:
    pay = Payment(
        T,
        "p1",
        "dr1",
        Decimal("150.00"),
        "USD",
        NOW,
        PaymentMethod.TRANSFER,
        [Allocation("d1", Decimal("100.00")), Allocation("d2", Decimal("49.99"))],
        Decimal("0.01"),
        "key-1",
        reference="ref",
        recorded_by="u1",
    )
    adj = Adjustment(T, "a1", "dr1", "d1", AdjustmentKind.FEE, Decimal("5.00"), "USD", "late fee", "u1", NOW)
    dsp = Dispute(T, "s1", "dr1", "d1", "not mine", "u1", NOW)
    tx = Transaction()
    tx.save(pay)
    tx.save(adj)
    tx.save(dsp)
    tx.claims.append(Claim(ClaimKind.PAYMENT_IDEMPOTENCY_KEY, "key-1", "dr1/p1", "abc"))
    repo.commit(T, tx)

    loaded = repo.get_payment(T, "dr1", "p1")
    assert loaded == pay and pay.version == 1
    assert loaded is not None and [str(a.amount) for a in loaded.allocations] == ["100.00", "49.99"]
    assert repo.adjustments_of_debt(T, "dr1", "d1") == [adj]
    assert repo.adjustments_of_debt(T, "dr1", "d2") == []
    assert repo.disputes_of_debt(T, "dr1", "d1") == [replace(dsp, version=1)]
    claim = Claim(ClaimKind.PAYMENT_IDEMPOTENCY_KEY, "key-1", "dr1/p1", "abc")
    assert repo.get_claim(T, ClaimKind.PAYMENT_IDEMPOTENCY_KEY, "key-1") == claim
    assert repo.get_claims(T, ClaimKind.PAYMENT_IDEMPOTENCY_KEY, ["key-1", "key-2"]) == {"key-1": claim}
    assert repo.get_claim(OTHER, ClaimKind.PAYMENT_IDEMPOTENCY_KEY, "key-1") is None


def test_audit_and_outbox_event_items(repo: DynamoLedgerRepository) -> None:
    entries = [
        AuditEntry(
            T,
            f"au{i}",
            "Debt",
            "d1",
            "UPDATE",
            "u1",
            "ADMIN",
            NOW + timedelta(minutes=i),
            {"balance": "100.00"},
            {"balance": str(Decimal("90.00") - i)},
        )
        for i in range(3)
    ]
    event = DomainEvent(T, "ev1", "debt.created", 2, NOW, "d1", {"amount": Decimal("10.50"), "at": NOW})
    repo.commit(T, Transaction(audits=entries, events=[event]))

    ids, _ = collect(lambda p: repo.list_audit(T, "d1", p), first=2)
    assert ids == [["au2", "au1"], ["au0"]]
    assert repo.list_audit(T, "d1", PageRequest()).items[0] == entries[2]
    stored = EventItem.get("T#acme#OUTBOX#ev1", "EVENT")
    raw = stored.to_simple_dict()
    assert raw["kind"] == "EVENT" and raw["published"] is False and raw["version"] == 2
    assert raw["id"] == "ev1" and raw["type"] == "debt.created" and raw["tenant"] == T
    assert raw["aggregateId"] == "d1" and raw["occurredAt"] == "2026-03-15T15:00:00.000000Z"
    assert stored.data == '{"amount":"10.50","at":"2026-03-15T15:00:00.000000Z"}'


# --- debt listings --------------------------------------------------------------------------------


@pytest.fixture
def five_debts(repo: DynamoLedgerRepository) -> list[Debt]:
    """Five debts of two debtors: d5 is PAID; d1..d3 belong to agent ag1; d4 is in COP and pf2."""
    debts = [
        debt("d1", date(2026, 1, 5), assigned_agent_id="ag1"),
        debt("d2", date(2026, 1, 3), assigned_agent_id="ag1"),
        debt("d3", date(2026, 1, 4), debtor_id="dr2", assigned_agent_id="ag1"),
        debt(
            "d4",
            date(2026, 1, 1),
            debtor_id="dr2",
            currency="COP",
            portfolio_id="pf2",
            original_amount=Decimal("5000"),
        ),
        debt("d5", date(2026, 1, 2), paid_total=Decimal("100.00")),
    ]
    save(repo, *debts)
    save(repo, debt("x1", date(2026, 1, 1), tenant=OTHER), tenant=OTHER)
    return debts


def ids_of(repo: DynamoLedgerRepository, query: DebtQuery, first: int = 50) -> list[str]:
    return [d.id for d in repo.list_debts(T, query, PageRequest(first=first)).items]


def test_list_debts_through_each_index(repo: DynamoLedgerRepository, five_debts: list[Debt]) -> None:
    assert ids_of(repo, DebtQuery()) == ["d4", "d2", "d3", "d1", "d5"]  # GSI2: state, due
    assert ids_of(repo, DebtQuery(portfolio_id="pf1")) == ["d2", "d3", "d1", "d5"]  # GSI1
    assert ids_of(repo, DebtQuery(agent_id="ag1")) == ["d2", "d3", "d1"]  # GSI3 (debts only)
    assert ids_of(repo, DebtQuery(currency="COP")) == ["d4"]  # GSI4
    assert ids_of(repo, DebtQuery(debtor_id="dr1")) == ["d1", "d2", "d5"]  # table partition
    assert ids_of(repo, DebtQuery(portfolio_id="nope")) == []


def test_list_debts_state_and_due_range(repo: DynamoLedgerRepository, five_debts: list[Debt]) -> None:
    jan = date(2026, 1, 1)
    assert ids_of(repo, DebtQuery(state=DebtState.PAID)) == ["d5"]
    assert ids_of(
        repo, DebtQuery(state=DebtState.OPEN, due_from=jan.replace(day=2), due_to=jan.replace(day=4))
    ) == [
        "d2",
        "d3",
    ]
    assert ids_of(repo, DebtQuery(state=DebtState.OPEN, due_from=jan.replace(day=4))) == ["d3", "d1"]
    assert ids_of(repo, DebtQuery(state=DebtState.OPEN, due_to=jan.replace(day=3))) == ["d4", "d2"]
    assert ids_of(repo, DebtQuery(agent_id="ag1", state=DebtState.OPEN, due_to=jan.replace(day=4))) == [
        "d2",
        "d3",
    ]
    assert ids_of(repo, DebtQuery(currency="USD", state=DebtState.OPEN, due_from=jan.replace(day=5))) == [
        "d1"
    ]
    # without a state the due range is a filter; other fields are filters on the chosen index
    assert ids_of(repo, DebtQuery(due_from=jan.replace(day=2), due_to=jan.replace(day=3))) == ["d2", "d5"]
    assert ids_of(repo, DebtQuery(portfolio_id="pf1", currency="COP")) == []
    assert ids_of(repo, DebtQuery(portfolio_id="pf1", agent_id="ag1", due_to=jan.replace(day=4))) == [
        "d2",
        "d3",
    ]
    assert ids_of(repo, DebtQuery(debtor_id="dr1", state=DebtState.OPEN, due_from=jan.replace(day=4))) == [
        "d1"
    ]
    assert ids_of(repo, DebtQuery(debtor_id="dr2", portfolio_id="pf2")) == ["d4"]
    assert ids_of(repo, DebtQuery(due_from=jan.replace(day=9), due_to=jan)) == []  # inverted range


@pytest.mark.parametrize(
    "query",
    [
        DebtQuery(),
        DebtQuery(portfolio_id="pf1"),
        DebtQuery(debtor_id="dr1"),
        DebtQuery(currency="USD"),
        DebtQuery(agent_id="ag1"),
        DebtQuery(due_to=date(2026, 1, 4)),
    ],
    ids=["GSI2", "GSI1", "table", "GSI4", "GSI3", "filtered"],
)
def test_list_debts_pagination_walks_every_item_once(
    repo: DynamoLedgerRepository, five_debts: list[Debt], query: DebtQuery
) -> None:
    expected = ids_of(repo, query)
    pages, _ = collect(lambda p: repo.list_debts(T, query, p), first=2)
    assert [i for page in pages for i in page] == expected
    assert all(len(page) == 2 for page in pages[:-1])


def test_pages_of_two_over_five_debts(repo: DynamoLedgerRepository, five_debts: list[Debt]) -> None:
    pages, raw = collect(lambda p: repo.list_debts(T, DebtQuery(), p), first=2)
    assert pages == [["d4", "d2"], ["d3", "d1"], ["d5"]]
    assert [p.has_next_page for p in raw] == [True, True, False]
    first = raw[0]
    assert len(first.cursors) == 2 and first.end_cursor == first.cursors[-1]
    resumed = repo.list_debts(T, DebtQuery(), PageRequest(first=10, after=first.cursors[0]))
    assert [d.id for d in resumed.items] == ["d2", "d3", "d1", "d5"]
    assert resumed.has_next_page is False


def test_cursor_from_another_tenant_or_list_is_not_found(
    repo: DynamoLedgerRepository, five_debts: list[Debt]
) -> None:
    foreign = repo.list_debts(OTHER, DebtQuery(), PageRequest(first=1))
    assert foreign.items and foreign.end_cursor
    with pytest.raises(DomainError) as err:
        repo.list_debts(T, DebtQuery(), PageRequest(first=2, after=foreign.end_cursor))
    assert err.value.code is ErrorCode.NOT_FOUND and err.value.errors[0].field == "after"

    cursor = repo.list_debts(T, DebtQuery(portfolio_id="pf1"), PageRequest(first=1)).end_cursor
    assert cursor
    for other_list in (
        DebtQuery(portfolio_id="pf2"),
        DebtQuery(),
        DebtQuery(portfolio_id="pf1", state=DebtState.PAID),
    ):
        with pytest.raises(DomainError) as err:
            repo.list_debts(T, other_list, PageRequest(first=2, after=cursor))
        assert err.value.code is ErrorCode.NOT_FOUND

    with pytest.raises(DomainError) as err:
        repo.list_debts(T, DebtQuery(), PageRequest(first=2, after="not a cursor!"))
    assert err.value.code is ErrorCode.INVALID_CURSOR


# --- debtors and payments -------------------------------------------------------------------------


def test_list_debtors_by_each_access_pattern(repo: DynamoLedgerRepository) -> None:
    people = [
        debtor("dr1", "José  Pérez", document_number="111", assigned_agent_id="ag1"),
        debtor("dr2", "Josefina Ruiz", document_number="222"),
        debtor("dr3", "Ana Gómez", document_number="111", assigned_agent_id="ag1"),
        debtor("dr4", "ÁLVARO Núñez"),
    ]
    tx = Transaction(claims=[Claim(ClaimKind.DEBTOR_EXTERNAL_ID, p.external_id, p.id) for p in people])
    for p in people:
        tx.save(p)
    repo.commit(T, tx)
    save(repo, debtor("dz", "José Otro", tenant=OTHER), tenant=OTHER)

    def names(query: DebtorQuery, first: int = 10) -> list[str]:
        return [d.id for d in repo.list_debtors(T, query, PageRequest(first=first)).items]

    assert names(DebtorQuery()) == ["dr4", "dr3", "dr1", "dr2"]  # by normalised name
    assert names(DebtorQuery(name_prefix="jose")) == ["dr1", "dr2"]
    assert names(DebtorQuery(name_prefix="JOSÉ  P")) == ["dr1"]
    assert names(DebtorQuery(name_prefix="alv")) == ["dr4"]
    assert names(DebtorQuery(document_number="111")) == ["dr1", "dr3"]
    assert names(DebtorQuery(document_number="111", name_prefix="ana")) == ["dr3"]
    assert names(DebtorQuery(agent_id="ag1")) == ["dr3", "dr1"]
    assert names(DebtorQuery(agent_id="ag1", name_prefix="jo")) == ["dr1"]
    assert names(DebtorQuery(external_id="ext-dr2")) == ["dr2"]
    by_ext = repo.list_debtors(T, DebtorQuery(external_id="ext-dr2"), PageRequest(first=5))
    assert len(by_ext.cursors) == 1 and by_ext.end_cursor == by_ext.cursors[0] and not by_ext.has_next_page
    after = repo.list_debtors(
        T, DebtorQuery(external_id="ext-dr2"), PageRequest(first=5, after=by_ext.end_cursor)
    )
    assert after.items == [] and not after.has_next_page
    with pytest.raises(DomainError):
        repo.list_debtors(T, DebtorQuery(external_id="ext-dr1"), PageRequest(after=by_ext.end_cursor))
    assert names(DebtorQuery(external_id="ext-dr2", agent_id="ag1")) == []
    assert names(DebtorQuery(external_id="missing")) == []
    pages, _ = collect(lambda p: repo.list_debtors(T, DebtorQuery(), p), first=3)
    assert pages == [["dr4", "dr3", "dr1"], ["dr2"]]

    # unassigning the agent and removing the document drop the debtor from GSI3 and GSI2
    dr1 = people[0]
    dr1.assigned_agent_id = None
    dr1.document_number = None
    save(repo, dr1)
    assert names(DebtorQuery(agent_id="ag1")) == ["dr3"]
    assert names(DebtorQuery(document_number="111")) == ["dr3"]


def test_list_payments_by_debtor_and_by_date(repo: DynamoLedgerRepository) -> None:
    def pay(id_: str, debtor_id: str, hours: int, debts: list[str]) -> Payment:
        allocations = [Allocation(d, Decimal("10.00")) for d in debts]
        return Payment(
            T,
            id_,
            debtor_id,
            Decimal("20.00"),
            "USD",
            NOW + timedelta(hours=hours),
            PaymentMethod.CASH,
            allocations,
            Decimal("0.00"),
            f"k-{id_}",
        )

    save(
        repo,
        pay("p1", "dr1", 0, ["d1"]),
        pay("p2", "dr1", 1, ["d1", "d2"]),
        pay("p3", "dr2", 2, []),
        pay("p4", "dr1", 3, ["d2"]),
    )

    def ids(query: PaymentQuery, first: int = 10) -> list[str]:
        return [p.id for p in repo.list_payments(T, query, PageRequest(first=first)).items]

    assert ids(PaymentQuery()) == ["p4", "p3", "p2", "p1"]  # newest first
    assert ids(PaymentQuery(debtor_id="dr1")) == ["p4", "p2", "p1"]
    assert ids(PaymentQuery(debtor_id="dr1", debt_id="d1")) == ["p2", "p1"]
    assert ids(PaymentQuery(debt_id="d2")) == ["p4", "p2"]
    hour = timedelta(hours=1)
    assert ids(PaymentQuery(paid_from=NOW + hour, paid_to=NOW + 2 * hour)) == ["p3", "p2"]
    assert ids(PaymentQuery(paid_to=NOW + hour)) == ["p2", "p1"]
    assert ids(PaymentQuery(debtor_id="dr1", paid_from=NOW + hour)) == ["p4", "p2"]
    assert ids(PaymentQuery(paid_from=NOW + hour, paid_to=NOW)) == []
    pages, _ = collect(lambda p: repo.list_payments(T, PaymentQuery(debtor_id="dr1"), p), first=2)
    assert pages == [["p4", "p2"], ["p1"]]


# --- commits --------------------------------------------------------------------------------------


def test_versions_move_and_stale_saves_conflict_writing_nothing(repo: DynamoLedgerRepository) -> None:
    d = debt("d1", date(2026, 2, 1))
    save(repo, d)
    assert d.version == 1
    stale = repo.get_debt(T, "dr1", "d1")
    assert stale is not None

    d.paid_total = Decimal("100.00")
    save(repo, d)
    assert d.version == 2 and repo.get_debt(T, "dr1", "d1") == d
    assert [x.id for x in repo.list_debts(T, DebtQuery(state=DebtState.PAID), PageRequest()).items] == ["d1"]

    stale.description = "lost update"
    tx = Transaction(claims=[Claim(ClaimKind.DEBT_EXTERNAL_ID, "E-1", "dr1/d1")])
    tx.save(stale)
    tx.save(debt("d2", date(2026, 2, 2)))
    with pytest.raises(ConcurrencyConflict):
        repo.commit(T, tx)
    assert stale.version == 1
    assert repo.get_debt(T, "dr1", "d1") == d
    assert repo.get_debt(T, "dr1", "d2") is None
    assert repo.get_claim(T, ClaimKind.DEBT_EXTERNAL_ID, "E-1") is None

    with pytest.raises(ConcurrencyConflict):  # creating what already exists
        save(repo, debt("d1", date(2026, 2, 1)))


def test_duplicate_claim_is_a_uniqueness_conflict_and_release_frees_it(repo: DynamoLedgerRepository) -> None:
    claim = Claim(ClaimKind.DEBTOR_EXTERNAL_ID, "C-1", "dr1")
    repo.commit(T, Transaction(claims=[claim]))
    second = debtor("dr2")
    tx = Transaction(claims=[Claim(ClaimKind.DEBTOR_EXTERNAL_ID, "C-1", "dr2")])
    tx.save(second)
    with pytest.raises(UniquenessConflict) as err:
        repo.commit(T, tx)
    assert err.value.claim == "DEBTOR_EXT:C-1"
    assert repo.get_debtor(T, "dr2") is None and second.version == 0

    repo.commit(OTHER, Transaction(claims=[claim]))  # another tenant may hold the same value
    repo.commit(T, Transaction(releases=[claim]))
    assert repo.get_claim(T, ClaimKind.DEBTOR_EXTERNAL_ID, "C-1") is None
    repo.commit(T, tx)
    assert repo.get_claim(T, ClaimKind.DEBTOR_EXTERNAL_ID, "C-1") == Claim(
        ClaimKind.DEBTOR_EXTERNAL_ID, "C-1", "dr2"
    )


def test_commit_refuses_oversized_or_foreign_transactions(repo: DynamoLedgerRepository) -> None:
    tx = Transaction(claims=[Claim(ClaimKind.DEBT_EXTERNAL_ID, str(i)) for i in range(101)])
    with pytest.raises(ValueError):
        repo.commit(T, tx)
    with pytest.raises(ValueError):
        save(repo, debtor("dr1", tenant=OTHER))
    with pytest.raises(ValueError):
        repo.get_debtor("Bad#Tenant", "dr1")


def test_commit_many_batches_batchable_and_commits_the_rest(repo: DynamoLedgerRepository) -> None:
    existing = debt("d0", date(2026, 1, 1))
    save(repo, existing)
    batch: list[Transaction] = []
    for i in range(30):  # 30 debts + 30 claims + 30 audits: several BatchWriteItem requests
        d = debt(f"b{i:02}", date(2026, 3, 1))
        audit = AuditEntry(T, f"au{i}", "Debt", d.id, "CREATE", "u1", "ADMIN", NOW, None, {"id": d.id})
        tx = Transaction(
            claims=[Claim(ClaimKind.DEBT_EXTERNAL_ID, d.external_id, f"dr1/{d.id}")],
            audits=[audit],
            batchable=True,
        )
        tx.save(d)
        batch.append(tx)
    conflicting = Transaction()
    conflicting.saves.append((debt("d0", date(2026, 1, 1)), 0))
    fine = Transaction()
    fine.save(debt("n1", date(2026, 3, 2)))

    results = repo.commit_many(T, [*batch[:10], conflicting, fine, *batch[10:]])

    assert results[:10] == [None] * 10 and results[12:] == [None] * 20
    assert isinstance(results[10], ConcurrencyConflict) and results[11] is None
    assert all(tx.saves[0][0].version == 1 for tx in batch)
    stored = repo.debts_of_debtor(T, "dr1")
    assert len(stored) == 32 and all(d.version == 1 for d in stored)
    assert len(repo.get_claims(T, ClaimKind.DEBT_EXTERNAL_ID, [f"ext-b{i:02}" for i in range(30)])) == 30
    assert repo.list_audit(T, "b07", PageRequest()).items[0].id == "au7"
    # re-running a batch converges instead of failing
    assert repo.commit_many(T, batch[:3]) == [None, None, None]


def test_filtered_pages_are_refilled_across_requests(
    repo: DynamoLedgerRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queries, "_FILTERED_PAGE_SIZE", 1)  # force one evaluated item per request
    debts = [
        debt(f"d{i:02}", date(2026, 1, 1) + timedelta(days=i), currency="CLP" if i % 4 == 0 else "USD")
        for i in range(12)
    ]
    save(repo, *debts)
    query = DebtQuery(portfolio_id="pf1", currency="CLP")  # GSI1 + a filter that drops 3 of 4 items
    pages, raw = collect(lambda p: repo.list_debts(T, query, p), first=2)
    assert pages == [["d00", "d04"], ["d08"]]
    assert [p.has_next_page for p in raw] == [True, False]
