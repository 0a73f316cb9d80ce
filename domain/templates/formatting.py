"""Money and dates as people write them in each locale (CLDR data through babel)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_date
from babel.numbers import format_currency

from domain.contacts import validate_locale
from domain.errors import DomainError, ErrorCode
from domain.money import validate_currency

NO_CENTS_BY_CUSTOM = frozenset({"COP"})
"""Currencies written without cents in daily use although ISO 4217 gives them two decimals (Colombians
write `$ 1.234.567`). Cents are still shown when an amount has them, so no amount is ever misstated."""


@lru_cache(maxsize=64)
def babel_locale(locale: str) -> Locale:
    """The babel `Locale` for `es-PE` or `es_PE`; `DomainError(INVALID_LOCALE)` when babel has no data."""
    code = validate_locale(locale, "locale")
    try:
        return Locale.parse(code.replace("-", "_"))
    except (ValueError, UnknownLocaleError):  # pragma: no cover - validate_locale already parsed it
        raise DomainError(
            ErrorCode.INVALID_LOCALE, f"'{locale}' is not a supported locale", "locale"
        ) from None


def _plain_spaces(text: str) -> str:
    # CLDR puts no-break spaces in some patterns; they are not in the SMS alphabet and mean nothing here.
    return text.replace("\xa0", " ").replace("\u202f", " ")


def format_money(amount: Decimal, currency: str, locale: str) -> str:
    """`amount` in `currency` as written in `locale`, with the currency's standard minor digits:
    `S/ 1,234.50` (es-PE, PEN), `$ 1.234.567` (es-CO, COP), `$1,234.50` (es-MX, MXN),
    `$1.234.567` (es-CL, CLP), `$1,234.50` (en-US, USD). Spaces are plain spaces.

    Raises `DomainError` for a float amount, an unknown currency or an unknown locale.
    """
    if not isinstance(amount, Decimal | int):
        raise DomainError(ErrorCode.INVALID_AMOUNT, "amounts are decimals, not floats", "amount")
    code = validate_currency(currency)
    loc = babel_locale(locale)
    value = Decimal(amount)
    if code in NO_CENTS_BY_CUSTOM:
        pattern = "¤ #,##0" if value == value.to_integral_value() else "¤ #,##0.00"
        text = format_currency(value, code, format=pattern, locale=loc, currency_digits=False)
    else:
        text = format_currency(value, code, locale=loc, currency_digits=True)
    return _plain_spaces(text)


def format_date(d: date, locale: str) -> str:
    """The CLDR long form: `15 de diciembre de 2026` (es-PE, es-CO, es-MX, es-CL), `December 15, 2026`
    (en-US). Raises `DomainError(INVALID_LOCALE)` for an unknown locale."""
    return _plain_spaces(babel_date(d, "long", locale=babel_locale(locale)))
