"""Reading the audit trail."""

from __future__ import annotations

from domain.entities import AuditEntry
from domain.ports import Page, PageRequest
from domain.principal import Action, Principal
from domain.services.base import UseCase


class AuditTrail(UseCase):
    def list(self, principal: Principal, entity_id: str, page: PageRequest) -> Page[AuditEntry]:
        """Who changed `entity_id`, when and how, newest first."""
        principal.require(Action.AUDIT_READ)
        return self.repo.list_audit(principal.tenant, entity_id, page)
