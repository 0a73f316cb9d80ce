"""The nightly snapshot: every figure of a scope and currency on one day, aging included.

A snapshot of day D is taken once the tenant's day D has begun, from every debt of the tenant, so it
is the opening position of D (the close of D-1). Aging moves with the calendar, not with writes, so
overdue balances, buckets and debtor counts exist only here; consecutive snapshots give the KPIs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from domain.aging import AGING_BUCKETS, AgingBucket, bucket_of
from domain.entities import Debt, DebtState
from domain.summaries.figures import (
    COUNT_NAMES,
    FIGURE_NAMES,
    TENANT_SCOPE,
    Figures,
    figures_of,
    portfolio_scope,
)

ISSUE_MONTHS = 24
"""Months of billing (original amounts by issue month) kept in each snapshot for the DSO countback."""


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def months_back(day: date, count: int) -> list[str]:
    """`count` month keys ending with `day`'s month, newest first."""
    year, month, keys = day.year, day.month, []
    for _ in range(count):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return keys


def _zeros() -> dict[AgingBucket, Decimal]:
    return {b: Decimal(0) for b in AGING_BUCKETS}


@dataclass
class Snapshot:
    """One scope, one currency, one day."""

    scope: str
    currency: str
    day: date
    previous_day: date | None
    taken_at: datetime
    figures: Figures = field(default_factory=Figures)
    debtors: int = 0
    """Distinct debtors with an outstanding (open or disputed) balance."""
    overdue: Decimal = Decimal(0)
    """Balance of OPEN debts past their due date (disputed balances are not aged)."""
    aging: dict[AgingBucket, Decimal] = field(default_factory=_zeros)
    aging_counts: dict[AgingBucket, int] = field(default_factory=lambda: {b: 0 for b in AGING_BUCKETS})
    rolled: dict[AgingBucket, Decimal] = field(default_factory=_zeros)
    """By the bucket it left: balance of open debts in that bucket on `previous_day` and in a later
    one on `day` (the numerator of the roll rates)."""
    due_to_date: Decimal = Decimal(0)
    """Original amounts of every debt due before `day` (what has fallen due so far, cumulative)."""
    issued_by_month: dict[str, Decimal] = field(default_factory=dict)
    """Original amounts by issue month (`YYYY-MM`), for the last ISSUE_MONTHS months up to `day`."""

    def to_json(self) -> dict[str, Any]:
        return {
            "scope": self.scope,
            "currency": self.currency,
            "day": self.day.isoformat(),
            "previousDay": self.previous_day.isoformat() if self.previous_day else None,
            "takenAt": self.taken_at.isoformat(),
            "figures": {k: str(v) for k, v in self.figures.as_dict().items()},
            "debtors": self.debtors,
            "overdue": str(self.overdue),
            "aging": {b.value: str(v) for b, v in self.aging.items()},
            "agingCounts": {b.value: n for b, n in self.aging_counts.items()},
            "rolled": {b.value: str(v) for b, v in self.rolled.items()},
            "dueToDate": str(self.due_to_date),
            "issuedByMonth": {k: str(v) for k, v in sorted(self.issued_by_month.items())},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Snapshot:
        raw = data["figures"]
        values: dict[str, Any] = {
            n: int(raw[n]) if n in COUNT_NAMES else Decimal(raw[n]) for n in FIGURE_NAMES if n in raw
        }
        figures = Figures(**values)
        previous = data.get("previousDay")
        return cls(
            scope=data["scope"],
            currency=data["currency"],
            day=date.fromisoformat(data["day"]),
            previous_day=date.fromisoformat(previous) if previous else None,
            taken_at=datetime.fromisoformat(data["takenAt"]),
            figures=figures,
            debtors=int(data["debtors"]),
            overdue=Decimal(data["overdue"]),
            aging={b: Decimal(data["aging"].get(b.value, "0")) for b in AGING_BUCKETS},
            aging_counts={b: int(data["agingCounts"].get(b.value, 0)) for b in AGING_BUCKETS},
            rolled={b: Decimal(data["rolled"].get(b.value, "0")) for b in AGING_BUCKETS},
            due_to_date=Decimal(data["dueToDate"]),
            issued_by_month={k: Decimal(v) for k, v in data["issuedByMonth"].items()},
        )


class SnapshotBuilder:
    """Folds debts, one at a time (as the index pages arrive), into the snapshots of every scope."""

    def __init__(self, day: date, previous_day: date | None, taken_at: datetime) -> None:
        self.day, self.previous_day, self.taken_at = day, previous_day, taken_at
        self._months = frozenset(months_back(day, ISSUE_MONTHS))
        self._snapshots: dict[tuple[str, str], Snapshot] = {}
        self._debtors: dict[tuple[str, str], set[str]] = {}

    def add(self, debt: Debt) -> None:
        for scope in (portfolio_scope(debt.portfolio_id), TENANT_SCOPE):
            self._add(scope, debt)

    def _add(self, scope: str, debt: Debt) -> None:
        key = (scope, debt.currency)
        snap = self._snapshots.get(key)
        if snap is None:
            snap = Snapshot(scope, debt.currency, self.day, self.previous_day, self.taken_at)
            self._snapshots[key] = snap
            self._debtors[key] = set()
        snap.figures = snap.figures + figures_of(debt)
        state = debt.state
        if state in (DebtState.OPEN, DebtState.DISPUTED) and debt.balance > 0:
            self._debtors[key].add(debt.debtor_id)
        if state is DebtState.OPEN:
            bucket = bucket_of(debt.due_date, self.day)
            snap.aging[bucket] += debt.balance
            snap.aging_counts[bucket] += 1
            if bucket is not AgingBucket.CURRENT:
                snap.overdue += debt.balance
            if self.previous_day is not None:
                before = bucket_of(debt.due_date, self.previous_day)
                if AGING_BUCKETS.index(bucket) > AGING_BUCKETS.index(before):
                    snap.rolled[before] += debt.balance
        if debt.due_date < self.day:
            snap.due_to_date += debt.original_amount
        month = month_key(debt.issue_date)
        if debt.issue_date < self.day and month in self._months:
            snap.issued_by_month[month] = snap.issued_by_month.get(month, Decimal(0)) + debt.original_amount

    def snapshots(self) -> list[Snapshot]:
        for key, snap in self._snapshots.items():
            snap.debtors = len(self._debtors[key])
        return list(self._snapshots.values())
