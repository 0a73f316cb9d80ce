"""Every KPI computed by hand on a small fixed ledger (PEN), compared to the cent.

GIVEN four debts seen at the opening of March 1 and of April 1, 2026:
  A issued 2026-01-10, due 2026-02-10, 1000.00; 400.00 paid in March
  B issued 2026-02-15, due 2026-03-15,  500.00; unpaid
  C issued 2026-03-05, due 2026-04-05,  300.00; created in March, 100.00 paid in March
  D issued 2025-12-01, due 2025-12-31,  200.00; unpaid
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from domain.aging import AgingBucket as B
from domain.aging import bucket_of, days_past_due
from domain.entities import Debt, DebtKind
from domain.summaries.figures import TENANT_SCOPE, Figures
from domain.summaries.kpis import Granularity, currency_kpis, dso_countback, periods
from domain.summaries.snapshot import Snapshot, SnapshotBuilder

D = Decimal
MAR1, APR1 = date(2026, 3, 1), date(2026, 4, 1)
AT = datetime(2026, 3, 1, 5, 30, tzinfo=UTC)


def debt(id: str, issued: date, due: date, amount: str, paid: str = "0", debtor: str = "dr1") -> Debt:
    return Debt(
        tenant="acme",
        id=id,
        debtor_id=debtor,
        portfolio_id="pf1",
        external_id=id,
        kind=DebtKind.INVOICE,
        currency="PEN",
        original_amount=D(amount),
        issue_date=issued,
        due_date=due,
        paid_total=D(paid),
    )


A = debt("A", date(2026, 1, 10), date(2026, 2, 10), "1000.00")
B_ = debt("B", date(2026, 2, 15), date(2026, 3, 15), "500.00", debtor="dr2")
C = debt("C", date(2026, 3, 5), date(2026, 4, 5), "300.00", debtor="dr3")
D_ = debt("D", date(2025, 12, 1), date(2025, 12, 31), "200.00", debtor="dr2")


def tenant_snapshot(day: date, previous: date | None, debts: list[Debt]) -> Snapshot:
    builder = SnapshotBuilder(day, previous, AT)
    for d in debts:
        builder.add(d)
    (snap,) = [s for s in builder.snapshots() if s.scope == TENANT_SCOPE]
    return snap


@pytest.fixture
def opening() -> Snapshot:
    return tenant_snapshot(MAR1, None, [A, B_, D_])


@pytest.fixture
def closing() -> Snapshot:
    paid = [replace(A, paid_total=D("400.00")), B_, replace(C, paid_total=D("100.00")), D_]
    return tenant_snapshot(APR1, MAR1, paid)


def test_aging_buckets_and_days_past_due() -> None:
    assert days_past_due(date(2026, 2, 10), MAR1) == 19 and days_past_due(date(2026, 4, 5), MAR1) == 0
    cases = [(0, B.CURRENT), (1, B.D1_30), (30, B.D1_30), (31, B.D31_60), (60, B.D31_60), (61, B.D61_90)]
    cases += [(90, B.D61_90), (91, B.D91_120), (120, B.D91_120), (121, B.D120_PLUS)]
    for dpd, expected in cases:
        assert bucket_of(date(2026, 1, 1), date.fromordinal(date(2026, 1, 1).toordinal() + dpd)) is expected


def test_snapshots_by_hand(opening: Snapshot, closing: Snapshot) -> None:
    assert opening.figures == Figures(debts=3, open_debts=3, original=D("1700.00"), balance=D("1700.00"))
    assert opening.aging == {B.CURRENT: D("500.00"), B.D1_30: D("1000.00"), B.D31_60: D("200.00"),
                             B.D61_90: 0, B.D91_120: 0, B.D120_PLUS: 0}  # fmt: skip
    assert (opening.overdue, opening.due_to_date, opening.debtors) == (D("1200.00"), D("1200.00"), 2)
    assert opening.issued_by_month == {
        "2025-12": D("200.00"),
        "2026-01": D("1000.00"),
        "2026-02": D("500.00"),
    }
    assert closing.figures.balance == D("1500.00") and closing.figures.collected == D("500.00")
    assert closing.aging == {B.CURRENT: D("200.00"), B.D1_30: D("500.00"), B.D31_60: D("600.00"),
                             B.D61_90: 0, B.D91_120: D("200.00"), B.D120_PLUS: 0}  # fmt: skip
    assert (closing.overdue, closing.due_to_date, closing.debtors) == (D("1300.00"), D("1700.00"), 3)
    # Rolled since Mar 1: B CURRENT→1–30 (500.00), A 1–30→31–60 (600.00 left), D 31–60→91–120 (200.00).
    assert closing.rolled == {B.CURRENT: D("500.00"), B.D1_30: D("600.00"), B.D31_60: D("200.00"),
                              B.D61_90: 0, B.D91_120: 0, B.D120_PLUS: 0}  # fmt: skip
    assert Snapshot.from_json(closing.to_json()) == closing


def test_march_kpis_by_hand(opening: Snapshot, closing: Snapshot) -> None:
    k = currency_kpis("PEN", date(2026, 3, 31), opening, closing, [closing])
    assert k.billed == D("300.00")  # 2000.00 − 1700.00 of original amounts, no fees
    assert k.collected == D("500.00")
    assert k.due_in_period == D("1700.00")  # 1200.00 overdue at the opening + B's 500.00 falling due
    assert k.recovery_rate == D("0.2941")  # 500 / 1700
    assert k.cei == D("27.78")  # (1700 + 300 − 1500) / (1700 + 300 − 200) × 100 = 500 / 1800 × 100
    assert k.delinquency_rate == D("0.8667")  # 1300 / 1500
    # Countback from 1500.00: March 31 days (300.00 billed) → 1200.00 left; February 28 days (500.00)
    # → 700.00 left; January covers it: 31 × 700 / 1000 = 21.7 days. 31 + 28 + 21.7 = 80.70.
    assert k.dso == D("80.70")
    assert k.roll_rates == {B.CURRENT: D("1.0000"), B.D1_30: D("0.6000"), B.D31_60: D("1.0000"),
                            B.D61_90: None, B.D91_120: None}  # fmt: skip


def test_missing_snapshots_give_nulls_not_zeros(closing: Snapshot) -> None:
    k = currency_kpis("PEN", date(2026, 3, 31), None, closing, [])
    assert (k.collected, k.cei, k.recovery_rate, k.roll_rates) == (None, None, None, {})
    assert k.delinquency_rate == D("0.8667") and k.dso == D("80.70")
    assert currency_kpis("PEN", date(2026, 3, 31), None, None, []).dso is None


def test_dso_countback_edges() -> None:
    assert dso_countback(D(0), {}, date(2026, 3, 31)) == 0
    assert dso_countback(D("150.00"), {"2026-03": D("300.00")}, date(2026, 3, 10)) == D("5.00")
    # No billing at all: every month of the window counts whole (a floor, capped at 24 months).
    assert dso_countback(D("1.00"), {}, date(2026, 3, 31)) == D(730)


def test_periods() -> None:
    assert periods(date(2026, 3, 30), date(2026, 4, 2), Granularity.DAY)[0] == (date(2026, 3, 30),) * 2
    weeks = periods(date(2026, 3, 4), date(2026, 3, 20), Granularity.WEEK)
    assert weeks == [(date(2026, 3, 4), date(2026, 3, 8)), (date(2026, 3, 9), date(2026, 3, 15)),
                     (date(2026, 3, 16), date(2026, 3, 20))]  # fmt: skip
    months = periods(date(2026, 1, 15), date(2026, 3, 31), Granularity.MONTH)
    assert months == [(date(2026, 1, 15), date(2026, 1, 31)), (date(2026, 2, 1), date(2026, 2, 28)),
                      (date(2026, 3, 1), date(2026, 3, 31))]  # fmt: skip
