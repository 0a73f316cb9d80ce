"""The pure terms rules: percent rounding per currency, the offer's end, extension limits."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from domain.entities import Debt, DebtKind
from domain.errors import DomainError, ErrorCode
from domain.terms import rules
from domain.terms.model import DebtExtension, ExtensionSettings


@pytest.mark.parametrize(
    ("balance", "percent", "currency", "discount"),
    [
        ("1001", "15", "JPY", "150"),  # 150.15 off rounds down: the debtor pays 851
        ("9999", "33.33", "CLP", "3332"),  # 3332.6667 → 3332
        ("999", "0.05", "CLP", "0"),  # less than one peso off is nothing off
        ("100.00", "12.5", "PEN", "12.50"),
        ("33.33", "10", "PEN", "3.33"),  # 3.333 → 3.33
        ("10.005", "50", "KWD", "5.002"),  # three minor units
    ],
)
def test_percent_discounts_round_down_to_the_currency_minor_units(
    balance: str, percent: str, currency: str, discount: str
) -> None:
    found = rules.percent_discount(Decimal(balance), Decimal(percent), currency)
    assert found == Decimal(discount) and str(found) == discount


def _debt(currency: str, amount: str, due: date = date(2026, 3, 10)) -> Debt:
    return Debt(
        "acme",
        f"d-{currency}-{amount}",
        "dr",
        "pf",
        "x",
        DebtKind.INVOICE,
        currency,
        Decimal(amount),
        due,
        due,
    )


def test_offer_lines_are_per_currency_with_what_is_left_to_pay() -> None:
    lines = rules.offer_lines(
        [_debt("JPY", "1001"), _debt("PEN", "50.00"), _debt("PEN", "50.01")], Decimal(15), None
    )
    assert [(x.currency, x.balance, x.discount, x.to_pay) for x in lines] == [
        ("JPY", Decimal(1001), Decimal(150), Decimal(851)),
        ("PEN", Decimal("100.01"), Decimal("15.00"), Decimal("85.01")),
    ]


def test_the_offer_ends_at_the_end_of_the_last_day_in_the_debtors_zone() -> None:
    assert rules.offer_end(date(2026, 3, 31), "America/Lima") == datetime(2026, 4, 1, 5, 0, tzinfo=UTC)
    assert rules.offer_end(date(2026, 3, 31), "Asia/Tokyo") == datetime(2026, 3, 31, 15, 0, tzinfo=UTC)


def _ext(n: int, new: date) -> DebtExtension:
    at = datetime(2026, 3, n, tzinfo=UTC)
    return DebtExtension("acme", f"e{n}", "dr", "d", date(2026, 3, 1), new, "r", "u", at)


def _refused(
    debt: Debt, history: list[DebtExtension], new: date, today: date, settings: ExtensionSettings
) -> str:
    with pytest.raises(DomainError) as err:
        rules.check_extension(debt, history, new, today, settings)
    return f"{err.value.code.value}:{err.value.errors[0].field}"


def test_extension_limits() -> None:
    debt, today, s = _debt("PEN", "10.00"), date(2026, 3, 15), ExtensionSettings()
    rules.check_extension(debt, [], date(2026, 5, 14), today, s)  # 60 days from today (the debt is overdue)
    assert _refused(debt, [], date(2026, 5, 15), today, s) == "EXTENSION_TOO_LONG:newDueDate"
    assert _refused(debt, [], date(2026, 3, 10), today, s) == "INVALID_DATE:newDueDate"
    rules.check_extension(debt, [], date(2026, 3, 12), today, s)  # later, though still overdue, is allowed
    future = _debt("PEN", "10.00", date(2026, 4, 1))
    rules.check_extension(future, [], date(2026, 5, 31), today, s)  # 60 days from the due date
    two = [_ext(1, date(2026, 3, 5)), _ext(2, date(2026, 3, 10))]
    assert _refused(debt, two, date(2026, 4, 1), today, s) == "EXTENSION_LIMIT_REACHED:debtId"
    debt.written_off = True
    assert _refused(debt, [], date(2026, 4, 1), today, s) == "INVALID_STATE:debtId"


def test_original_due_date_and_replay() -> None:
    debt = _debt("PEN", "10.00", date(2026, 3, 10))
    history = [_ext(2, date(2026, 3, 10)), _ext(1, date(2026, 3, 5))]
    assert rules.original_due_date(debt.due_date, history) == date(2026, 3, 1)
    assert rules.original_due_date(debt.due_date, []) == date(2026, 3, 10)
    assert rules.is_replay(debt, sorted(history, key=lambda x: x.created_at), date(2026, 3, 10))
    assert not rules.is_replay(debt, [], date(2026, 3, 10))
    assert ErrorCode.EXTENSION_TOO_LONG.value == "EXTENSION_TOO_LONG"
