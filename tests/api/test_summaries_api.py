"""Dashboard over GraphQL: summaries per currency at a constant DynamoDB cost, past days, KPI series."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

from domain.clock import FixedClock
from domain.principal import Principal, Role
from domain.services import Ledger
from domain.services.debts import DebtInput
from domain.summaries.nightly import LedgerSnapshots
from schema.common import decode_one
from tests.api.conftest import Api, RequestCounter, create_debt, token

ADMIN = Principal("ana", "acme", Role.ADMIN)
SUMMARY = """
query($pf: ID!, $asOf: Date) {
  tenant { summary(asOf: $asOf) { currency live snapshotDate debtCount openDebtCount debtorCount
    originalAmount { amount currency } balance { amount } overdueBalance { amount }
    aging { bucket balance { amount } debtCount } } }
  portfolio(id: $pf) { summary(asOf: $asOf) {
    currency debtCount balance { amount } overdueBalance { amount } } }
}
"""
KPIS = """
query($from: Date!, $to: Date!, $pf: ID) {
  kpis(from: $from, to: $to, granularity: DAY, portfolioId: $pf) { granularity points { from to
    currencies { currency collected { amount } billed { amount } recoveryRate delinquencyRate cei dso
      rollRates { fromBucket toBucket rate } }
    contactRates { channel rate } messageConversion { messages converted rate } promiseKeptRate } }
}
"""


def add_debts(ledger: Ledger, acme: dict[str, Any], start: int, count: int) -> None:
    debtor, pf = decode_one(acme["debtor"], "Debtor"), decode_one(acme["portfolio"], "Portfolio")
    for i in range(start, start + count):
        due = date(2026, 3, 20) - timedelta(days=i % 150)
        ledger.debts.create(ADMIN, DebtInput(debtor, pf, "10.00", due, external_id=f"F-{i}"))


def snapshot(ledger: Ledger, replace: bool = False) -> None:
    run = LedgerSnapshots(ledger.deps, ledger.deps.repo).run(replace=replace)  # type: ignore[arg-type]
    assert not run.failed and not run.repaired


def dashboard_reads(api: Api, acme: dict[str, Any], aws_calls: RequestCounter) -> tuple[Counter[str], Any]:
    aws_calls.reset()
    data = api.ok(SUMMARY, pf=acme["portfolio"])
    return Counter(aws_calls.dynamodb), data


def test_dashboard_costs_the_same_reads_for_10_and_200_debts(
    api: Api, acme: dict[str, Any], ledger: Ledger, aws_calls: RequestCounter
) -> None:
    add_debts(ledger, acme, 0, 10)
    snapshot(ledger)
    small, data = dashboard_reads(api, acme, aws_calls)
    (pen,) = data["tenant"]["summary"]
    assert (pen["currency"], pen["debtCount"], pen["balance"]["amount"], pen["live"]) == (
        "PEN",
        10,
        "100.00",
        True,
    )
    assert pen["snapshotDate"] == "2026-03-15" and pen["debtorCount"] == 1
    # Due Mar 20 back to Mar 11: Mar 15..20 are not yet due (6 debts), Mar 11..14 are 1–4 days late.
    assert pen["overdueBalance"]["amount"] == "40.00"
    assert [(a["bucket"], a["balance"]["amount"]) for a in pen["aging"][:2]] == [
        ("CURRENT", "60.00"),
        ("DPD_1_30", "40.00"),
    ]
    assert data["portfolio"]["summary"][0]["balance"]["amount"] == "100.00"

    add_debts(ledger, acme, 10, 190)
    snapshot(ledger, replace=True)
    large, data = dashboard_reads(api, acme, aws_calls)
    assert data["tenant"]["summary"][0]["debtCount"] == 200
    assert large == small
    # Per summary: the last snapshot day (GetItem), the aggregate shards and that day's snapshot
    # (2 Query); once per request: the tenant's settings (its day), the tenant and the portfolio.
    assert small == Counter({"dynamodb.GetItem": 5, "dynamodb.Query": 4}), small


def test_live_figures_move_with_each_payment_without_a_snapshot(api: Api, acme: dict[str, Any]) -> None:
    debt = create_debt(api, acme, "F-1", "300.00", "2026-03-01")
    pay = """mutation($i: PaymentRecordInput!) { paymentRecord(input: $i) { errors { code } } }"""
    i = {"debtId": debt["id"], "amount": "120.50", "currency": "PEN", "method": "CASH", "idempotencyKey": "k"}
    api.ok(pay, i=i)
    (pen,) = api.ok(SUMMARY, pf=acme["portfolio"])["tenant"]["summary"]
    assert (pen["balance"]["amount"], pen["snapshotDate"], pen["overdueBalance"]) == ("179.50", None, None)


def test_past_days_read_their_snapshot(
    api: Api, acme: dict[str, Any], ledger: Ledger, clock: FixedClock
) -> None:
    add_debts(ledger, acme, 0, 3)
    snapshot(ledger)
    clock.advance(timedelta(days=1))
    add_debts(ledger, acme, 3, 2)
    past = api.ok(SUMMARY, pf=acme["portfolio"], asOf="2026-03-15")["tenant"]["summary"][0]
    assert (past["live"], past["debtCount"], past["snapshotDate"]) == (False, 3, "2026-03-15")
    body = api(SUMMARY, pf=acme["portfolio"], asOf="2026-03-14")
    assert body["errors"][0]["extensions"]["code"] == "SNAPSHOT_NOT_FOUND"
    body = api(SUMMARY, pf=acme["portfolio"], asOf="2026-03-17")
    assert body["errors"][0]["extensions"]["code"] == "INVALID_DATE"


def test_agents_may_not_read_the_dashboard(api: Api, acme: dict[str, Any]) -> None:
    body = api(SUMMARY, token("acme", "AGENT", agent_id="ag-1"), pf=acme["portfolio"])
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_daily_kpis_from_consecutive_snapshots(
    api: Api, acme: dict[str, Any], ledger: Ledger, clock: FixedClock
) -> None:
    debt = create_debt(api, acme, "F-1", "300.00", "2026-03-15")
    snapshot(ledger)  # opening of Mar 15: 300.00, not yet due
    pay = """mutation($i: PaymentRecordInput!) { paymentRecord(input: $i) { errors { code } } }"""
    i = {"debtId": debt["id"], "amount": "75.00", "currency": "PEN", "method": "CASH", "idempotencyKey": "k"}
    api.ok(pay, i=i)
    clock.advance(timedelta(days=1))
    snapshot(ledger)  # opening of Mar 16: 225.00, 1 day late
    data = api.ok(KPIS, **{"from": "2026-03-15", "to": "2026-03-15", "pf": acme["portfolio"]})
    (point,) = data["kpis"]["points"]
    (pen,) = point["currencies"]
    assert (point["from"], point["to"], point["promiseKeptRate"]) == ("2026-03-15", "2026-03-15", None)
    assert (pen["collected"]["amount"], pen["billed"]["amount"]) == ("75.00", "0.00")
    assert pen["recoveryRate"] == "0.2500"  # 75.00 / 300.00 falling due on Mar 15
    assert pen["delinquencyRate"] == "1.0000" and pen["cei"] == "25.00"  # 75 / (300 + 0 − 0) × 100
    assert pen["rollRates"][0] == {"fromBucket": "CURRENT", "toBucket": "DPD_1_30", "rate": "0.7500"}
    assert point["messageConversion"] == {"messages": 0, "converted": 0, "rate": None}
    body = api(KPIS, **{"from": "2026-03-15", "to": "2026-03-14"})
    assert body["errors"][0]["extensions"]["code"] == "INVALID_DATE"
