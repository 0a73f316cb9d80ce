"""The payment plan entity, its instalments and states, and the tenant's plan settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum


class PlanStatus(StrEnum):
    ACTIVE = "ACTIVE"
    """Its debts are IN_PLAN: out of the cadence, reminded per instalment."""
    COMPLETED = "COMPLETED"
    """Payments to the covered debts reached the plan's total (or the debts were settled)."""
    BROKEN = "BROKEN"
    """An instalment stayed unpaid past the grace days; the debts went back to collection."""
    CANCELLED = "CANCELLED"


class Frequency(StrEnum):
    WEEKLY = "WEEKLY"
    BIWEEKLY = "BIWEEKLY"
    """Every 14 days."""
    MONTHLY = "MONTHLY"
    """The first due date's day of the month, or the month's last day when shorter (Jan 31 → Feb 28)."""


class InstalmentKind(StrEnum):
    DOWN_PAYMENT = "DOWN_PAYMENT"
    INSTALMENT = "INSTALMENT"


class InstalmentStatus(StrEnum):
    PENDING = "PENDING"
    PAID = "PAID"
    PARTIALLY_PAID = "PARTIALLY_PAID"
    MISSED = "MISSED"
    """Unpaid (or partly paid) past its due date plus the grace days: the plan broke on it."""


@dataclass
class Instalment:
    number: int
    """1, 2, … in due order (the down payment, when there is one, is number 1)."""
    kind: InstalmentKind
    due_date: date
    """Debtor-local day."""
    amount: Decimal
    paid: Decimal = Decimal(0)
    status: InstalmentStatus = InstalmentStatus.PENDING


@dataclass
class PaymentPlan:
    tenant: str
    id: str
    debtor_id: str
    debt_ids: list[str]
    currency: str
    total: Decimal
    """The covered debts' balance when the plan was made; the instalments add up to it exactly."""
    down_payment: Decimal
    frequency: Frequency
    first_due_date: date
    instalments: list[Instalment]
    grace_days: int
    """Copied from the tenant's settings when the plan was made (later changes do not move it)."""
    time_zone: str
    baseline_paid: dict[str, Decimal] = field(default_factory=dict)
    """Each covered debt's paid total when the plan was made: what was paid since is the increase."""
    status: PlanStatus = PlanStatus.ACTIVE
    paid: Decimal = Decimal(0)
    agent_id: str | None = None
    created_by: str = ""
    idempotency_key: str = ""
    portfolio_ids: list[str] = field(default_factory=list)
    note: str | None = None
    closed_at: datetime | None = None
    cancel_reason: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 0

    @property
    def active(self) -> bool:
        return self.status is PlanStatus.ACTIVE

    @property
    def remaining(self) -> Decimal:
        return max(self.total - self.paid, Decimal(0))

    def next_unpaid(self) -> Instalment | None:
        return next((i for i in self.instalments if i.paid < i.amount), None)


@dataclass(frozen=True)
class PlanSettings:
    """A tenant's plan rules; the defaults apply until an ADMIN changes them."""

    grace_days: int = 5
    """Days after an instalment's due date before an unpaid one breaks the plan."""
    max_instalments: int = 24
    max_first_due_days: int = 60
    """The first instalment is due at most this many days after the plan is made."""
    version: int = 0
