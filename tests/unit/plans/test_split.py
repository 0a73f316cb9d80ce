"""The split is exact to the minor unit (the last instalment absorbs the rounding) and the due dates
follow the frequency, MONTHLY clamped to short months."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.plans.model import Frequency, InstalmentKind
from domain.plans.rules import due_dates, schedule, split

D = Decimal


@pytest.mark.parametrize(
    ("total", "count", "currency", "expected"),
    [
        ("100.00", 3, "PEN", ["33.33", "33.33", "33.34"]),
        ("100.00", 1, "PEN", ["100.00"]),
        ("0.05", 3, "USD", ["0.01", "0.01", "0.03"]),
        ("10000", 3, "JPY", ["3333", "3333", "3334"]),
        ("100001", 7, "CLP", ["14285", "14285", "14285", "14285", "14285", "14285", "14291"]),
        ("10.000", 3, "KWD", ["3.333", "3.333", "3.334"]),
    ],
)
def test_instalments_add_up_exactly_in_the_currencys_minor_units(
    total: str, count: int, currency: str, expected: list[str]
) -> None:
    amounts = split(D(total), count, currency)
    assert [str(a) for a in amounts] == expected
    assert sum(amounts, D(0)) == D(total)


@pytest.mark.parametrize("count", range(1, 25))
@pytest.mark.parametrize(("total", "currency"), [("1234.56", "PEN"), ("987654", "CLP"), ("99999", "JPY")])
def test_every_split_is_exact_and_never_has_more_digits_than_the_currency(
    total: str, currency: str, count: int
) -> None:
    amounts = split(D(total), count, currency)
    assert len(amounts) == count and sum(amounts, D(0)) == D(total)
    exponent = -2 if currency == "PEN" else 0
    assert all(a.as_tuple().exponent >= exponent for a in amounts)  # type: ignore[operator]
    assert max(amounts) - min(amounts) < count * D(1).scaleb(exponent)


def test_a_down_payment_comes_first_today_and_the_rest_is_split() -> None:
    today = date(2026, 3, 15)
    got = schedule(D("500.00"), D("200.00"), 3, Frequency.MONTHLY, date(2026, 4, 10), today, "PEN")
    assert [(i.number, i.kind, i.due_date, str(i.amount)) for i in got] == [
        (1, InstalmentKind.DOWN_PAYMENT, today, "200.00"),
        (2, InstalmentKind.INSTALMENT, date(2026, 4, 10), "100.00"),
        (3, InstalmentKind.INSTALMENT, date(2026, 5, 10), "100.00"),
        (4, InstalmentKind.INSTALMENT, date(2026, 6, 10), "100.00"),
    ]
    no_down = schedule(D("100.00"), D(0), 3, Frequency.WEEKLY, today, today, "PEN")
    assert [i.kind for i in no_down] == [InstalmentKind.INSTALMENT] * 3
    assert sum((i.amount for i in no_down), D(0)) == D("100.00")


def test_weekly_and_biweekly_steps() -> None:
    start = date(2026, 12, 24)
    assert due_dates(start, 3, Frequency.WEEKLY) == [date(2026, 12, 24), date(2026, 12, 31), date(2027, 1, 7)]
    assert due_dates(start, 3, Frequency.BIWEEKLY) == [
        date(2026, 12, 24),
        date(2027, 1, 7),
        date(2027, 1, 21),
    ]


def test_monthly_keeps_the_day_and_clamps_to_the_end_of_shorter_months() -> None:
    assert due_dates(date(2026, 1, 31), 4, Frequency.MONTHLY) == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]
    assert due_dates(date(2028, 1, 31), 2, Frequency.MONTHLY)[1] == date(2028, 2, 29)  # leap year
    assert due_dates(date(2026, 11, 30), 3, Frequency.MONTHLY) == [
        date(2026, 11, 30),
        date(2026, 12, 30),
        date(2027, 1, 30),
    ]
