"""Portfolios (carteras): named groups of debts."""

from __future__ import annotations

from dataclasses import dataclass

from domain.entities import Portfolio
from domain.errors import DomainError, ErrorCode, NotFound, UniquenessConflict
from domain.money import validate_currency
from domain.ports import Claim, ClaimKind, Transaction
from domain.principal import Action, Principal
from domain.services.base import UseCase, clean_text
from domain.snapshot import snapshot


@dataclass
class PortfolioInput:
    name: str
    description: str | None = None
    external_id: str | None = None
    currency: str | None = None


@dataclass
class PortfolioPatch:
    name: str | None = None
    description: str | None = None
    external_id: str | None = None
    currency: str | None = None


class Portfolios(UseCase):
    def get(self, principal: Principal, portfolio_id: str) -> Portfolio | None:
        principal.require(Action.PORTFOLIO_READ)
        return self.repo.get_portfolio(principal.tenant, portfolio_id)

    def list(self, principal: Principal) -> list[Portfolio]:
        principal.require(Action.PORTFOLIO_READ)
        return sorted(self.repo.list_portfolios(principal.tenant), key=lambda p: p.name.casefold())

    def create(self, principal: Principal, data: PortfolioInput) -> Portfolio:
        principal.require(Action.PORTFOLIO_WRITE)
        self.settings(principal)
        portfolio = Portfolio(
            tenant=principal.tenant,
            id=self.deps.ids.new_id(),
            name=clean_text(data.name, "name", required=True, max_len=200) or "",
            description=clean_text(data.description, "description", max_len=2000),
            external_id=clean_text(data.external_id, "externalId", max_len=100),
            currency=validate_currency(data.currency) if data.currency else None,
            created_at=self.now(),
            updated_at=self.now(),
        )
        tx = Transaction()
        tx.save(portfolio)
        if portfolio.external_id:
            tx.claims.append(Claim(ClaimKind.PORTFOLIO_EXTERNAL_ID, portfolio.external_id, portfolio.id))
        self.audit(tx, principal, "Portfolio", portfolio.id, "portfolioCreate", None, snapshot(portfolio))
        self._commit(principal, tx)
        return portfolio

    def update(self, principal: Principal, portfolio_id: str, patch: PortfolioPatch) -> Portfolio:
        principal.require(Action.PORTFOLIO_WRITE)
        return self.retrying(lambda: self._update(principal, portfolio_id, patch))

    def _update(self, principal: Principal, portfolio_id: str, patch: PortfolioPatch) -> Portfolio:
        portfolio = self.repo.get_portfolio(principal.tenant, portfolio_id)
        if portfolio is None:
            raise NotFound("portfolio")
        before = snapshot(portfolio)
        tx = Transaction()
        if patch.name is not None:
            portfolio.name = clean_text(patch.name, "name", required=True, max_len=200) or portfolio.name
        if patch.description is not None:
            portfolio.description = clean_text(patch.description, "description", max_len=2000)
        if patch.currency is not None:
            portfolio.currency = validate_currency(patch.currency) if patch.currency.strip() else None
        if patch.external_id is not None:
            new_ext = clean_text(patch.external_id, "externalId", max_len=100)
            if new_ext != portfolio.external_id:
                if portfolio.external_id:
                    tx.releases.append(Claim(ClaimKind.PORTFOLIO_EXTERNAL_ID, portfolio.external_id))
                if new_ext:
                    tx.claims.append(Claim(ClaimKind.PORTFOLIO_EXTERNAL_ID, new_ext, portfolio.id))
                portfolio.external_id = new_ext
        portfolio.updated_at = self.now()
        tx.save(portfolio)
        self.audit(tx, principal, "Portfolio", portfolio.id, "portfolioUpdate", before, snapshot(portfolio))
        self._commit(principal, tx)
        return portfolio

    def _commit(self, principal: Principal, tx: Transaction) -> None:
        try:
            self.repo.commit(principal.tenant, tx)
        except UniquenessConflict:
            raise DomainError(
                ErrorCode.DUPLICATE, "another portfolio has this external id", "externalId"
            ) from None
