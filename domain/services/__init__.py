"""Use cases of the ledger, one module per aggregate."""

from __future__ import annotations

from dataclasses import dataclass

from domain.services.audit import AuditTrail
from domain.services.base import Deps
from domain.services.debtors import Debtors
from domain.services.debts import Debts
from domain.services.imports import DebtImport
from domain.services.payments import Payments
from domain.services.portfolios import Portfolios
from domain.services.tenants import TenantSettings


@dataclass
class Ledger:
    """Every ledger use case, wired to the same repository, clock and id generator."""

    deps: Deps
    tenants: TenantSettings
    portfolios: Portfolios
    debtors: Debtors
    debts: Debts
    payments: Payments
    imports: DebtImport
    audit: AuditTrail

    @classmethod
    def build(cls, deps: Deps) -> Ledger:
        return cls(
            deps=deps,
            tenants=TenantSettings(deps),
            portfolios=Portfolios(deps),
            debtors=Debtors(deps),
            debts=Debts(deps),
            payments=Payments(deps),
            imports=DebtImport(deps),
            audit=AuditTrail(deps),
        )


__all__ = [
    "AuditTrail",
    "DebtImport",
    "Debtors",
    "Debts",
    "Deps",
    "Ledger",
    "Payments",
    "Portfolios",
    "TenantSettings",
]
