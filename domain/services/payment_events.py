"""The hook other features hear payments on (promises re-evaluate, thank-you steps fire)."""

from __future__ import annotations

import logging
from typing import Protocol

from domain.entities import Payment
from domain.principal import Principal

log = logging.getLogger(__name__)


class PaymentObserver(Protocol):
    """Told after a payment is recorded or reversed, once committed; also on a replayed request (a
    client retrying after a lost answer), so listeners must be idempotent."""

    def payment_changed(self, principal: Principal, payment: Payment) -> None: ...


class NoPaymentObserver:
    def payment_changed(self, principal: Principal, payment: Payment) -> None:
        return None


def tell(observer: PaymentObserver, principal: Principal, payment: Payment) -> None:
    """A listener's failure never fails the payment: it is committed; the daily sweep catches up."""
    try:
        observer.payment_changed(principal, payment)
    except Exception:
        log.exception("payment observer failed for payment %s", payment.id)


class PaymentObservers:
    """Several observers behind the one `Payments.observer` slot; each one's failure is its own."""

    def __init__(self, *observers: PaymentObserver) -> None:
        self.observers = list(observers)

    def payment_changed(self, principal: Principal, payment: Payment) -> None:
        for observer in self.observers:
            tell(observer, principal, payment)
