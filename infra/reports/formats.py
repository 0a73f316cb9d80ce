"""Excel number formats: money per currency (its minor units and symbol), dates, times."""

from __future__ import annotations

from functools import lru_cache

from babel.numbers import get_currency_symbol

from domain.money import minor_units

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
INTEGER_FORMAT = "#,##0"

_HOME_SYMBOLS = {"PEN": "S/"}
"""Symbols babel gives only in the currency's home locale, where they are unambiguous."""


@lru_cache(maxsize=256)
def money_format(currency: str, locale: str = "en") -> str:
    """E.g. `"S/" #,##0.00` for PEN, `"CLP" #,##0` for CLP (no decimals), `"$" #,##0.00` for USD."""
    symbol = _HOME_SYMBOLS.get(currency) or get_currency_symbol(currency, locale=locale)
    digits = minor_units(currency)
    number = "#,##0" + ("." + "0" * digits if digits else "")
    return f'"{symbol.replace(chr(34), "")}" {number}'
