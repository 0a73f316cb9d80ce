"""Money and dates as people write them in each locale (CLDR data through babel)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.dates import format_date as babel_date
from babel.numbers import format_currency

_NO_CENTS_BY_CUSTOM = {"COP"}
"""Currencies written without cents in daily use (ISO gives COP two decimals; nobody writes them)."""


def _babel_locale(locale: str) -> str:
    return locale.replace("-", "_")


def format_money(amount: Decimal, currency: str, locale: str) -> str:
    """`S/ 1,234.50` (es-PE, PEN), `$ 1.234.567` (es-CO, COP), `$1,234.50` (en-US, USD). Spaces are
    plain (CLDR's no-break spaces are not in the SMS alphabet)."""
    loc = _babel_locale(locale)
    value = Decimal(amount)
    if currency in _NO_CENTS_BY_CUSTOM and value == value.to_integral_value():
        text = format_currency(value, currency, format="¤ #,##0", locale=loc, currency_digits=False)
    elif currency in _NO_CENTS_BY_CUSTOM:
        text = format_currency(value, currency, format="¤ #,##0.00", locale=loc, currency_digits=False)
    else:
        text = format_currency(value, currency, locale=loc, currency_digits=True)
    return text.replace("\xa0", " ").replace("\u202f", " ")


def format_date(day: date, locale: str) -> str:
    """The long form: `15 de diciembre de 2026` (es-*), `December 15, 2026` (en-US)."""
    return babel_date(day, "long", locale=_babel_locale(locale))
