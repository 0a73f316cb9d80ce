"""The promise rules as pure functions: deadline, kept amount (recomputed), verdict, broken count."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from domain.campaigns.cadence import local_instant
from domain.entities import Payment
from domain.promises.model import Promise, PromiseStatus


def deadline_of(promised_date: date, grace_days: int, time_zone: str) -> datetime:
    """The end of `promised_date + grace_days` in the debtor's zone, as a UTC instant."""
    return local_instant(promised_date + timedelta(days=grace_days + 1), time(0, 0), time_zone)


def kept_amount(promise: Promise, payments: Iterable[Payment]) -> Decimal:
    """What unreversed payments paid in [taken_at, deadline) allocated to the promised debts.

    Recomputed from the payments every time (never incremented), so a retried or concurrent
    evaluation converges on the same figure."""
    wanted = set(promise.debt_ids)
    total = Decimal(0)
    for payment in payments:
        if payment.reversed or payment.currency != promise.currency:
            continue
        if not promise.taken_at <= payment.paid_at < promise.deadline:
            continue
        total += sum((a.amount for a in payment.allocations if a.debt_id in wanted), Decimal(0))
    return total


def verdict(promise: Promise, kept: Decimal, now: datetime) -> PromiseStatus:
    """The status the payments justify at `now` (a cancelled promise stays cancelled)."""
    if promise.status is PromiseStatus.CANCELLED:
        return PromiseStatus.CANCELLED
    if kept >= promise.amount:
        return PromiseStatus.KEPT
    if now < promise.deadline:
        return PromiseStatus.PENDING
    return PromiseStatus.PARTIALLY_KEPT if kept > 0 else PromiseStatus.BROKEN


def broken_since(promises: Iterable[Promise], since: datetime) -> int:
    """How many promises were broken at or after `since` (partially kept ones do not count)."""
    return sum(
        1
        for p in promises
        if p.status is PromiseStatus.BROKEN and p.closed_at is not None and p.closed_at >= since
    )
