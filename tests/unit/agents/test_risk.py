"""The risk score: a pure function of debts, payments and broken promises, with its factors."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from domain.entities import Allocation, Debt, DebtKind, Payment, PaymentMethod
from domain.risk import RiskBand, band_of, risk_score

NOW = datetime(2026, 3, 15, 15, 0, tzinfo=UTC)
LIMA = "America/Lima"


def debt(did: str, due: date, amount: str = "100.00", paid: str = "0", currency: str = "PEN") -> Debt:
    return Debt(
        tenant="acme",
        id=did,
        debtor_id="dr1",
        portfolio_id="pf1",
        external_id=did,
        kind=DebtKind.INVOICE,
        currency=currency,
        original_amount=Decimal(amount),
        issue_date=due - timedelta(days=30),
        due_date=due,
        paid_total=Decimal(paid),
    )


def payment(pid: str, debt_id: str, amount: str, at: datetime, reversed_: bool = False) -> Payment:
    return Payment(
        tenant="acme",
        id=pid,
        debtor_id="dr1",
        amount=Decimal(amount),
        currency="PEN",
        paid_at=at,
        method=PaymentMethod.CASH,
        allocations=[Allocation(debt_id, Decimal(amount))],
        unapplied=Decimal(0),
        idempotency_key=pid,
        reversed_at=at if reversed_ else None,
    )


def points(score: object) -> dict[str, int]:
    return {f.name: f.points for f in score.factors}  # type: ignore[attr-defined]


def test_a_debtor_without_history_or_arrears_is_low_risk_with_a_neutral_history() -> None:
    score = risk_score([debt("d1", date(2026, 4, 1))], [], 0, NOW, LIMA)
    assert score.band is RiskBand.LOW
    assert points(score) == {
        "lateHistory": 125,  # no past debt: counted half
        "averageDaysLate": 0,
        "brokenPromises": 0,
        "daysPastDue": 0,
        "outstandingShare": 150,  # nothing paid yet of what is open
    }
    assert score.score == 275 and score.computed_at == NOW


def test_late_payer_with_broken_promises_and_deep_arrears_is_high_risk() -> None:
    past = [debt(f"p{i}", date(2025, 10, 1 + i), paid="100.00") for i in range(4)]
    pays = [payment(f"y{i}", f"p{i}", "100.00", datetime(2025, 12, 1, 15, tzinfo=UTC)) for i in range(4)]
    open_debt = debt("d1", date(2025, 11, 1))  # 134 days past due
    score = risk_score([*past, open_debt], pays, 3, NOW, LIMA)
    factors = {f.name: f for f in score.factors}
    assert factors["lateHistory"].value == Decimal("1.00")
    assert factors["averageDaysLate"].value == Decimal("59.5")  # 61, 60, 59 and 58 days
    assert factors["daysPastDue"].value == 134
    assert factors["brokenPromises"].points == 200
    assert score.band is RiskBand.HIGH
    assert score.score == sum(f.points for f in score.factors)


def test_on_time_payments_lower_the_score_and_reversed_ones_do_not_count() -> None:
    paid = debt("p1", date(2026, 2, 1), paid="100.00")
    on_time = risk_score(
        [paid], [payment("y1", "p1", "100.00", datetime(2026, 1, 30, tzinfo=UTC))], 0, NOW, LIMA
    )
    assert points(on_time)["lateHistory"] == 0
    late_then_reversed = [
        payment("y1", "p1", "100.00", datetime(2026, 1, 30, tzinfo=UTC), reversed_=True),
        payment("y2", "p1", "100.00", datetime(2026, 3, 3, tzinfo=UTC)),
    ]
    late = risk_score([paid], late_then_reversed, 0, NOW, LIMA)
    assert points(late)["lateHistory"] == 250
    assert {f.name: f.value for f in late.factors}["averageDaysLate"] == Decimal("29.0")  # 2 March in Lima


def test_balances_are_compared_as_shares_per_currency_never_summed() -> None:
    pen = debt("d1", date(2026, 4, 1), amount="100.00", paid="90.00")
    usd = debt("d2", date(2026, 4, 1), amount="1000.00", paid="500.00", currency="USD")
    score = risk_score([pen, usd], [], 0, NOW, LIMA)
    assert {f.name: f.value for f in score.factors}["outstandingShare"] == Decimal("0.50")


def test_band_thresholds() -> None:
    assert [band_of(s) for s in (0, 299, 300, 599, 600, 1000)] == [
        RiskBand.LOW,
        RiskBand.LOW,
        RiskBand.MEDIUM,
        RiskBand.MEDIUM,
        RiskBand.HIGH,
        RiskBand.HIGH,
    ]
