"""Which instalment, promise or payment an event-triggered message is about, picked from what the stores
returned (pure functions: the reads are in `domain.event_facts.reader`).

Occurrences are the jobs' days as the events fire them:
- INSTALMENT_DUE: the day before the instalment's due date (`domain.plans.sweeper`);
- PROMISE_DUE_TOMORROW: the day before the promised date (`domain.promises.sweeper`);
- PROMISE_BROKEN: the day the promise was judged, in the debtor's zone (`domain.promises.listeners`);
- PAYMENT_RECEIVED: the day of the payment, in the debtor's zone (idem).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal

from domain.clock import local_date
from domain.entities import Payment
from domain.plans.model import Instalment, InstalmentStatus, PaymentPlan
from domain.promises.model import Promise, PromiseStatus
from domain.templates import EventFacts

JUDGED = (PromiseStatus.BROKEN, PromiseStatus.PARTIALLY_KEPT)


def unpaid_from(plan: PaymentPlan, day: date) -> Instalment | None:
    """The plan's first instalment still owed (in part) that falls due on or after `day`."""
    return next(
        (
            i
            for i in plan.instalments
            if i.status is not InstalmentStatus.PAID and i.paid < i.amount and i.due_date >= day
        ),
        None,
    )


def instalment_facts(plans: Iterable[PaymentPlan], occurrence: date) -> EventFacts | None:
    """The instalment an INSTALMENT_DUE reminder of `occurrence` is about: of the debts' active
    plans, the first unpaid instalment due on or after the occurrence (the one due the next day,
    unless it was paid meanwhile); the soonest when the debts are in several plans."""
    found = [(i, p) for p in plans if p.active if (i := unpaid_from(p, occurrence)) is not None]
    if not found:
        return None
    inst, plan = min(found, key=lambda f: (f[0].due_date, f[1].id))
    return EventFacts(
        currency=plan.currency,
        instalment_amount=inst.amount - inst.paid,
        instalment_due_date=inst.due_date,
        instalment_number=inst.number,
        instalment_count=len(plan.instalments),
        plan_remaining=plan.remaining,
    )


def next_instalment_facts(plans: Iterable[PaymentPlan], today: date) -> EventFacts | None:
    """For a preview: the instalment due next from `today`, else the first one still owed (late, in
    its grace days)."""
    active = [p for p in plans if p.active]
    return instalment_facts(active, today) or instalment_facts(active, date.min)


def _promise(promise: Promise) -> EventFacts:
    return EventFacts(
        currency=promise.currency,
        promise_amount=promise.amount,
        promise_date=promise.promised_date,
        promise_kept_amount=promise.kept_amount,
    )


def _covering(promises: Iterable[Promise], debt_ids: Sequence[str]) -> list[Promise]:
    wanted = set(debt_ids)
    return [p for p in promises if wanted & set(p.debt_ids) and p.status is not PromiseStatus.CANCELLED]


def promise_due_facts(
    promises: Iterable[Promise], debt_ids: Sequence[str], occurrence: date
) -> EventFacts | None:
    """The promise a PROMISE_DUE_TOMORROW reminder of `occurrence` is about: one covering the debts
    promised for the next day, the pending one first. `promises` newest first."""
    due = [p for p in _covering(promises, debt_ids) if p.promised_date == occurrence + timedelta(days=1)]
    due.sort(key=lambda p: not p.pending)  # stable: newest first within each group
    return _promise(due[0]) if due else None


def promise_broken_facts(
    promises: Iterable[Promise], debt_ids: Sequence[str], occurrence: date
) -> EventFacts | None:
    """The promise a PROMISE_BROKEN message of `occurrence` is about: the newest broken or partly kept
    one covering the debts, one judged on that day first. `promises` newest first."""
    judged = [p for p in _covering(promises, debt_ids) if p.status in JUDGED]

    def judged_that_day(p: Promise) -> bool:
        return p.closed_at is not None and local_date(p.closed_at, p.time_zone) == occurrence

    judged.sort(key=lambda p: not judged_that_day(p))
    return _promise(judged[0]) if judged else None


def current_promise_facts(promises: Iterable[Promise], debt_ids: Sequence[str]) -> EventFacts | None:
    """For a preview: the debts' pending promise, else their newest one."""
    covering = _covering(promises, debt_ids)
    covering.sort(key=lambda p: not p.pending)
    return _promise(covering[0]) if covering else None


def payment_facts(
    payments: Iterable[Payment], debt_ids: Sequence[str], occurrence: date, time_zone: str, currency: str
) -> EventFacts | None:
    """The payments a PAYMENT_RECEIVED thank-you of `occurrence` is about: those of that day (in the
    debtor's zone), not reversed, in the debts' currency, that paid one of the debts; their amounts
    added up (usually one payment)."""
    wanted = set(debt_ids)
    found = [
        p
        for p in payments
        if not p.reversed
        and p.currency == currency
        and local_date(p.paid_at, time_zone) == occurrence
        and any(a.debt_id in wanted for a in p.allocations)
    ]
    if not found:
        return None
    return EventFacts(currency=currency, payment_amount=sum((p.amount for p in found), Decimal(0)))
