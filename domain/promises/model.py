"""The promise entity, its states and the tenant's promise settings (plain dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from domain.entities import Channel


class PromiseStatus(StrEnum):
    PENDING = "PENDING"
    """Open: the debts' cadence is paused until the deadline."""
    KEPT = "KEPT"
    """Payments allocated to the promised debts reached the amount by the deadline."""
    PARTIALLY_KEPT = "PARTIALLY_KEPT"
    """The deadline passed with some, but not enough, payment."""
    BROKEN = "BROKEN"
    """The deadline passed without payment."""
    CANCELLED = "CANCELLED"


CLOSED = frozenset(
    {PromiseStatus.KEPT, PromiseStatus.PARTIALLY_KEPT, PromiseStatus.BROKEN, PromiseStatus.CANCELLED}
)


@dataclass
class Promise:
    tenant: str
    id: str
    debtor_id: str
    debt_ids: list[str]
    amount: Decimal
    currency: str
    promised_date: date
    """The debtor-local day the debtor promised to pay by."""
    deadline: datetime
    """UTC instant the promise is judged at: the end of `promised_date + grace days` in the debtor's
    zone. Until then the promised debts' cadence is paused."""
    channel: Channel
    status: PromiseStatus = PromiseStatus.PENDING
    kept_amount: Decimal = Decimal(0)
    """Allocations to the promised debts from unreversed payments paid in [recorded_at, deadline]."""
    agent_id: str | None = None
    """The agent who took it (or the debtor's assigned agent when a supervisor did)."""
    created_by: str = ""
    approved_by: str | None = None
    """The supervisor or admin who accepted it although the debtor had broken too many promises."""
    note: str | None = None
    idempotency_key: str = ""
    recorded_at: datetime | None = None
    """The device's clock when the promise was taken (offline); `created_at` is the server's."""
    time_zone: str = "UTC"
    portfolio_ids: list[str] = field(default_factory=list)
    closed_at: datetime | None = None
    cancel_reason: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 0

    @property
    def pending(self) -> bool:
        return self.status is PromiseStatus.PENDING

    @property
    def taken_at(self) -> datetime:
        """Where the payment window starts: when the promise was taken."""
        return self.recorded_at or self.created_at or self.deadline


@dataclass(frozen=True)
class PromiseSettings:
    """A tenant's promise rules; the defaults apply until an ADMIN changes them."""

    horizon_days: int = 30
    """The promised date is at most this many days after the day the promise is taken."""
    grace_days: int = 2
    """Days after the promised date before an unpaid promise is broken."""
    broken_threshold: int = 2
    """A debtor with this many broken promises within `broken_window_days` needs a supervisor to
    accept a new one (0: never)."""
    broken_window_days: int = 90
    version: int = 0
