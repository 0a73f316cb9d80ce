"""An in-memory twin of the plan store, reading the plans the in-memory ledger committed."""

from __future__ import annotations

import copy
from dataclasses import replace

from domain.errors import ConcurrencyConflict
from domain.plans.model import PaymentPlan, PlanSettings
from domain.plans.ports import PlanQuery
from domain.plans.rules import next_due
from domain.ports import Page, PageRequest
from tests.fakes import InMemoryLedgerRepository


def _day(p: PaymentPlan) -> str:
    if p.active:
        return (next_due(p) or p.first_due_date).isoformat()
    return (p.closed_at.date() if p.closed_at else p.first_due_date).isoformat()


class InMemoryPlanRepository:
    def __init__(self, ledger: InMemoryLedgerRepository) -> None:
        self.ledger = ledger
        self._settings: dict[str, PlanSettings] = {}

    def _plans(self, tenant: str) -> list[PaymentPlan]:
        return self.ledger._all(tenant, PaymentPlan)

    def get_plan(self, tenant: str, debtor_id: str, plan_id: str) -> PaymentPlan | None:
        return self.ledger._get(tenant, ("PLN", debtor_id, plan_id), PaymentPlan)

    def get_plans(self, tenant: str, keys: list[tuple[str, str]]) -> dict[tuple[str, str], PaymentPlan]:
        found = {k: self.get_plan(tenant, *k) for k in dict.fromkeys(keys)}
        return {k: p for k, p in found.items() if p is not None}

    def plans_of_debtor(
        self, tenant: str, debtor_id: str, page: PageRequest, consistent: bool = False
    ) -> Page[PaymentPlan]:
        keyed = [((p.id,), p) for p in self._plans(tenant) if p.debtor_id == debtor_id]
        return self.ledger._page(tenant, f"plans:{debtor_id}", keyed, page, newest_first=True)

    def list_plans(self, tenant: str, query: PlanQuery, page: PageRequest) -> Page[PaymentPlan]:
        def wanted(p: PaymentPlan) -> bool:
            if query.status is not None and p.status is not query.status:
                return False
            if query.debtor_id is not None and p.debtor_id != query.debtor_id:
                return False
            if query.agent_id is not None and p.agent_id != query.agent_id:
                return False
            if query.due_to is not None and _day(p) > query.due_to.isoformat():
                return False
            return query.portfolio_id is None or query.portfolio_id in p.portfolio_ids

        keyed = [((p.status.value, _day(p), p.id), p) for p in self._plans(tenant) if wanted(p)]
        return self.ledger._page(tenant, f"plans:{query}", keyed, page)

    def get_settings(self, tenant: str) -> PlanSettings:
        return copy.deepcopy(self._settings.get(tenant, PlanSettings()))

    def save_settings(self, tenant: str, settings: PlanSettings, expected_version: int) -> None:
        if self.get_settings(tenant).version != expected_version:
            raise ConcurrencyConflict("plan settings")
        self._settings[tenant] = replace(settings, version=expected_version + 1)
