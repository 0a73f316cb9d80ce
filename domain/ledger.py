"""Derived ledger figures: status, days past due, aging, and payment allocation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from domain.entities import AgingBucket, Allocation, Debt, DebtState, DebtStatus
from domain.errors import DomainError, ErrorCode

_BUCKETS: list[tuple[int, AgingBucket]] = [
    (0, AgingBucket.CURRENT),
    (30, AgingBucket.DPD_1_30),
    (60, AgingBucket.DPD_31_60),
    (90, AgingBucket.DPD_61_90),
    (120, AgingBucket.DPD_91_120),
]


def days_past_due(due_date: date, today: date) -> int:
    """Whole days since the due date; zero on or before it."""
    return max(0, (today - due_date).days)


def aging_bucket(dpd: int) -> AgingBucket:
    for upper, bucket in _BUCKETS:
        if dpd <= upper:
            return bucket
    return AgingBucket.DPD_120_PLUS


def debt_status(debt: Debt, today: date) -> DebtStatus:
    state = debt.state
    if state is DebtState.OPEN and debt.plan_id:
        return DebtStatus.IN_PLAN
    if state is DebtState.OPEN:
        return DebtStatus.OVERDUE if today > debt.due_date else DebtStatus.CURRENT
    return DebtStatus(state.value)


def bucket_due_range(bucket: AgingBucket, today: date) -> tuple[date | None, date | None]:
    """The due-date range (inclusive) whose open debts fall into `bucket` on `today`."""
    bounds: tuple[int | None, int | None] = {
        AgingBucket.CURRENT: (None, 0),
        AgingBucket.DPD_1_30: (1, 30),
        AgingBucket.DPD_31_60: (31, 60),
        AgingBucket.DPD_61_90: (61, 90),
        AgingBucket.DPD_91_120: (91, 120),
        AgingBucket.DPD_120_PLUS: (121, None),
    }[bucket]
    return dpd_due_range(bounds[0], bounds[1], today)


def dpd_due_range(min_dpd: int | None, max_dpd: int | None, today: date) -> tuple[date | None, date | None]:
    """Translate a days-past-due range into the inclusive due-date range it covers on `today`."""
    due_from = today - timedelta(days=max_dpd) if max_dpd is not None else None
    due_to = today - timedelta(days=min_dpd) if min_dpd is not None else None
    return due_from, due_to


@dataclass(frozen=True)
class AllocationPlan:
    allocations: list[Allocation]
    unapplied: Decimal


def allocate(
    amount: Decimal,
    open_debts: Sequence[Debt],
    explicit: Sequence[Allocation] | None = None,
) -> AllocationPlan:
    """Split a payment over open debts.

    Explicit allocations are honoured as given (each at most the debt's balance); otherwise the
    payment goes to the debts of an active payment plan first, then the oldest due date first (ties
    by issue date, then id). What is left over is the debtor's unapplied credit. The allocated sum
    plus the unapplied rest always equals `amount`.
    """
    by_id = {d.id: d for d in open_debts}
    allocations: list[Allocation] = []
    if explicit:
        total = Decimal(0)
        seen: set[str] = set()
        for i, item in enumerate(explicit):
            field = f"allocations[{i}]"
            debt = by_id.get(item.debt_id)
            if debt is None:
                raise DomainError(ErrorCode.INVALID_ALLOCATION, "debt is not open for this debtor", field)
            if item.debt_id in seen:
                raise DomainError(ErrorCode.INVALID_ALLOCATION, "debt allocated twice", field)
            seen.add(item.debt_id)
            if item.amount <= 0:
                raise DomainError(ErrorCode.INVALID_ALLOCATION, "allocation must be positive", field)
            if item.amount > debt.balance:
                raise DomainError(
                    ErrorCode.INVALID_ALLOCATION, f"allocation exceeds the balance {debt.balance}", field
                )
            allocations.append(Allocation(item.debt_id, item.amount))
            total += item.amount
        if total > amount:
            raise DomainError(ErrorCode.INVALID_ALLOCATION, "allocations exceed the payment", "allocations")
        return AllocationPlan(allocations, amount - total)

    remaining = amount
    for debt in sorted(open_debts, key=lambda d: (d.plan_id is None, d.due_date, d.issue_date, d.id)):
        if remaining <= 0:
            break
        if debt.state is not DebtState.OPEN or debt.balance <= 0:
            continue
        share = min(remaining, debt.balance)
        allocations.append(Allocation(debt.id, share))
        remaining -= share
    return AllocationPlan(allocations, remaining)
