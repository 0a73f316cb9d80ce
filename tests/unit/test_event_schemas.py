"""The partner event contract: schema/events/*.json are valid, complete, and match what the use cases emit."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from domain.clock import FixedClock
from domain.entities import AdjustmentKind, Debt, Debtor, DebtState, DomainEvent, PaymentMethod, Portfolio
from domain.errors import ConcurrencyConflict, DomainError, ErrorCode
from domain.event_catalogue import EVENT_TYPES, envelope
from domain.ids import TimeOrderedIds
from domain.ports import ClaimKind, Transaction
from domain.principal import Principal
from domain.services import Ledger
from domain.services.base import Deps
from domain.services.debtors import DebtorInput
from domain.services.debts import DebtInput, DebtPatch
from domain.services.imports import ImportRow
from domain.services.payments import AllocationInput, PaymentInput
from tests.fakes import InMemoryLedgerRepository

EVENTS_DIR = Path(__file__).resolve().parents[2] / "schema" / "events"
SCHEMA_FILES = sorted(EVENTS_DIR.glob("*.json"))
FILE_NAME = re.compile(r"^(?P<type>[A-Z][A-Za-z]+)\.v(?P<version>[1-9][0-9]*)\.json$")
FORMATS = Draft202012Validator.FORMAT_CHECKER
CREDIT, FEE = AdjustmentKind.CREDIT, AdjustmentKind.FEE
ISSUED, FEB1, APR1, MAY1 = date(2025, 1, 1), date(2026, 2, 1), date(2026, 4, 1), date(2026, 5, 1)
LIMA = timezone(timedelta(hours=-5))


@cache
def _load(path: Path) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def validator(event_type: str, version: int = 1) -> Draft202012Validator:
    return Draft202012Validator(_load(EVENTS_DIR / f"{event_type}.v{version}.json"), format_checker=FORMATS)


def errors_of(event_type: str, instance: Any, version: int = 1) -> list[str]:
    return [e.message for e in validator(event_type, version).iter_errors(instance)]


def _named(path: Path) -> tuple[str, int]:
    match = FILE_NAME.match(path.name)
    assert match, f"{path.name} is not named <EventType>.v<N>.json"
    return match["type"], int(match["version"])


def example(path: Path) -> dict[str, Any]:
    return copy.deepcopy(_load(path)["examples"][0])


# --- (a) every schema file is a valid draft 2020-12 schema whose example validates -----------------


def test_the_schema_files_are_found_and_formats_are_really_checked() -> None:
    assert len(SCHEMA_FILES) >= len(EVENT_TYPES)
    # Without these checkers `format` would be silently ignored and dates would go unchecked.
    assert {"date", "date-time"} <= set(FORMATS.checkers)


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_schema_is_valid_and_its_example_validates(path: Path) -> None:
    name, version = _named(path)
    schema = _load(path)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"https://recaudo.dev/schema/events/{path.name}"
    assert schema["title"] == name
    assert schema["description"].strip()
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"id", "type", "version", "tenant", "occurredAt", "data"}
    assert schema["properties"]["type"]["const"] == name
    assert schema["properties"]["version"]["const"] == version
    assert len(schema["examples"]) == 1
    assert errors_of(name, schema["examples"][0], version) == []


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_schema_rejects_what_the_contract_does_not_allow(path: Path) -> None:
    name, version = _named(path)

    def rejected(change: Callable[[dict[str, Any]], object]) -> bool:
        instance = example(path)
        change(instance)
        return errors_of(name, instance, version) != []

    assert rejected(lambda e: e.update(extra=1)), "unknown envelope field"
    assert rejected(lambda e: e["data"].update(extra=1)), "unknown data field (a change needs a new version)"
    assert rejected(lambda e: e.pop("tenant")), "missing envelope field"
    assert rejected(lambda e: e.update(type="Other")), "wrong type"
    assert rejected(lambda e: e.update(version=version + 1)), "wrong version"
    assert rejected(lambda e: e.update(occurredAt="2026-03-15T15:00:00+00:00")), "non-canonical time"
    assert rejected(lambda e: e.update(occurredAt="2026-02-30T15:00:00.000000Z")), "impossible time"
    assert rejected(lambda e: e["data"].update(currency="pen")), "lower-case currency"
    for key in ("balance", "amount"):
        if key in example(path)["data"]:
            assert rejected(lambda e, k=key: e["data"].update({k: 12.5})), f"{key} as a JSON number"
            assert rejected(lambda e, k=key: e["data"].update({k: "1e3"})), f"{key} in exponent notation"
    if "dueDate" in example(path)["data"]:
        assert rejected(lambda e: e["data"].update(dueDate="2026-02-30")), "impossible date"


def test_debt_updated_has_an_adjustment_exactly_when_the_change_is_an_adjustment() -> None:
    adjusted = example(EVENTS_DIR / "DebtUpdated.v1.json")
    assert adjusted["data"]["change"] == "debtAdjust"
    edited = copy.deepcopy(adjusted)
    edited["data"]["change"] = "debtUpdate"
    assert errors_of("DebtUpdated", edited) != []
    del edited["data"]["adjustment"]
    assert errors_of("DebtUpdated", edited) == []
    del adjusted["data"]["adjustment"]
    assert errors_of("DebtUpdated", adjusted) != []


# --- (b) the catalogue and the schema files agree ------------------------------------------------------


def test_every_event_type_has_a_v1_schema_and_every_schema_is_a_known_type() -> None:
    named = [FILE_NAME.match(p.name) for p in SCHEMA_FILES]
    assert all(named), [p.name for p, m in zip(SCHEMA_FILES, named, strict=True) if m is None]
    assert {m["type"] for m in named if m} == EVENT_TYPES
    assert {m["type"] for m in named if m and m["version"] == "1"} == EVENT_TYPES


def test_envelope_is_the_partner_body() -> None:
    at = datetime(2026, 3, 15, 10, 0, 0, 5, tzinfo=LIMA)
    event = DomainEvent("acme", "01ev", "DebtCreated", 1, at, "debt-1", {"debtId": "debt-1", "tags": ["a"]})
    body = envelope(event)
    assert body == {
        "id": "01ev",
        "type": "DebtCreated",
        "version": 1,
        "tenant": "acme",
        "occurredAt": "2026-03-15T15:00:00.000005Z",
        "data": {"debtId": "debt-1", "tags": ["a"]},
    }
    body["data"]["tags"].append("b")  # the envelope does not alias the outbox item
    assert event.data["tags"] == ["a"]


# --- (c) every event the use cases emit validates against its schema --------------------------------


def _debtor(ledger: Ledger, admin: Principal, ext: str, name: str) -> Debtor:
    return ledger.debtors.create(admin, DebtorInput(name=name, external_id=ext))


def _debt(
    ledger: Ledger, admin: Principal, debtor: Debtor, pf: Portfolio, ext: str, amount: str, due: date
) -> Debt:
    return ledger.debts.create(
        admin, DebtInput(debtor.id, pf.id, amount, due, external_id=ext, issue_date=ISSUED)
    )


def _pay(ledger: Ledger, admin: Principal, debtor: Debtor, amount: str, key: str, **kw: Any) -> str:
    data = PaymentInput(debtor.id, amount, "PEN", PaymentMethod.TRANSFER, key, **kw)
    return ledger.payments.record(admin, data).payment.id


def _state(repo: InMemoryLedgerRepository, debt: Debt) -> DebtState:
    stored = repo.get_debt("acme", debt.debtor_id, debt.id)
    assert stored is not None
    return stored.state


def _drive_every_mutation(
    ledger: Ledger, repo: InMemoryLedgerRepository, clock: FixedClock, admin: Principal, pf: Portfolio
) -> None:
    """Tenant and portfolio come configured; every later step that emits events runs at least once."""

    def tick() -> None:
        clock.advance(timedelta(minutes=1, microseconds=1234))

    # Debtor A: edits, adjustments, and payments of every shape, two of them reversed.
    ana = _debtor(ledger, admin, "C-1", "Ana")
    a1 = _debt(ledger, admin, ana, pf, "F-1", "100.00", FEB1)
    a2 = _debt(ledger, admin, ana, pf, "F-2", "50.00", APR1)
    a3 = _debt(ledger, admin, ana, pf, "F-3", "80.00", MAY1)
    tick()
    ledger.debts.update(admin, ana.id, a1.id, DebtPatch(description="March invoice", tags=["retail"]))
    ledger.debts.adjust(admin, ana.id, a1.id, CREDIT, "10.00", "Returned goods")
    ledger.debts.adjust(admin, ana.id, a1.id, FEE, "5.00", "Late fee")
    tick()
    paid_at = datetime(2026, 3, 15, 9, 12, tzinfo=LIMA)
    _pay(ledger, admin, ana, "30.00", "p-partial", debt_id=a1.id, paid_at=paid_at, reference="OP-1")
    full = _pay(ledger, admin, ana, "65.00", "p-full", debt_id=a1.id)
    assert _state(repo, a1) is DebtState.PAID
    explicit = [AllocationInput(a2.id, "50.00"), AllocationInput(a3.id, "10.00")]
    _pay(ledger, admin, ana, "60.00", "p-explicit", allocations=explicit)
    tick()
    over = _pay(ledger, admin, ana, "100.00", "p-over")  # 70.00 settles a3, 30.00 stays as credit
    assert _state(repo, a3) is DebtState.PAID
    ledger.payments.reverse(admin, ana.id, full, "Check bounced")
    ledger.payments.reverse(admin, ana.id, over, "Chargeback")
    assert _state(repo, a1) is DebtState.OPEN

    # Debtor B: settling by edit and by credit note, disputes, a write-off.
    beto = _debtor(ledger, admin, "C-2", "Beto")
    b1 = _debt(ledger, admin, beto, pf, "G-1", "100.00", APR1)
    b2 = _debt(ledger, admin, beto, pf, "G-2", "90.00", APR1)
    b3 = _debt(ledger, admin, beto, pf, "G-3", "70.00", APR1)
    b4 = _debt(ledger, admin, beto, pf, "G-4", "60.00", APR1)
    b5 = _debt(ledger, admin, beto, pf, "G-5", "25.00", APR1)
    tick()
    _pay(ledger, admin, beto, "40.00", "p-b1", debt_id=b1.id)
    ledger.debts.update(admin, beto.id, b1.id, DebtPatch(original_amount="40.00"))
    assert _state(repo, b1) is DebtState.PAID
    ledger.debts.adjust(admin, beto.id, b5.id, CREDIT, "25.00", "Goodwill")
    ledger.debts.dispute_open(admin, beto.id, b2.id, "Never delivered")
    ledger.debts.dispute_resolve(admin, beto.id, b2.id, "Upheld in full", "90.00")
    assert _state(repo, b2) is DebtState.PAID
    ledger.debts.dispute_open(admin, beto.id, b3.id, "Wrong quantity")
    ledger.debts.dispute_resolve(admin, beto.id, b3.id, "Partly upheld", "20.00")
    ledger.debts.write_off(admin, beto.id, b4.id, "Debtor insolvent")

    # debtsImport: new debtor and debts, then a changed amount and, on the debt with a payment (whose
    # amount an import may no longer change), a moved due date.
    tick()
    rows = [
        ImportRow("C-3", "Carla", "H-1", "120.00", APR1, issue_date=ISSUED),
        ImportRow("C-3", "Carla", "H-2", "80.00", APR1, issue_date=ISSUED),
    ]
    first = ledger.imports.run(admin, pf.id, rows)
    assert (first.created, first.errors) == (2, [])
    carla = repo.get_debtor("acme", first.debts[0].debtor_id)
    assert carla is not None
    _pay(ledger, admin, carla, "40.00", "p-h2", debt_id=first.debts[1].id)
    rows = [
        ImportRow("C-3", "Carla", "H-1", "150.00", APR1, issue_date=ISSUED),
        ImportRow("C-3", "Carla", "H-2", "80.00", MAY1, issue_date=ISSUED),
    ]
    second = ledger.imports.run(admin, pf.id, rows)
    assert (second.updated, second.errors) == (2, [])
    assert _state(repo, first.debts[1]) is DebtState.OPEN


def test_every_emitted_event_matches_its_schema(
    ledger: Ledger,
    repo: InMemoryLedgerRepository,
    clock: FixedClock,
    admin: Principal,
    configured: Portfolio,
) -> None:
    _drive_every_mutation(ledger, repo, clock, admin, configured)

    problems = []
    for event in repo.events:
        assert event.type in EVENT_TYPES, event.type
        wire = json.loads(json.dumps(envelope(event)))  # what the publisher puts on the bus
        for message in errors_of(event.type, wire, event.version):
            problems.append(f"{event.type} {event.data.get('change', '')}: {message}")
    assert problems == []

    # Every type, and every variant a partner must handle, was exercised.
    seen = {e.type for e in repo.events}
    # Workers emit the first two; plans, debt terms and promises have their own tests
    # (tests/unit/plans/test_plan_events.py, tests/unit/terms/test_terms_events.py,
    # tests/unit/promises/test_promise_events.py).
    plan_events = {t for t in EVENT_TYPES if t.startswith("PaymentPlan")}
    terms = {"DebtExtended", "DiscountOfferCreated", "DiscountOfferSettled", "DiscountOfferCancelled"}
    promise_events = {t for t in EVENT_TYPES if t.startswith("Promise")}
    others = plan_events | terms | promise_events
    assert seen == EVENT_TYPES - {"WebhookSubscriptionDisabled", "DebtOverdue"} - others
    data_of = {t: [e.data for e in repo.events if e.type == t] for t in EVENT_TYPES}
    assert {d["change"] for d in data_of["DebtUpdated"]} == {
        "debtUpdate",
        "debtAdjust",
        "debtsImport",
        "paymentRecord",
        "paymentReverse",
        "debtDisputeResolve",
    }
    assert {d["adjustment"]["kind"] for d in data_of["DebtUpdated"] if "adjustment" in d} == {"CREDIT", "FEE"}
    assert {"paymentId" in d for d in data_of["DebtPaid"]} == {True, False}
    assert {d["state"] for d in data_of["DisputeResolved"]} == {"OPEN", "PAID"}
    payments = data_of["PaymentRecorded"] + data_of["PaymentReversed"]
    assert {d["unapplied"] != "0.00" for d in payments} == {True, False}
    assert {len(d["allocations"]) for d in payments} >= {1, 2}
    assert any(d["reference"] is None for d in payments) and any(d["reference"] for d in payments)
    for d in payments:
        allocated = sum((Decimal(a["amount"]) for a in d["allocations"]), Decimal(0))
        assert allocated + Decimal(d["unapplied"]) == Decimal(d["amount"])


# --- (d) a failed commit leaves neither the change nor an outbox event --------------------------------


class ConflictingRepo:
    """Delegates reads to the fake; every commit loses to a concurrent writer."""

    def __init__(self, inner: InMemoryLedgerRepository) -> None:
        self.inner, self.attempts = inner, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def commit(self, tenant: str, tx: Transaction) -> None:
        self.attempts += 1
        assert tx.events, "every ledger state change carries its outbox event"
        raise ConcurrencyConflict("simulated concurrent writer")

    def commit_many(self, tenant: str, txs: list[Transaction]) -> list[Exception | None]:
        self.attempts += len(txs)
        return [ConcurrencyConflict("simulated concurrent writer") for _ in txs]


class RacedClaimsRepo:
    """Delegates to the fake but hides debt external-id claims from reads, as if a concurrent create
    claimed the id between this request's check and its commit: the fake's commit then refuses it."""

    def __init__(self, inner: InMemoryLedgerRepository) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def get_claim(self, tenant: str, kind: ClaimKind, value: str) -> Any:
        return None if kind is ClaimKind.DEBT_EXTERNAL_ID else self.inner.get_claim(tenant, kind, value)


def _ledger_on(wrapper: Any, clock: FixedClock) -> Ledger:
    return Ledger.build(Deps(wrapper, clock, TimeOrderedIds(clock)))


def _snapshot(repo: InMemoryLedgerRepository) -> Any:
    return copy.deepcopy((repo._items, repo._claims, repo.events, repo.audits, repo.commits))


Mutation = Callable[[Ledger, Principal, Debtor, Debt, Portfolio], object]

MUTATIONS: dict[str, Mutation] = {
    "debtCreate": lambda lg, p, dr, d, pf: lg.debts.create(
        p, DebtInput(dr.id, pf.id, "10.00", APR1, external_id="F-NEW")
    ),
    "debtUpdate": lambda lg, p, dr, d, pf: lg.debts.update(
        p, dr.id, d.id, DebtPatch(original_amount="90.00")
    ),
    "debtAdjust": lambda lg, p, dr, d, pf: lg.debts.adjust(p, dr.id, d.id, FEE, "5.00", "fee"),
    "debtDisputeOpen": lambda lg, p, dr, d, pf: lg.debts.dispute_open(p, dr.id, d.id, "no"),
    "debtWriteOff": lambda lg, p, dr, d, pf: lg.debts.write_off(p, dr.id, d.id, "gone"),
    "paymentRecord": lambda lg, p, dr, d, pf: lg.payments.record(
        p, PaymentInput(dr.id, "100.00", "PEN", PaymentMethod.CASH, "k-1", debt_id=d.id)
    ),
}


@pytest.mark.parametrize("mutation", list(MUTATIONS), ids=str)
def test_a_commit_that_fails_leaves_no_change_and_no_event(
    ledger: Ledger,
    repo: InMemoryLedgerRepository,
    clock: FixedClock,
    admin: Principal,
    configured: Portfolio,
    mutation: str,
) -> None:
    # GIVEN a debtor with one open debt, and a repository whose commits always lose a race
    debtor = _debtor(ledger, admin, "C-1", "Ana")
    debt = _debt(ledger, admin, debtor, configured, "F-1", "100.00", APR1)
    before = _snapshot(repo)
    conflicting = ConflictingRepo(repo)
    failing = _ledger_on(conflicting, clock)
    # WHEN the mutation runs
    with pytest.raises(DomainError) as exc:
        MUTATIONS[mutation](failing, admin, debtor, debt, configured)
    # THEN it was refused as a conflict after trying, and nothing was written: no state, no event
    assert exc.value.code in (ErrorCode.CONFLICT, ErrorCode.DUPLICATE)
    assert conflicting.attempts >= 1
    assert _snapshot(repo) == before


def test_a_failed_import_row_leaves_no_change_and_no_event(
    repo: InMemoryLedgerRepository, clock: FixedClock, admin: Principal, configured: Portfolio
) -> None:
    before = _snapshot(repo)
    conflicting = ConflictingRepo(repo)
    failing = _ledger_on(conflicting, clock)
    result = failing.imports.run(admin, configured.id, [ImportRow("C-1", "Ana", "F-1", "10.00", APR1)])
    assert (result.created, [e.code for e in result.errors]) == (0, [ErrorCode.CONFLICT])
    assert conflicting.attempts >= 1
    assert _snapshot(repo) == before


def test_a_duplicate_external_id_caught_at_commit_leaves_no_change_and_no_event(
    ledger: Ledger,
    repo: InMemoryLedgerRepository,
    clock: FixedClock,
    admin: Principal,
    configured: Portfolio,
) -> None:
    # GIVEN a debt F-1, and a second create of F-1 that does not see the claim before committing
    debtor = _debtor(ledger, admin, "C-1", "Ana")
    _debt(ledger, admin, debtor, configured, "F-1", "100.00", APR1)
    before = _snapshot(repo)
    raced = _ledger_on(RacedClaimsRepo(repo), clock)
    # WHEN it commits, the unique claim fails the whole transaction
    with pytest.raises(DomainError) as exc:
        raced.debts.create(admin, DebtInput(debtor.id, configured.id, "20.00", APR1, external_id="F-1"))
    # THEN no second debt, no claim change, no audit and no DebtCreated were written
    assert exc.value.code is ErrorCode.DUPLICATE
    assert _snapshot(repo) == before
    assert [e.type for e in repo.events] == ["DebtCreated"]
