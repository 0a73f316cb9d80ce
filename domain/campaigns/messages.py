"""Reading what was sent: `messages(filter)` and `debtor.messages`."""

from __future__ import annotations

from domain.campaigns.deps import EngineDeps
from domain.campaigns.model import Message
from domain.campaigns.ports import MessageFilter
from domain.errors import Forbidden
from domain.ports import Page, PageRequest
from domain.principal import Action, Principal


class MessageQueries:
    def __init__(self, deps: EngineDeps) -> None:
        self.deps = deps

    def list(self, principal: Principal, query: MessageFilter, page: PageRequest) -> Page[Message]:
        """Tenant-wide for managers; an AGENT lists one of its own debtors at a time (filter.debtorId)."""
        principal.require(Action.MESSAGE_READ)
        if principal.is_agent:
            if not query.debtor_id:
                raise Forbidden("an agent lists the messages of one of its debtors (filter.debtorId)")
            return self.of_debtor(principal, query.debtor_id, page, query)
        return self.deps.messages.list_messages(principal.tenant, query, page)

    def of_debtor(
        self, principal: Principal, debtor_id: str, page: PageRequest, query: MessageFilter | None = None
    ) -> Page[Message]:
        principal.require(Action.MESSAGE_READ)
        if principal.is_agent:
            debtor = self.deps.ledger.get_debtor(principal.tenant, debtor_id)
            if debtor is None or not principal.sees_agent(debtor.assigned_agent_id):
                return Page([], None, False)
        base = query or MessageFilter()
        scoped = MessageFilter(
            base.status, base.channel, base.campaign_id, debtor_id, base.created_from, base.created_to
        )
        return self.deps.messages.list_messages(principal.tenant, scoped, page)
