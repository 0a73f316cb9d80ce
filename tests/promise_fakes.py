"""An in-memory twin of the promise store, reading the promises the in-memory ledger committed."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import datetime

from domain.entities import Payment
from domain.errors import ConcurrencyConflict
from domain.ports import Page, PageRequest
from domain.promises.model import Promise, PromiseSettings
from domain.promises.ports import PromiseQuery
from tests.fakes import InMemoryLedgerRepository


class InMemoryPromiseRepository:
    def __init__(self, ledger: InMemoryLedgerRepository) -> None:
        self.ledger = ledger
        self._settings: dict[str, PromiseSettings] = {}

    def _promises(self, tenant: str) -> list[Promise]:
        return self.ledger._all(tenant, Promise)

    def get_promise(self, tenant: str, debtor_id: str, promise_id: str) -> Promise | None:
        return self.ledger._get(tenant, ("PRM", debtor_id, promise_id), Promise)

    def get_promises(self, tenant: str, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Promise]:
        found = {k: self.get_promise(tenant, *k) for k in dict.fromkeys(keys)}
        return {k: p for k, p in found.items() if p is not None}

    def promises_of_debtor(
        self, tenant: str, debtor_id: str, page: PageRequest, consistent: bool = False
    ) -> Page[Promise]:
        keyed = [((p.id,), p) for p in self._promises(tenant) if p.debtor_id == debtor_id]
        return self.ledger._page(tenant, f"promises:{debtor_id}", keyed, page, newest_first=True)

    def list_promises(self, tenant: str, query: PromiseQuery, page: PageRequest) -> Page[Promise]:
        def wanted(p: Promise) -> bool:
            if query.status is not None and p.status is not query.status:
                return False
            if query.due_from is not None and p.promised_date < query.due_from:
                return False
            if query.due_to is not None and p.promised_date > query.due_to:
                return False
            if query.agent_id is not None and p.agent_id != query.agent_id:
                return False
            return query.portfolio_id is None or query.portfolio_id in p.portfolio_ids

        keyed = [
            ((p.status.value, p.promised_date.isoformat(), p.id), p)
            for p in self._promises(tenant)
            if wanted(p)
        ]
        return self.ledger._page(tenant, f"promises:{query}", keyed, page)

    def payments_since(self, tenant: str, debtor_id: str, since: datetime) -> list[Payment]:
        return [
            p for p in self.ledger._all(tenant, Payment) if p.debtor_id == debtor_id and p.paid_at >= since
        ]

    def get_settings(self, tenant: str) -> PromiseSettings:
        return copy.deepcopy(self._settings.get(tenant, PromiseSettings()))

    def save_settings(self, tenant: str, settings: PromiseSettings, expected_version: int) -> None:
        if self.get_settings(tenant).version != expected_version:
            raise ConcurrencyConflict("promise settings")
        self._settings[tenant] = replace(settings, version=expected_version + 1)
