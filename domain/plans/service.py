"""`PaymentPlans`: make, cancel, read and re-evaluate payment plans.

Every change is one ledger transaction: the plan, the debts it holds (IN_PLAN) or releases, its
claims (the idempotency key, and one "active plan" claim per debt), the audit entry and the partner
event. Evaluation recomputes what was paid from the covered debts and writes with optimistic
versions, so a payment racing a sweep or another evaluation converges on one answer.
"""

from __future__ import annotations

from domain.plans.creating import PlanCreation, PlanInput, PlanResult
from domain.plans.evaluation import PlanEvaluation
from domain.plans.queries import PlanQueries


class PaymentPlans(PlanQueries, PlanCreation, PlanEvaluation):
    """Every plan use case on one object (the API and the sweep hold one)."""


__all__ = ["PaymentPlans", "PlanInput", "PlanResult"]
