"""Money: Decimal amounts quantised to the currency's ISO 4217 minor units.

The currency list comes from babel, but not the minor units: CLDR's digits are display digits and change
between releases (CLDR 47 shows COP without decimals), while a ledger needs the ISO 4217 exponent, which
is 2 for every currency except those listed here (ISO 4217 list one, 2024 edition).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel.numbers import list_currencies

from domain.errors import DomainError, ErrorCode


@lru_cache(maxsize=1)
def _currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def is_currency(code: str) -> bool:
    return code in _currencies()


def validate_currency(code: str, field: str = "currency") -> str:
    code = (code or "").strip().upper()
    if not is_currency(code):
        raise DomainError(ErrorCode.INVALID_CURRENCY, f"'{code}' is not an ISO 4217 currency", field)
    return code


_ISO_EXPONENTS: dict[int, frozenset[str]] = {
    0: frozenset(
        [
            "BIF",
            "CLP",
            "DJF",
            "GNF",
            "ISK",
            "JPY",
            "KMF",
            "KRW",
            "PYG",
            "RWF",
            "UGX",
            "UYI",
            "VND",
            "VUV",
            "XAF",
            "XOF",
            "XPF",
        ]
    ),
    3: frozenset(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]),
    4: frozenset(["CLF", "UYW"]),
}


def minor_units(currency: str) -> int:
    """ISO 4217 minor units: 0, 3 or 4 for the listed currencies, 2 for every other."""
    for exponent, codes in _ISO_EXPONENTS.items():
        if currency in codes:
            return exponent
    return 2


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def to_amount(value: Decimal | str | int, currency: str, field: str = "amount") -> Decimal:
    """Parse an amount, refusing floats, non-finite values and more decimals than the currency has."""
    if isinstance(value, float):
        raise DomainError(ErrorCode.INVALID_AMOUNT, "amounts are decimals, not floats", field)
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(ErrorCode.INVALID_AMOUNT, f"'{value}' is not a decimal amount", field) from None
    if not amount.is_finite():
        raise DomainError(ErrorCode.INVALID_AMOUNT, "amount must be finite", field)
    q = quantum(currency)
    if amount != amount.quantize(q):
        raise DomainError(
            ErrorCode.INVALID_AMOUNT,
            f"{currency} has {minor_units(currency)} decimal places; '{value}' has more",
            field,
        )
    return amount.quantize(q)


def positive_amount(value: Decimal | str | int, currency: str, field: str = "amount") -> Decimal:
    amount = to_amount(value, currency, field)
    if amount <= 0:
        raise DomainError(ErrorCode.INVALID_AMOUNT, "amount must be greater than zero", field)
    return amount


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
