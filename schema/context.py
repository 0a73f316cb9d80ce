"""The per-request context: who is asking, the use cases, and DataLoaders that batch nested reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from strawberry.dataloader import DataLoader

from domain.campaigns.engine import Reminders
from domain.entities import Debt, Debtor, Portfolio, Tenant
from domain.errors import Forbidden
from domain.imports.jobs import ImportJobs
from domain.interactions.service import Interactions
from domain.plans.service import PaymentPlans
from domain.principal import Principal
from domain.promises.service import Promises
from domain.reports.exports import Exports
from domain.services import Ledger
from domain.services.webhooks import Webhooks
from domain.terms.service import DebtTerms
from domain.workforce import Workforce
from schema.common import forbidden


class Loaders:
    """One set per request, so nothing leaks between callers or tenants."""

    def __init__(self, ledger: Ledger, tenant: str) -> None:
        repo = ledger.deps.repo

        async def load_debtors(ids: Sequence[str]) -> list[Debtor | None]:
            found = repo.get_debtors(tenant, list(dict.fromkeys(ids)))
            return [found.get(i) for i in ids]

        async def load_portfolios(ids: Sequence[str]) -> list[Portfolio | None]:
            found = repo.get_portfolios(tenant, list(dict.fromkeys(ids)))
            return [found.get(i) for i in ids]

        async def load_debts(keys: Sequence[tuple[str, str]]) -> list[Debt | None]:
            found = repo.get_debts(tenant, list(dict.fromkeys(keys)))
            return [found.get(k) for k in keys]

        self.debtor: DataLoader[str, Debtor | None] = DataLoader(load_debtors, max_batch_size=100)
        self.portfolio: DataLoader[str, Portfolio | None] = DataLoader(load_portfolios, max_batch_size=100)
        self.debt: DataLoader[tuple[str, str], Debt | None] = DataLoader(load_debts, max_batch_size=100)


@dataclass
class Context:
    principal: Principal
    ledger: Ledger
    loaders: Loaders
    webhooks: Webhooks | None = None
    reminders: Reminders | None = None
    exports: Exports | None = None
    imports: ImportJobs | None = None
    interactions: Interactions | None = None
    promises: Promises | None = None
    loaders_by_feature: dict[str, Any] = field(default_factory=dict, repr=False)
    """Per-request DataLoaders a feature package creates on first use (e.g. `schema/promises/`)."""
    workforce: Workforce | None = None
    plans: PaymentPlans | None = None
    terms: DebtTerms | None = None
    _tenant: Tenant | None = field(default=None, repr=False)
    _today: date | None = field(default=None, repr=False)

    @classmethod
    def create(
        cls,
        principal: Principal,
        ledger: Ledger,
        webhooks: Webhooks | None = None,
        reminders: Reminders | None = None,
        exports: Exports | None = None,
        imports: ImportJobs | None = None,
        interactions: Interactions | None = None,
        promises: Promises | None = None,
        workforce: Workforce | None = None,
        plans: PaymentPlans | None = None,
        terms: DebtTerms | None = None,
    ) -> Context:
        return cls(
            principal=principal,
            ledger=ledger,
            loaders=Loaders(ledger, principal.tenant),
            webhooks=webhooks,
            reminders=reminders,
            exports=exports,
            imports=imports,
            interactions=interactions,
            promises=promises,
            workforce=workforce,
            plans=plans,
            terms=terms,
        )

    def tenant(self) -> Tenant | None:
        if self._tenant is None:
            self._tenant = self.ledger.deps.repo.get_tenant(self.principal.tenant)
        return self._tenant

    def today(self) -> date:
        """The calendar day in the tenant's time zone (UTC if the tenant has no settings yet)."""
        if self._today is None:
            tenant = self.tenant()
            self._today = self.ledger.debts.today_in(tenant.time_zone if tenant else "UTC")
        return self._today

    def require(self, allowed: bool, message: str) -> None:
        if not allowed:
            forbidden(Forbidden(message))
