"""The terms rules as pure functions: extension limits, discount rounding, offer end, settlement."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal

from domain.campaigns.cadence import local_instant
from domain.entities import Debt, DebtState
from domain.errors import DomainError, ErrorCode
from domain.money import quantum
from domain.terms.model import DebtExtension, DiscountOffer, ExtensionSettings, OfferLine

HUNDRED = Decimal(100)


def check_extension(
    debt: Debt, history: list[DebtExtension], new_due: date, today: date, settings: ExtensionSettings
) -> None:
    """Refuse an extension the tenant's rules do not allow (state, cap, direction, length)."""
    if debt.state is not DebtState.OPEN:
        raise DomainError(ErrorCode.INVALID_STATE, f"a {debt.state.value} debt cannot be extended", "debtId")
    if len(history) >= settings.max_extensions_per_debt:
        raise DomainError(
            ErrorCode.EXTENSION_LIMIT_REACHED,
            f"the debt was already extended {len(history)} times (the tenant allows "
            f"{settings.max_extensions_per_debt})",
            "debtId",
        )
    if new_due <= debt.due_date:
        raise DomainError(
            ErrorCode.INVALID_DATE, f"the new due date must be after {debt.due_date}", "newDueDate"
        )
    start = max(debt.due_date, today)
    last = start + timedelta(days=settings.max_days_per_extension)
    if new_due > last:
        raise DomainError(
            ErrorCode.EXTENSION_TOO_LONG,
            f"an extension reaches at most {last} ({settings.max_days_per_extension} days from {start})",
            "newDueDate",
        )


def is_replay(debt: Debt, history: list[DebtExtension], new_due: date) -> bool:
    """Extending to the date the last extension already set, and still set, is the same request again."""
    return bool(history) and history[-1].new_due_date == new_due == debt.due_date


def original_due_date(debt_due: date, history: Iterable[DebtExtension]) -> date:
    """The due date before the first extension (the current one when never extended)."""
    first = min(history, key=lambda x: (x.created_at, x.id), default=None)
    return first.previous_due_date if first is not None else debt_due


def percent_discount(balance: Decimal, percent: Decimal, currency: str) -> Decimal:
    """`percent` of `balance`, rounded DOWN to the currency's minor units: the discount never exceeds
    the stated percent, so the debtor pays the discounted balance rounded up (JPY 1001 at 15%:
    150.15 off is 150 off, 851 to pay)."""
    return (balance * percent / HUNDRED).quantize(quantum(currency), rounding=ROUND_DOWN)


def offer_lines(debts: Iterable[Debt], percent: Decimal | None, amount: Decimal | None) -> list[OfferLine]:
    """One line per currency: the debts' balance, the discount (percent per currency, or the fixed
    amount in the debts' one currency), in currency order."""
    totals: dict[str, Decimal] = {}
    for debt in debts:
        totals[debt.currency] = totals.get(debt.currency, Decimal(0)) + debt.balance
    lines = []
    for currency, balance in sorted(totals.items()):
        if percent is not None:
            discount = percent_discount(balance, percent, currency)
        else:
            discount = amount if amount is not None else Decimal(0)
        lines.append(OfferLine(currency=currency, balance=balance, discount=discount))
    return lines


def offer_end(valid_until: date, time_zone: str) -> datetime:
    """The end of `valid_until` in the debtor's zone (midnight starting the next day), as UTC."""
    return local_instant(valid_until + timedelta(days=1), time(0, 0), time_zone)


def settles(offer: DiscountOffer, debts: Iterable[Debt], paid_at: datetime) -> bool:
    """Whether a payment made at `paid_at` settles the offer: before its end, with no offered debt
    disputed or written off, and in every currency no more than the discount still owed."""
    if paid_at >= offer.expires_at:
        return False
    owed: dict[str, Decimal] = {line.currency: Decimal(0) for line in offer.lines}
    for debt in debts:
        if debt.state in (DebtState.DISPUTED, DebtState.WRITTEN_OFF):
            return False
        if debt.state is DebtState.OPEN:
            owed[debt.currency] = owed.get(debt.currency, Decimal(0)) + debt.balance
    for currency, remaining in owed.items():
        line = offer.line(currency)
        if line is None or remaining > line.discount:
            return False
    return True
