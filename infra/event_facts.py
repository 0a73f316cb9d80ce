"""The reminder engine's event facts on the ledger table, built on first use: a dispatcher whose batches
are all cadence messages never imports the plan and promise stores (a lighter cold start)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from domain.campaigns.model import StepTrigger
from domain.entities import Debt, Debtor
from domain.templates import EventFacts

if TYPE_CHECKING:
    from domain.event_facts import StoreEventFacts


class LazyEventFacts:
    """An `EventFactsReader`: `domain.event_facts.StoreEventFacts` on the DynamoDB plan and promise
    repositories, made when first asked."""

    def __init__(self) -> None:
        self._reader: StoreEventFacts | None = None

    def _get(self) -> StoreEventFacts:
        if self._reader is None:
            from domain.event_facts import StoreEventFacts
            from infra.dynamodb.plan_repository import DynamoPlanRepository
            from infra.dynamodb.promise_repository import DynamoPromiseRepository

            self._reader = StoreEventFacts(DynamoPlanRepository(), DynamoPromiseRepository())
        return self._reader

    def facts(
        self, debtor: Debtor, debts: Sequence[Debt], trigger: StepTrigger, occurrence: date
    ) -> EventFacts | None:
        return self._get().facts(debtor, debts, trigger, occurrence)

    def current(self, debtor: Debtor, debts: Sequence[Debt], today: date) -> EventFacts | None:
        return self._get().current(debtor, debts, today)
