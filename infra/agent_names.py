"""Agents' names for message templates, read once a minute per agent (the dispatcher renders many
messages for the same agent's debtors)."""

from __future__ import annotations

import time

from domain.agents.model import AgentRepository

TTL_SECONDS = 60.0


class CachedAgentNames:
    def __init__(self, agents: AgentRepository) -> None:
        self.agents = agents
        self._names: dict[tuple[str, str], tuple[float, str | None]] = {}

    def __call__(self, tenant: str, agent_id: str) -> str | None:
        key = (tenant, agent_id)
        cached = self._names.get(key)
        now = time.monotonic()
        if cached is not None and now - cached[0] < TTL_SECONDS:
            return cached[1]
        agent = self.agents.get_agent(tenant, agent_id)
        name = agent.name if agent is not None and agent.active else None
        self._names[key] = (now, name)
        return name
