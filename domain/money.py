"""Money: Decimal amounts quantised to the currency's ISO 4217 minor units (data from babel)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel.numbers import get_currency_precision, list_currencies

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


def minor_units(currency: str) -> int:
    return int(get_currency_precision(currency))


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
