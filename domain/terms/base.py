"""What the terms use cases share: the store, the visibility rule and debt events."""

from __future__ import annotations

from domain.entities import Debtor
from domain.errors import NotFound
from domain.principal import Principal
from domain.services.base import Deps, UseCase
from domain.terms.ports import TermsRepository


class TermsBase(UseCase):
    def __init__(self, deps: Deps, store: TermsRepository) -> None:
        super().__init__(deps)
        self.store = store

    def _visible_debtor(self, principal: Principal, debtor_id: str, field: str) -> Debtor:
        """The debtor, if the caller may act on it (an AGENT only on its own debtors)."""
        debtor = self.repo.get_debtor(principal.tenant, debtor_id)
        if debtor is None or not principal.sees_agent(debtor.assigned_agent_id):
            raise NotFound("debtor", field)
        return debtor
