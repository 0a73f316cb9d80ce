"""The agent directory: ADMINs and SUPERVISORs create agents, update and deactivate them."""

from __future__ import annotations

from dataclasses import dataclass

from domain.agents.model import Agent, AgentRepository, check_agent_id
from domain.clock import Clock
from domain.contacts import normalize_email, normalize_phone
from domain.entities import AuditEntry
from domain.errors import ConcurrencyConflict, DomainError, ErrorCode, NotFound
from domain.ports import IdGenerator, LedgerRepository
from domain.principal import Action, Principal
from domain.services.base import clean_text
from domain.snapshot import diff


@dataclass
class AgentInput:
    name: str
    agent_id: str | None = None
    """The `agent_id` claim the agent's tokens carry; generated when absent."""
    email: str | None = None
    phone: str | None = None


@dataclass
class AgentPatch:
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    active: bool | None = None


def _view(agent: Agent) -> dict[str, object]:
    return {
        "name": agent.name,
        "email": agent.email,
        "phone": agent.phone,
        "active": agent.active,
    }


class AgentDirectory:
    def __init__(
        self, agents: AgentRepository, ledger: LedgerRepository, clock: Clock, ids: IdGenerator
    ) -> None:
        self.agents, self.ledger, self.clock, self.ids = agents, ledger, clock, ids

    def _country(self, principal: Principal) -> str:
        """Phones without a + are read in the tenant's country."""
        tenant = self.ledger.get_tenant(principal.tenant)
        return tenant.country if tenant else "US"

    def list(self, principal: Principal) -> list[Agent]:
        principal.require(Action.AGENT_READ)
        return self.agents.list_agents(principal.tenant)

    def get(self, principal: Principal, agent_id: str) -> Agent | None:
        """An agent by id; an AGENT may read only itself (others are not found)."""
        if principal.is_agent:
            if agent_id != principal.agent_id:
                return None
        else:
            principal.require(Action.AGENT_READ)
        return self.agents.get_agent(principal.tenant, agent_id)

    def create(self, principal: Principal, data: AgentInput) -> Agent:
        principal.require(Action.AGENT_MANAGE)
        now = self.clock.now()
        agent = Agent(
            tenant=principal.tenant,
            id=check_agent_id(data.agent_id) if data.agent_id else self.ids.new_id(),
            name=clean_text(data.name, "name", required=True, max_len=200) or "",
            email=normalize_email(data.email, "email") if data.email else None,
            phone=normalize_phone(data.phone, self._country(principal), "phone") if data.phone else None,
            created_at=now,
            updated_at=now,
        )
        try:
            self.agents.save_agent(agent, 0, self._audit(principal, agent, "agentCreate", None))
        except ConcurrencyConflict:
            raise DomainError(
                ErrorCode.DUPLICATE, "an agent with this id already exists", "agentId"
            ) from None
        return agent

    def update(self, principal: Principal, agent_id: str, patch: AgentPatch) -> Agent:
        """Rename, change contact details, deactivate (an inactive agent gets no new debtors)."""
        principal.require(Action.AGENT_MANAGE)
        agent = self.agents.get_agent(principal.tenant, agent_id)
        if agent is None:
            raise NotFound("agent", "agentId")
        before, expected = _view(agent), agent.version
        if patch.name is not None:
            agent.name = clean_text(patch.name, "name", required=True, max_len=200) or agent.name
        if patch.email is not None:
            agent.email = normalize_email(patch.email, "email") if patch.email.strip() else None
        if patch.phone is not None:
            agent.phone = (
                normalize_phone(patch.phone, self._country(principal), "phone")
                if patch.phone.strip()
                else None
            )
        if patch.active is not None:
            agent.active = patch.active
        agent.updated_at = self.clock.now()
        try:
            self.agents.save_agent(agent, expected, self._audit(principal, agent, "agentUpdate", before))
        except ConcurrencyConflict:
            raise DomainError(ErrorCode.CONFLICT, "the agent changed concurrently; try again", None) from None
        return agent

    def _audit(
        self, principal: Principal, agent: Agent, action: str, before: dict[str, object] | None
    ) -> AuditEntry:
        after = _view(agent)
        if before is not None:
            before, after = diff(before, after)
        return AuditEntry(
            tenant=principal.tenant,
            id=self.ids.new_id(),
            entity_type="Agent",
            entity_id=agent.id,
            action=action,
            actor=principal.sub,
            actor_role=principal.role.value,
            at=self.clock.now(),
            before=before,
            after=after,
        )
