"""Pure ledger arithmetic: allocation, balance and status, days past due, aging, local dates, money."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.clock import local_date
from domain.entities import AgingBucket, Allocation, Debt, DebtKind, DebtState, DebtStatus
from domain.errors import DomainError, ErrorCode
from domain.ledger import (
    aging_bucket,
    allocate,
    bucket_due_range,
    days_past_due,
    debt_status,
    dpd_due_range,
)
from domain.money import minor_units, positive_amount, to_amount, validate_currency

D = Decimal
TODAY = date(2026, 3, 15)


def make_debt(debt_id: str, amount: str, due: date, issue: date | None = None, **kw: object) -> Debt:
    debt = Debt(
        tenant="acme",
        id=debt_id,
        debtor_id="dr-1",
        portfolio_id="pf-1",
        external_id=debt_id,
        kind=DebtKind.INVOICE,
        currency="PEN",
        original_amount=D(amount),
        issue_date=issue or date(2025, 1, 1),
        due_date=due,
    )
    for name, value in kw.items():
        setattr(debt, name, value)
    return debt


# --- allocate ---------------------------------------------------------------------------------------


def test_allocate_pays_the_oldest_due_date_first() -> None:
    # GIVEN three open debts, listed newest first
    debts = [
        make_debt("c", "100.00", date(2026, 3, 1)),
        make_debt("b", "50.00", date(2026, 2, 1)),
        make_debt("a", "30.00", date(2026, 1, 1)),
    ]
    # WHEN 100 is paid
    plan = allocate(D("100.00"), debts)
    # THEN January and February are settled and March gets the rest
    assert plan.allocations == [
        Allocation("a", D("30.00")),
        Allocation("b", D("50.00")),
        Allocation("c", D("20.00")),
    ]
    assert plan.unapplied == 0


def test_allocate_breaks_due_date_ties_by_issue_date_then_id() -> None:
    due = date(2026, 2, 1)
    debts = [
        make_debt("z", "10.00", due, issue=date(2026, 1, 2)),
        make_debt("y", "10.00", due, issue=date(2026, 1, 1)),
        make_debt("x", "10.00", due, issue=date(2026, 1, 2)),
    ]
    assert [a.debt_id for a in allocate(D("30.00"), debts).allocations] == ["y", "x", "z"]


def test_allocate_partial_payment_touches_only_the_oldest_debt() -> None:
    debts = [make_debt("new", "80.00", date(2026, 3, 1)), make_debt("old", "80.00", date(2026, 1, 1))]
    plan = allocate(D("25.50"), debts)
    assert plan.allocations == [Allocation("old", D("25.50"))]
    assert plan.unapplied == 0


def test_allocate_overpayment_becomes_unapplied() -> None:
    debts = [make_debt("a", "40.00", date(2026, 1, 1), paid_total=D("10.00"))]
    plan = allocate(D("50.00"), debts)
    assert plan.allocations == [Allocation("a", D("30.00"))]
    assert plan.unapplied == D("20.00")


def test_allocate_skips_debts_that_are_not_open() -> None:
    debts = [
        make_debt("paid", "10.00", date(2025, 1, 1), paid_total=D("10.00")),
        make_debt("disputed", "10.00", date(2025, 2, 1), disputed=True),
        make_debt("gone", "10.00", date(2025, 3, 1), written_off=True),
        make_debt("open", "10.00", date(2025, 4, 1)),
    ]
    plan = allocate(D("15.00"), debts)
    assert plan.allocations == [Allocation("open", D("10.00"))]
    assert plan.unapplied == D("5.00")


@pytest.mark.parametrize("seed", range(200))
def test_allocate_conserves_the_amount_for_random_cases(seed: int) -> None:
    rng = random.Random(seed)
    debts = [
        make_debt(
            f"d{i}",
            f"{rng.randint(1, 50_000) / 100:.2f}",
            date(2025, 1, 1) + timedelta(days=rng.randint(0, 400)),
            paid_total=D(rng.choice([0, 0, 0, 50])) / 100,
        )
        for i in range(rng.randint(0, 8))
    ]
    amount = D(rng.randint(1, 200_000)) / 100
    plan = allocate(amount, debts)
    allocated = sum((a.amount for a in plan.allocations), D(0))
    # THEN nothing is created or lost, no debt is over-paid, and the rest is only left when all are paid
    assert allocated + plan.unapplied == amount
    assert plan.unapplied >= 0
    balances = {d.id: d.balance for d in debts}
    assert all(0 < a.amount <= balances[a.debt_id] for a in plan.allocations)
    assert len({a.debt_id for a in plan.allocations}) == len(plan.allocations)
    if plan.unapplied > 0:
        assert allocated == sum((b for b in balances.values() if b > 0), D(0))
    # AND every debt paid before the last one allocated is settled in full (oldest first)
    for a in plan.allocations[:-1]:
        assert a.amount == balances[a.debt_id]


def test_explicit_allocations_are_honoured_and_the_rest_is_unapplied() -> None:
    debts = [make_debt("a", "40.00", date(2026, 1, 1)), make_debt("b", "60.00", date(2026, 2, 1))]
    plan = allocate(D("70.00"), debts, [Allocation("b", D("60.00"))])
    assert plan.allocations == [Allocation("b", D("60.00"))]
    assert plan.unapplied == D("10.00")


@pytest.mark.parametrize(
    ("explicit", "field"),
    [
        ([Allocation("nope", D("1.00"))], "allocations[0]"),  # unknown debt
        ([Allocation("a", D("40.01"))], "allocations[0]"),  # exceeds the balance
        ([Allocation("a", D("30.00")), Allocation("b", D("30.00"))], "allocations"),  # exceeds payment
        ([Allocation("a", D("1.00")), Allocation("a", D("1.00"))], "allocations[1]"),  # duplicate
        ([Allocation("a", D("0"))], "allocations[0]"),  # not positive
    ],
)
def test_explicit_allocations_are_validated(explicit: list[Allocation], field: str) -> None:
    debts = [make_debt("a", "40.00", date(2026, 1, 1)), make_debt("b", "60.00", date(2026, 2, 1))]
    with pytest.raises(DomainError) as exc:
        allocate(D("50.00"), debts, explicit)
    assert exc.value.code is ErrorCode.INVALID_ALLOCATION
    assert exc.value.errors[0].field == field


# --- balance, state and status ------------------------------------------------------------------------


def test_balance_is_original_minus_paid_minus_credits_plus_fees() -> None:
    debt = make_debt("a", "100.00", TODAY, paid_total=D("30.00"), credit_total=D("20.00"), fee_total=D("5"))
    assert debt.balance == D("55.00")


@pytest.mark.parametrize(
    ("changes", "state"),
    [
        ({}, DebtState.OPEN),
        ({"paid_total": D("100.00")}, DebtState.PAID),
        ({"paid_total": D("60.00"), "credit_total": D("40.00")}, DebtState.PAID),
        ({"paid_total": D("100.00"), "fee_total": D("1.00")}, DebtState.OPEN),
        ({"disputed": True, "paid_total": D("100.00")}, DebtState.DISPUTED),
        ({"written_off": True, "disputed": True}, DebtState.WRITTEN_OFF),
    ],
)
def test_state_is_derived_from_totals_and_flags(changes: dict[str, Any], state: DebtState) -> None:
    assert make_debt("a", "100.00", TODAY, **changes).state is state


def test_status_is_current_on_the_due_date_and_overdue_the_day_after() -> None:
    debt = make_debt("a", "100.00", TODAY)
    assert debt_status(debt, TODAY - timedelta(days=1)) is DebtStatus.CURRENT
    assert debt_status(debt, TODAY) is DebtStatus.CURRENT
    assert debt_status(debt, TODAY + timedelta(days=1)) is DebtStatus.OVERDUE


def test_status_of_settled_debts_ignores_the_date() -> None:
    long_ago = date(2020, 1, 1)
    assert debt_status(make_debt("a", "1.00", long_ago, paid_total=D(1)), TODAY) is DebtStatus.PAID
    assert debt_status(make_debt("a", "1.00", long_ago, disputed=True), TODAY) is DebtStatus.DISPUTED
    assert debt_status(make_debt("a", "1.00", long_ago, written_off=True), TODAY) is DebtStatus.WRITTEN_OFF


# --- days past due and aging --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dpd", "bucket"),
    [
        (0, AgingBucket.CURRENT),
        (1, AgingBucket.DPD_1_30),
        (30, AgingBucket.DPD_1_30),
        (31, AgingBucket.DPD_31_60),
        (60, AgingBucket.DPD_31_60),
        (61, AgingBucket.DPD_61_90),
        (90, AgingBucket.DPD_61_90),
        (91, AgingBucket.DPD_91_120),
        (120, AgingBucket.DPD_91_120),
        (121, AgingBucket.DPD_120_PLUS),
        (5000, AgingBucket.DPD_120_PLUS),
    ],
)
def test_aging_bucket_boundaries(dpd: int, bucket: AgingBucket) -> None:
    assert aging_bucket(dpd) is bucket
    assert days_past_due(TODAY - timedelta(days=dpd), TODAY) == dpd


def test_days_past_due_is_zero_on_or_before_the_due_date() -> None:
    assert days_past_due(TODAY, TODAY) == 0
    assert days_past_due(TODAY + timedelta(days=10), TODAY) == 0


@pytest.mark.parametrize(
    ("due", "today", "dpd"),
    [
        (date(2026, 1, 31), date(2026, 2, 28), 28),
        (date(2026, 1, 31), date(2026, 3, 1), 29),  # non-leap February
        (date(2028, 1, 31), date(2028, 3, 1), 30),  # leap February
        (date(2025, 12, 31), date(2026, 1, 30), 30),  # across the year end
        (date(2025, 12, 31), date(2026, 1, 31), 31),
    ],
)
def test_days_past_due_across_month_ends(due: date, today: date, dpd: int) -> None:
    assert days_past_due(due, today) == dpd
    assert aging_bucket(dpd) is (AgingBucket.DPD_1_30 if dpd <= 30 else AgingBucket.DPD_31_60)


def test_local_date_in_lima_lags_utc_near_midnight() -> None:
    # GIVEN 03:00 UTC on March 1st, which is 22:00 on February 28th in Lima (UTC-5)
    instant = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
    assert local_date(instant, "UTC") == date(2026, 3, 1)
    assert local_date(instant, "America/Lima") == date(2026, 2, 28)
    assert local_date(datetime(2026, 3, 1, 4, 59, 59, tzinfo=UTC), "America/Lima") == date(2026, 2, 28)
    assert local_date(datetime(2026, 3, 1, 5, 0, tzinfo=UTC), "America/Lima") == date(2026, 3, 1)
    # THEN a debt due February 28th is not yet overdue for a Lima tenant, but is for a UTC one
    debt = make_debt("a", "10.00", date(2026, 2, 28))
    assert debt_status(debt, local_date(instant, "America/Lima")) is DebtStatus.CURRENT
    assert debt_status(debt, local_date(instant, "UTC")) is DebtStatus.OVERDUE


def test_bucket_due_ranges_on_a_day() -> None:
    day = timedelta(days=1)
    assert bucket_due_range(AgingBucket.CURRENT, TODAY) == (TODAY, None)
    assert bucket_due_range(AgingBucket.DPD_1_30, TODAY) == (TODAY - 30 * day, TODAY - day)
    assert bucket_due_range(AgingBucket.DPD_31_60, TODAY) == (TODAY - 60 * day, TODAY - 31 * day)
    assert bucket_due_range(AgingBucket.DPD_120_PLUS, TODAY) == (None, TODAY - 121 * day)
    assert dpd_due_range(None, None, TODAY) == (None, None)
    assert dpd_due_range(5, None, TODAY) == (None, TODAY - 5 * day)
    assert dpd_due_range(None, 5, TODAY) == (TODAY - 5 * day, None)


@pytest.mark.parametrize("bucket", list(AgingBucket))
def test_bucket_due_range_agrees_with_aging_bucket(bucket: AgingBucket) -> None:
    low, high = bucket_due_range(bucket, TODAY)
    for offset in range(-20, 400):
        due = TODAY - timedelta(days=offset)
        inside = (low is None or due >= low) and (high is None or due <= high)
        assert inside == (aging_bucket(days_past_due(due, TODAY)) is bucket), due


# --- money --------------------------------------------------------------------------------------------


def test_minor_units_follow_iso_4217_not_cldr_display_digits() -> None:
    # COP: ISO 4217 gives 2 decimals, even though cash amounts (and CLDR 47's display digits) use none
    assert {c: minor_units(c) for c in ("PEN", "USD", "COP", "JPY", "CLP", "KWD", "CLF", "MXN")} == {
        "PEN": 2,
        "USD": 2,
        "COP": 2,
        "JPY": 0,
        "CLP": 0,
        "KWD": 3,
        "CLF": 4,
        "MXN": 2,
    }


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        ("10.5", "PEN", D("10.50")),
        (10, "PEN", D("10.00")),
        (D("10.100"), "PEN", D("10.10")),  # trailing zeros are not extra precision
        (" 7.25 ", "USD", D("7.25")),
        ("1000.50", "COP", D("1000.50")),
        ("1500", "JPY", D("1500")),
        ("1.234", "KWD", D("1.234")),
        ("-3.00", "PEN", D("-3.00")),
    ],
)
def test_to_amount_accepts_and_quantises(
    value: str | int | Decimal, currency: str, expected: Decimal
) -> None:
    amount = to_amount(value, currency)
    assert amount == expected
    assert amount.as_tuple().exponent == -minor_units(currency)


@pytest.mark.parametrize(
    ("value", "currency"),
    [
        (10.5, "PEN"),  # floats are refused outright
        ("10.001", "PEN"),
        ("1000.505", "COP"),
        ("100.5", "JPY"),
        ("1.2345", "KWD"),
        ("abc", "PEN"),
        ("", "PEN"),
        ("NaN", "PEN"),
        ("Infinity", "PEN"),
    ],
)
def test_to_amount_refuses(value: object, currency: str) -> None:
    with pytest.raises(DomainError) as exc:
        to_amount(value, currency, "amount")  # type: ignore[arg-type]
    assert exc.value.code is ErrorCode.INVALID_AMOUNT
    assert exc.value.errors[0].field == "amount"


@pytest.mark.parametrize("value", ["0", "-0.01", "0.00"])
def test_positive_amount_refuses_zero_and_negatives(value: str) -> None:
    with pytest.raises(DomainError) as exc:
        positive_amount(value, "PEN", "originalAmount")
    assert (exc.value.code, exc.value.errors[0].field) == (ErrorCode.INVALID_AMOUNT, "originalAmount")


def test_validate_currency() -> None:
    assert validate_currency(" pen ") == "PEN"
    with pytest.raises(DomainError) as exc:
        validate_currency("XYZ")
    assert (exc.value.code, exc.value.errors[0].field) == (ErrorCode.INVALID_CURRENCY, "currency")
