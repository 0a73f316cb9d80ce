"""Queries and mutations of agents, assignment and work queues (composed into the root schema)."""

from __future__ import annotations

import strawberry

from domain.agents.assignment import AssignmentResult
from domain.agents.directory import AgentInput, AgentPatch
from domain.agents.model import Agent as DomainAgent
from domain.entities import Debtor
from schema.agents.loaders import loaders, workforce
from schema.agents.types import Agent, QueueEntry, RiskScore
from schema.common import Connection, UserError, decode_one, encode_id, page_request, to_connection
from schema.errors import attempt, query


@strawberry.input(description="A new agent.")
class AgentCreateInput:
    name: str
    agent_id: str | None = strawberry.field(
        default=None, description="The `agent_id` claim of the agent's tokens; generated when absent."
    )
    email: str | None = None
    phone: str | None = strawberry.field(default=None, description="International (+…) or national.")


@strawberry.input(description="Changes to an agent; absent fields are kept.")
class AgentUpdateInput:
    agent_id: str
    name: str | None = None
    email: str | None = strawberry.field(default=None, description="Empty text removes it.")
    phone: str | None = strawberry.field(default=None, description="Empty text removes it.")
    active: bool | None = strawberry.field(default=None, description="false deactivates the agent.")


@strawberry.input(description="Debtors to move to an agent (or to nobody).")
class AssignmentSetInput:
    debtor_ids: list[strawberry.ID] = strawberry.field(description="Up to 500 debtor ids.")
    agent_id: str | None = strawberry.field(description="The agent; null unassigns the debtors.")


@strawberry.type
class AgentPayload:
    agent: Agent | None
    errors: list[UserError]


@strawberry.type
class AssignmentSetPayload:
    agent_id: str | None
    moved: list[strawberry.ID] = strawberry.field(description="Debtors (and their debts) moved.")
    unchanged: list[strawberry.ID] = strawberry.field(description="Debtors already assigned so.")
    errors: list[UserError]


def _agent_payload(result: DomainAgent | None, errors: list[UserError]) -> AgentPayload:
    return AgentPayload(agent=Agent.of(result) if result else None, errors=errors)


@strawberry.type
class AgentQueries:
    @strawberry.field(description="The tenant's agents (ADMIN, SUPERVISOR).")
    def agents(self, info: strawberry.Info) -> list[Agent]:
        return [Agent.of(a) for a in query(lambda: workforce(info).directory.list(info.context.principal))]

    @strawberry.field(description="One agent; an AGENT may read itself.")
    def agent(self, info: strawberry.Info, id: str) -> Agent | None:
        found = query(lambda: workforce(info).directory.get(info.context.principal, id))
        return Agent.of(found) if found else None

    @strawberry.field(
        description="The calling AGENT's work queue: its debtors with an open debt, highest priority first."
    )
    def my_queue(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[QueueEntry]:
        def run() -> Connection[QueueEntry]:
            page = workforce(info).queues.my_queue(info.context.principal, page_request(first, after))
            return to_connection(page, QueueEntry.of)

        return query(run)

    @strawberry.field(description="An agent's work queue (ADMIN, SUPERVISOR; an AGENT only its own).")
    def agent_queue(
        self, info: strawberry.Info, agent_id: str, first: int | None = None, after: str | None = None
    ) -> Connection[QueueEntry]:
        def run() -> Connection[QueueEntry]:
            page = workforce(info).queues.agent_queue(
                info.context.principal, agent_id, page_request(first, after)
            )
            return to_connection(page, QueueEntry.of)

        return query(run)


@strawberry.type
class AgentMutations:
    @strawberry.mutation(description="Add an agent to the directory (ADMIN, SUPERVISOR).")
    def agent_create(self, info: strawberry.Info, input: AgentCreateInput) -> AgentPayload:
        data = AgentInput(name=input.name, agent_id=input.agent_id, email=input.email, phone=input.phone)
        return _agent_payload(
            *attempt(lambda: workforce(info).directory.create(info.context.principal, data))
        )

    @strawberry.mutation(description="Rename, change contact details, deactivate or reactivate an agent.")
    def agent_update(self, info: strawberry.Info, input: AgentUpdateInput) -> AgentPayload:
        patch = AgentPatch(name=input.name, email=input.email, phone=input.phone, active=input.active)
        return _agent_payload(
            *attempt(lambda: workforce(info).directory.update(info.context.principal, input.agent_id, patch))
        )

    @strawberry.mutation(
        description="Assign debtors (and their debts) to an active agent, or unassign them (null)."
    )
    def assignment_set(self, info: strawberry.Info, input: AssignmentSetInput) -> AssignmentSetPayload:
        def run() -> AssignmentResult:
            ids = [decode_one(i, "Debtor", f"debtorIds[{n}]") for n, i in enumerate(input.debtor_ids)]
            return workforce(info).assignments.set(info.context.principal, ids, input.agent_id)

        result, errors = attempt(run)
        return AssignmentSetPayload(
            agent_id=result.agent_id if result else input.agent_id,
            moved=[encode_id("Debtor", i) for i in result.moved] if result else [],
            unchanged=[encode_id("Debtor", i) for i in result.unchanged] if result else [],
            errors=errors,
        )


async def debtor_risk(info: strawberry.Info, debtor: Debtor) -> RiskScore | None:
    if getattr(info.context, "workforce", None) is None:
        return None
    state = await loaders(info).work.load(debtor.id)
    return RiskScore.of(state.risk) if state and state.risk else None


async def debtor_agent(info: strawberry.Info, debtor: Debtor) -> Agent | None:
    if not debtor.assigned_agent_id or getattr(info.context, "workforce", None) is None:
        return None
    found = await loaders(info).agent.load(debtor.assigned_agent_id)
    return Agent.of(found) if found else None
