"""The plan rules as pure functions: the split to the cent, the due dates, the waterfall of payments
over the instalments, each instalment's deadline and the plan's verdict."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal

from domain.campaigns.cadence import local_instant
from domain.entities import Debt, DebtState
from domain.money import quantum
from domain.plans.model import (
    Frequency,
    Instalment,
    InstalmentKind,
    InstalmentStatus,
    PaymentPlan,
    PlanStatus,
)


def split(total: Decimal, count: int, currency: str) -> list[Decimal]:
    """`count` amounts in the currency's minor units adding up to `total` exactly: equal shares
    rounded down, the last one absorbing the rest (100.00 / 3 → 33.33, 33.33, 33.34)."""
    if count < 1:
        raise ValueError("at least one instalment")
    q = quantum(currency)
    share = (total / count).quantize(q, rounding=ROUND_DOWN)
    return [share] * (count - 1) + [total - share * (count - 1)]


def _add_months(day: date, months: int, anchor_day: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(anchor_day, calendar.monthrange(year, month)[1]))


def due_dates(first: date, count: int, frequency: Frequency) -> list[date]:
    """The due dates of `count` instalments from `first`. MONTHLY keeps the first date's day of the
    month, clamped to shorter months (Jan 31 → Feb 28 or 29 → Mar 31)."""
    if frequency is Frequency.MONTHLY:
        return [_add_months(first, n, first.day) for n in range(count)]
    step = timedelta(days=7 if frequency is Frequency.WEEKLY else 14)
    return [first + step * n for n in range(count)]


def schedule(
    total: Decimal,
    down_payment: Decimal,
    count: int,
    frequency: Frequency,
    first_due: date,
    today: date,
    currency: str,
) -> list[Instalment]:
    """The down payment (due today, when above zero) then `count` instalments splitting the rest."""
    out: list[Instalment] = []
    if down_payment > 0:
        out.append(Instalment(1, InstalmentKind.DOWN_PAYMENT, today, down_payment))
    amounts = split(total - down_payment, count, currency)
    for day, amount in zip(due_dates(first_due, count, frequency), amounts, strict=True):
        out.append(Instalment(len(out) + 1, InstalmentKind.INSTALMENT, day, amount))
    return out


def deadline_of(due: date, grace_days: int, time_zone: str) -> datetime:
    """The end of `due + grace_days` in the debtor's zone, as a UTC instant."""
    return local_instant(due + timedelta(days=grace_days + 1), time(0, 0), time_zone)


def paid_since(plan: PaymentPlan, debts: Iterable[Debt]) -> Decimal:
    """What was paid to the covered debts since the plan was made: the increase of their paid totals
    (recomputed from the debts every time, so a retried or concurrent evaluation converges; a
    reversal lowers it again)."""
    wanted = set(plan.debt_ids)
    total = sum(
        (d.paid_total - plan.baseline_paid.get(d.id, Decimal(0)) for d in debts if d.id in wanted),
        Decimal(0),
    )
    return max(total, Decimal(0))


def allocate(plan: PaymentPlan, paid: Decimal, now: datetime) -> None:
    """Pour `paid` over the instalments in order and set each one's status at `now`."""
    plan.paid = paid
    left = paid
    for inst in plan.instalments:
        inst.paid = min(left, inst.amount)
        left -= inst.paid
        if inst.paid >= inst.amount:
            inst.status = InstalmentStatus.PAID
        elif now >= deadline_of(inst.due_date, plan.grace_days, plan.time_zone):
            inst.status = InstalmentStatus.MISSED
        elif inst.paid > 0:
            inst.status = InstalmentStatus.PARTIALLY_PAID
        else:
            inst.status = InstalmentStatus.PENDING


def verdict(plan: PaymentPlan, debts: Iterable[Debt]) -> PlanStatus:
    """After `allocate`: COMPLETED when everything is paid or every covered debt is PAID (credit
    notes settle debts too), BROKEN when an instalment is MISSED, else ACTIVE."""
    covered = [d for d in debts if d.id in set(plan.debt_ids)]
    if plan.paid >= plan.total or (covered and all(d.state is DebtState.PAID for d in covered)):
        return PlanStatus.COMPLETED
    if any(i.status is InstalmentStatus.MISSED for i in plan.instalments):
        return PlanStatus.BROKEN
    return PlanStatus.ACTIVE


def next_due(plan: PaymentPlan) -> date | None:
    """The due date of the first instalment not fully paid (None when all are)."""
    unpaid = plan.next_unpaid()
    return unpaid.due_date if unpaid else None
