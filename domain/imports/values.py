"""Cell values → dates and decimal amounts: ISO and local date forms, Excel serials, locale decimals."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from domain.errors import DomainError, ErrorCode

_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01 with Lotus' leap-year bug kept by Excel
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?$")
_LOCAL = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})(?: .*)?$")


@dataclass(frozen=True)
class NumberFormat:
    """How a file writes numbers and dates: from the tenant's locale unless the import says."""

    decimal: str = "."
    day_first: bool = True

    @property
    def group(self) -> str:
        return "," if self.decimal == "." else "."

    @classmethod
    def for_locale(cls, locale: str | None, decimal: str | None = None) -> NumberFormat:
        """`es-CO` → decimal comma, day first; `en-US` → decimal point, month first."""
        from babel import Locale, UnknownLocaleError
        from babel.numbers import get_decimal_symbol

        tag = (locale or "es").replace("-", "_")
        try:
            symbol = get_decimal_symbol(Locale.parse(tag))
        except (UnknownLocaleError, ValueError):
            symbol = "."
        day_first = not tag.upper().endswith("_US")
        chosen = decimal if decimal in (".", ",") else ("," if symbol == "," else ".")
        return cls(decimal=chosen, day_first=day_first)


def excel_serial_date(serial: float, field: str) -> date:
    if not 1 <= serial < 2958466:
        raise DomainError(ErrorCode.INVALID_DATE, f"{serial} is not a spreadsheet date", field)
    return _EXCEL_EPOCH + timedelta(days=int(serial))


def parse_date(value: object, fmt: NumberFormat, field: str) -> date | None:
    """`2026-01-31`, `31/01/2026`, `31-01-2026`, `31.01.26`, a date cell, or an Excel serial."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return excel_serial_date(float(value), field)
    text = str(value).strip()
    if not text:
        return None
    try:
        if m := _ISO.match(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _LOCAL.match(text):
            first, second, year = int(m[1]), int(m[2]), int(m[3])
            year += 2000 if year < 100 else 0
            day, month = (first, second) if fmt.day_first else (second, first)
            return date(year, month, day)
        if re.fullmatch(r"\d{5}(\.0+)?", text):
            return excel_serial_date(float(text), field)
    except ValueError:
        pass
    order = "dd/mm/yyyy" if fmt.day_first else "mm/dd/yyyy"
    raise DomainError(ErrorCode.INVALID_DATE, f"'{text}' is not a date (use yyyy-mm-dd or {order})", field)


_AMOUNT_CHARS = re.compile(r"^[+-]?[\d.,]+$")


def parse_amount(value: object, fmt: NumberFormat, field: str) -> Decimal | None:
    """`1.234,56` (decimal comma) or `1,234.56` (decimal point) by the file's format.

    A number cell is taken through its shortest text form, never through float arithmetic. A
    separator that is not this format's decimal is a thousands separator only before groups of three
    digits; anything else (`12,5` in a decimal-point file) is refused rather than guessed.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise DomainError(ErrorCode.INVALID_AMOUNT, "an amount is a number", field)
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = re.sub(r"[\s\u00a0'$€£]|S/\.?|[A-Z]{3}", "", str(value).strip())
    if not text:
        return None
    if not _AMOUNT_CHARS.match(text):
        raise DomainError(ErrorCode.INVALID_AMOUNT, f"'{value}' is not an amount", field)
    whole, _, decimals = text.rpartition(fmt.decimal) if fmt.decimal in text else (text, "", "")
    if fmt.decimal in whole:
        raise DomainError(ErrorCode.INVALID_AMOUNT, f"'{value}' has more than one decimal separator", field)
    sign = whole[:1] if whole[:1] in "+-" else ""
    groups = whole[len(sign) :].split(fmt.group)
    if len(groups) > 1 and (not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:])):
        name = "comma" if fmt.decimal == "," else "point"
        raise DomainError(
            ErrorCode.INVALID_AMOUNT,
            f"'{value}' does not fit this file's decimal {name} (e.g. "
            f"{'1.234,56' if fmt.decimal == ',' else '1,234.56'})",
            field,
        )
    try:
        return Decimal(sign + "".join(groups) + ("." + decimals if decimals else ""))
    except InvalidOperation:
        raise DomainError(ErrorCode.INVALID_AMOUNT, f"'{value}' is not an amount", field) from None
