"""Reminders name the assigned agent: names are read once a minute per agent, inactive agents unnamed."""

from __future__ import annotations

from domain.agents.model import Agent
from infra.agent_names import CachedAgentNames


class Agents:
    def __init__(self) -> None:
        self.reads = 0
        self.agents = {
            "ag-1": Agent(tenant="acme", id="ag-1", name="Lucía Torres"),
            "ag-2": Agent(tenant="acme", id="ag-2", name="Pedro Ruiz", active=False),
        }

    def get_agent(self, tenant: str, agent_id: str) -> Agent | None:
        self.reads += 1
        return self.agents.get(agent_id) if tenant == "acme" else None

    def get_agents(self, tenant: str, agent_ids: list[str]) -> dict[str, Agent]:
        raise AssertionError("not used")


def test_names_are_cached_and_inactive_agents_have_none() -> None:
    agents = Agents()
    names = CachedAgentNames(agents)  # type: ignore[arg-type]
    assert names("acme", "ag-1") == "Lucía Torres"
    assert names("acme", "ag-1") == "Lucía Torres"
    assert agents.reads == 1
    assert names("acme", "ag-2") is None
    assert names("globex", "ag-1") is None
