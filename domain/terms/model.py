"""Extensions, discount offers and the tenant's extension settings (plain dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum


@dataclass
class DebtExtension:
    """One prórroga: the due date moved from `previous_due_date` to `new_due_date`. Never changed."""

    tenant: str
    id: str
    debtor_id: str
    debt_id: str
    previous_due_date: date
    new_due_date: date
    reason: str
    created_by: str
    created_at: datetime
    version: int = 0

    @property
    def days(self) -> int:
        return (self.new_due_date - self.previous_due_date).days


@dataclass(frozen=True)
class ExtensionSettings:
    """A tenant's extension caps; the defaults apply until an ADMIN changes them."""

    max_extensions_per_debt: int = 2
    max_days_per_extension: int = 60
    """Counted from the later of the current due date and today (debtor-local): an overdue debt
    gets at most this many days from today."""
    version: int = 0


class OfferStatus(StrEnum):
    ACTIVE = "ACTIVE"
    """Open: a payment before `expires_at` that leaves at most the discount owed settles it."""
    SETTLED = "SETTLED"
    EXPIRED = "EXPIRED"
    """`expires_at` passed unpaid (shown at once; stored when a new offer replaces it)."""
    CANCELLED = "CANCELLED"


@dataclass
class OfferLine:
    """The offer in one currency: the balance when offered, the discount and what is left to pay."""

    currency: str
    balance: Decimal
    discount: Decimal
    credited: Decimal = Decimal(0)
    """What the settlement credited (at most `discount`: less when the debtor paid more)."""

    @property
    def to_pay(self) -> Decimal:
        return self.balance - self.discount


@dataclass
class DiscountOffer:
    tenant: str
    id: str
    debtor_id: str
    debt_ids: list[str]
    lines: list[OfferLine]
    valid_until: date
    """The last debtor-local day the offer holds."""
    expires_at: datetime
    """The end of `valid_until` in the debtor's zone, as a UTC instant."""
    time_zone: str
    percent: Decimal | None = None
    amount: Decimal | None = None
    """Exactly one of `percent` and `amount` (a fixed discount in the debts' one currency)."""
    status: OfferStatus = OfferStatus.ACTIVE
    note: str | None = None
    created_by: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    closed_at: datetime | None = None
    payment_id: str | None = None
    """The payment that settled it."""
    cancel_reason: str | None = None
    adjustment_ids: list[str] = field(default_factory=list)
    version: int = 0

    def status_at(self, now: datetime) -> OfferStatus:
        """The status as seen at `now`: an active offer past its end reads EXPIRED."""
        if self.status is OfferStatus.ACTIVE and now >= self.expires_at:
            return OfferStatus.EXPIRED
        return self.status

    def line(self, currency: str) -> OfferLine | None:
        return next((x for x in self.lines if x.currency == currency), None)
