"""Money and dates as written in each locale."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import DomainError, ErrorCode
from domain.templates import format_date, format_money


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        ("1234.50", "PEN", "es-PE", "S/ 1,234.50"),
        ("1234567", "COP", "es-CO", "$ 1.234.567"),
        ("1234567.00", "COP", "es-CO", "$ 1.234.567"),
        ("1234567.50", "COP", "es-CO", "$ 1.234.567,50"),  # cents are shown when there are some
        ("1234.50", "MXN", "es-MX", "$1,234.50"),
        ("1234567", "CLP", "es-CL", "$1.234.567"),
        ("1234.50", "USD", "en-US", "$1,234.50"),
        ("1234.5", "USD", "en-US", "$1,234.50"),  # the currency's minor digits
        ("0", "PEN", "es-PE", "S/ 0.00"),
        ("1234.50", "USD", "es-PE", "USD 1,234.50"),
        ("1234.50", "PEN", "es_PE", "S/ 1,234.50"),
    ],
)
def test_money_is_written_as_in_each_country(amount: str, currency: str, locale: str, expected: str) -> None:
    assert format_money(Decimal(amount), currency, locale) == expected


def test_money_uses_plain_spaces_only() -> None:
    # CLDR's no-break spaces are not in the GSM-7 alphabet: an SMS would become UCS-2 for nothing.
    assert "\xa0" not in format_money(Decimal("1.00"), "PEN", "es-PE")
    assert "\u202f" not in format_money(Decimal("1"), "COP", "es-CO")


def test_money_refuses_floats_unknown_currencies_and_locales() -> None:
    with pytest.raises(DomainError) as err:
        format_money(1.5, "USD", "en-US")  # type: ignore[arg-type]
    assert err.value.code is ErrorCode.INVALID_AMOUNT
    with pytest.raises(DomainError) as err:
        format_money(Decimal(1), "XXQ", "en-US")
    assert err.value.code is ErrorCode.INVALID_CURRENCY
    with pytest.raises(DomainError) as err:
        format_money(Decimal(1), "USD", "zz-??")
    assert err.value.code is ErrorCode.INVALID_LOCALE


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("es-PE", "15 de diciembre de 2026"),
        ("es-CO", "15 de diciembre de 2026"),
        ("es-MX", "15 de diciembre de 2026"),
        ("es-CL", "15 de diciembre de 2026"),
        ("en-US", "December 15, 2026"),
    ],
)
def test_dates_use_the_long_local_form(locale: str, expected: str) -> None:
    assert format_date(date(2026, 12, 15), locale) == expected


def test_an_unknown_locale_is_a_domain_error_for_dates() -> None:
    with pytest.raises(DomainError) as err:
        format_date(date(2026, 1, 1), "not a locale")
    assert err.value.code is ErrorCode.INVALID_LOCALE
