"""A debtor's work state: what the queue and the risk score know about it (one item per debtor)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from domain.entities import Debtor
from domain.policy import Decision
from domain.risk.factors import Factor
from domain.risk.score import RiskScore


@dataclass(frozen=True)
class Priority:
    score: int
    factors: tuple[Factor, ...]


@dataclass
class WorkState:
    """Derived from the ledger (refreshed after every change and nightly) plus the signals the
    promise and interaction features send. `agent_id` and `priority` place the debtor in its agent's
    queue; `due_at` in the agent's "due today" list."""

    tenant: str
    debtor_id: str
    time_zone: str = "UTC"
    agent_id: str | None = None
    risk: RiskScore | None = None
    priority: Priority | None = None
    """The base priority (time-independent at read); None: nothing open, not in any queue."""
    overdue: dict[str, Decimal] = field(default_factory=dict)
    """Overdue balance per currency (never summed across currencies)."""
    days_past_due: int = 0
    last_contact_at: datetime | None = None
    callback_at: datetime | None = None
    promises: dict[str, date] = field(default_factory=dict)
    """Open promises to pay: promise id → the debtor-local day it is due."""
    broken_at: list[datetime] = field(default_factory=list)
    """When promises were broken (the newest few)."""
    refreshed_at: datetime | None = None
    version: int = 0

    @property
    def in_queue(self) -> bool:
        return self.agent_id is not None and self.priority is not None

    def due_at(self) -> datetime | None:
        """The earliest pending callback or promise (its day's start, UTC), for the due list."""
        from domain.queues.priority import day_start

        candidates = [day_start(d, self.time_zone) for d in self.promises.values()]
        if self.callback_at is not None:
            candidates.append(self.callback_at)
        return min(candidates) if candidates and self.in_queue else None


@dataclass(frozen=True)
class QueueEntry:
    debtor_id: str
    priority: Priority
    cursor: str
    debtor: Debtor | None = None
    """The debtor as read for the page (so the API needs no second read)."""
    contact: Decision | None = None
    """May the agent call now: SEND, DEFER (until) or BLOCK (None when not evaluated)."""
