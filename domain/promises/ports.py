"""What the promise use cases need from storage, and the hook other features listen on.

Promises are written through the ledger's `Transaction` (with the debts they pause, their claims and
audit entries, atomically); this port holds their reads and the tenant's promise settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from domain.campaigns.model import StepTrigger
from domain.entities import Payment
from domain.ports import Page, PageRequest
from domain.promises.model import Promise, PromiseSettings, PromiseStatus


@dataclass(frozen=True)
class PromiseQuery:
    """A promise listing; served from the status-and-date index (one Query per page)."""

    status: PromiseStatus | None = None
    due_from: date | None = None
    due_to: date | None = None
    agent_id: str | None = None
    portfolio_id: str | None = None


class PromiseRepository(Protocol):
    def get_promise(self, tenant: str, debtor_id: str, promise_id: str) -> Promise | None: ...

    def get_promises(self, tenant: str, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Promise]:
        """By (debtor id, promise id), one BatchGetItem."""
        ...

    def promises_of_debtor(
        self, tenant: str, debtor_id: str, page: PageRequest, consistent: bool = False
    ) -> Page[Promise]:
        """A debtor's promises, newest first (the debtor timeline lists them)."""
        ...

    def list_promises(self, tenant: str, query: PromiseQuery, page: PageRequest) -> Page[Promise]:
        """By status and promised date (a status with no date range: every date, soonest first)."""
        ...

    def payments_since(self, tenant: str, debtor_id: str, since: datetime) -> list[Payment]:
        """The debtor's payments paid at or after `since` (reversed ones included), strongly
        consistent: promise verdicts are computed from them."""
        ...

    def get_settings(self, tenant: str) -> PromiseSettings:
        """The tenant's promise settings, or the defaults."""
        ...

    def save_settings(self, tenant: str, settings: PromiseSettings, expected_version: int) -> None:
        """Conditional put on `version` (0 = first); raises ConcurrencyConflict."""
        ...


class PromiseChange(StrEnum):
    CREATED = "CREATED"
    KEPT = "KEPT"
    PARTIALLY_KEPT = "PARTIALLY_KEPT"
    BROKEN = "BROKEN"
    CANCELLED = "CANCELLED"
    REOPENED = "REOPENED"
    """A payment reversal took a kept promise back to pending."""


class PromiseObserver(Protocol):
    """Told after a promise change is committed (work queues, risk scores, triggered steps).

    Called at least once per change (a retried request may tell it again): listeners must be
    idempotent. A failing listener never undoes the change."""

    def promise_changed(self, promise: Promise, change: PromiseChange) -> None: ...


class NoPromiseObserver:
    def promise_changed(self, promise: Promise, change: PromiseChange) -> None:
        return None


class PromiseObservers:
    """Several observers behind one; each one's failure is its own."""

    def __init__(self, *observers: PromiseObserver) -> None:
        self.observers = list(observers)

    def promise_changed(self, promise: Promise, change: PromiseChange) -> None:
        for observer in self.observers:
            observer.promise_changed(promise, change)


class StepTriggerPort(Protocol):
    """Fires a campaign's event-triggered step for some debts (`domain.campaigns.triggers`)."""

    def fire(
        self,
        tenant: str,
        debtor_id: str,
        debt_ids: Sequence[str],
        trigger: StepTrigger,
        occurrence: date | datetime,
    ) -> int: ...
