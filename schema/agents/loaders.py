"""Per-request DataLoaders of agents and work items (kept on the request's context)."""

from __future__ import annotations

from collections.abc import Sequence

import strawberry
from strawberry.dataloader import DataLoader

from domain.agents.model import Agent
from domain.principal import Principal
from domain.queues.model import WorkState
from domain.workforce import Workforce
from schema.common import configured

_KEY = "_agents_loaders"


def workforce(info: strawberry.Info) -> Workforce:
    service: Workforce | None = getattr(info.context, "workforce", None)
    return configured(service, "agents and work queues are")


class AgentLoaders:
    def __init__(self, service: Workforce, principal: Principal) -> None:
        async def load_works(ids: Sequence[str]) -> list[WorkState | None]:
            found = service.works(principal, list(dict.fromkeys(ids)))
            return [found.get(i) for i in ids]

        async def load_agents(ids: Sequence[str]) -> list[Agent | None]:
            found = service.deps.agents.get_agents(principal.tenant, list(dict.fromkeys(ids)))
            return [found.get(i) for i in ids]

        self.work: DataLoader[str, WorkState | None] = DataLoader(load_works, max_batch_size=100)
        self.agent: DataLoader[str, Agent | None] = DataLoader(load_agents, max_batch_size=100)


def loaders(info: strawberry.Info) -> AgentLoaders:
    found: AgentLoaders | None = getattr(info.context, _KEY, None)
    if found is None:
        found = AgentLoaders(workforce(info), info.context.principal)
        setattr(info.context, _KEY, found)
    return found
