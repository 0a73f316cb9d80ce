"""Adapters between promises and the rest: payments re-evaluate promises at once."""

from __future__ import annotations

from domain.entities import Payment
from domain.principal import Principal
from domain.promises.service import Promises


class PromisePaymentListener:
    """A `PaymentObserver`: a payment recorded or reversed re-evaluates the debtor's promises."""

    def __init__(self, promises: Promises) -> None:
        self.promises = promises

    def payment_changed(self, principal: Principal, payment: Payment) -> None:
        self.promises.evaluate_debtor(principal, payment.debtor_id)
