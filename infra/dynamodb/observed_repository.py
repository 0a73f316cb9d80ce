"""The ledger repository with a post-commit observer: after a transaction commits, the debtors it
touched are handed to the observer (the work queues refresh their risk score and queue entry).

The observer runs after the commit and outside it: its failure is logged and swallowed, never undoing
or failing the caller's committed change (the nightly rescore repairs what it missed). Bulk imports
(`commit_many`) are not observed: thousands of rows would each cost a refresh inside the import; the
nightly rescore and the next change to each debtor score them.
"""

from __future__ import annotations

import logging

from domain.entities import Debt, Debtor, Payment
from domain.ports import Transaction
from domain.queues.signals import LedgerObserver
from infra.dynamodb.repository import DynamoLedgerRepository

logger = logging.getLogger(__name__)


def touched_debtors(tx: Transaction) -> set[str]:
    found: set[str] = set()
    for entity, _ in tx.saves:
        if isinstance(entity, Debtor):
            found.add(entity.id)
        elif isinstance(entity, Debt | Payment):
            found.add(entity.debtor_id)
    return found


class ObservedLedgerRepository(DynamoLedgerRepository):
    def __init__(self, observer: LedgerObserver | None = None) -> None:
        super().__init__()
        self.observer = observer

    def commit(self, tenant: str, tx: Transaction) -> None:
        super().commit(tenant, tx)
        debtors = touched_debtors(tx)
        if self.observer is None or not debtors:
            return
        try:
            self.observer.ledger_changed(tenant, debtors)
        except Exception:  # the ledger change is committed; the nightly rescore catches up
            logger.exception("refreshing work items after a ledger commit failed")
