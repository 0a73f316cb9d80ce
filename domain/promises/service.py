"""`Promises`: take, sync, cancel, read and re-evaluate promises to pay.

Every change is one ledger transaction: the promise, the debts it pauses or releases, its claims
(the idempotency key, and one "pending promise" claim per debt) and the audit entry. Evaluation
recomputes the kept amount from the payments and writes with optimistic versions, so a payment
racing a sweep or another evaluation converges on one answer.
"""

from __future__ import annotations

from domain.promises.evaluation import PromiseEvaluation
from domain.promises.queries import PromiseQueries
from domain.promises.taking import PromiseInput, PromiseResult, PromiseSync, SyncOutcome, SyncResult


class Promises(PromiseQueries, PromiseSync, PromiseEvaluation):
    """Every promise use case on one object (the API and the workers hold one)."""


__all__ = ["PromiseInput", "PromiseResult", "Promises", "SyncOutcome", "SyncResult"]
