"""Adapters between plans and payments: a payment recorded or reversed re-evaluates the debtor's
plans at once (paid instalments, COMPLETED)."""

from __future__ import annotations

from domain.entities import Payment
from domain.plans.service import PaymentPlans
from domain.principal import Principal


class PlanPaymentListener:
    """A `PaymentObserver` (domain/services/payment_events.py)."""

    def __init__(self, plans: PaymentPlans) -> None:
        self.plans = plans

    def payment_changed(self, principal: Principal, payment: Payment) -> None:
        self.plans.evaluate_debtor(principal, payment.debtor_id)
