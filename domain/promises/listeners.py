"""Adapters between promises and the rest: payments re-evaluate promises at once; broken promises
and payments fire their campaign steps (PROMISE_BROKEN, PAYMENT_RECEIVED)."""

from __future__ import annotations

from domain.campaigns.model import StepTrigger
from domain.entities import Payment
from domain.principal import Principal
from domain.promises.model import Promise
from domain.promises.ports import PromiseChange, StepTriggerPort
from domain.promises.service import Promises


class PromisePaymentListener:
    """A `PaymentObserver`: a payment recorded or reversed re-evaluates the debtor's promises."""

    def __init__(self, promises: Promises) -> None:
        self.promises = promises

    def payment_changed(self, principal: Principal, payment: Payment) -> None:
        self.promises.evaluate_debtor(principal, payment.debtor_id)


class PaymentReceivedSteps:
    """A `PaymentObserver`: a recorded payment fires the PAYMENT_RECEIVED step for the debts it paid
    (once per debt and day: the day of payment is the occurrence)."""

    def __init__(self, triggers: StepTriggerPort) -> None:
        self.triggers = triggers

    def payment_changed(self, principal: Principal, payment: Payment) -> None:
        if payment.reversed or not payment.allocations:
            return
        debt_ids = [a.debt_id for a in payment.allocations]
        self.triggers.fire(
            payment.tenant, payment.debtor_id, debt_ids, StepTrigger.PAYMENT_RECEIVED, payment.paid_at
        )


class PromiseBrokenSteps:
    """A `PromiseObserver`: a broken (or only partly kept) promise fires the PROMISE_BROKEN step of
    its debts, on the day it was judged; the debts' cadence resumed in the same change."""

    def __init__(self, triggers: StepTriggerPort) -> None:
        self.triggers = triggers

    def promise_changed(self, promise: Promise, change: PromiseChange) -> None:
        if change not in (PromiseChange.BROKEN, PromiseChange.PARTIALLY_KEPT):
            return
        at = promise.closed_at or promise.deadline
        self.triggers.fire(
            promise.tenant, promise.debtor_id, promise.debt_ids, StepTrigger.PROMISE_BROKEN, at
        )
