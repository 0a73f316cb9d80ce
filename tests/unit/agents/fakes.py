"""In-memory twins of the agent directory and the work store (same ordering and conditions)."""

from __future__ import annotations

import copy
from datetime import datetime

from domain.agents.model import Agent
from domain.entities import AuditEntry
from domain.errors import ConcurrencyConflict
from domain.queues.model import WorkState
from domain.queues.priority import day_start
from infra.dynamodb.queue_items import queue_sort


class MemoryAgents:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], Agent] = {}
        self.audits: list[AuditEntry] = []

    def get_agent(self, tenant: str, agent_id: str) -> Agent | None:
        found = self.items.get((tenant, agent_id))
        return copy.deepcopy(found) if found else None

    def get_agents(self, tenant: str, agent_ids: list[str]) -> dict[str, Agent]:
        return {i: a for i in agent_ids if (a := self.get_agent(tenant, i)) is not None}

    def list_agents(self, tenant: str) -> list[Agent]:
        return [copy.deepcopy(a) for (t, _), a in sorted(self.items.items()) if t == tenant]

    def save_agent(self, agent: Agent, expected_version: int, audit: AuditEntry) -> None:
        stored = self.items.get((agent.tenant, agent.id))
        if (stored.version if stored else 0) != expected_version:
            raise ConcurrencyConflict(agent.id)
        agent.version = expected_version + 1
        self.items[(agent.tenant, agent.id)] = copy.deepcopy(agent)
        self.audits.append(audit)


class MemoryWorkStore:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], WorkState] = {}
        self.bands: dict[tuple[str, str], str | None] = {}
        self.queries = 0

    def get_work(self, tenant: str, debtor_id: str) -> WorkState | None:
        found = self.items.get((tenant, debtor_id))
        return copy.deepcopy(found) if found else None

    def get_works(self, tenant: str, debtor_ids: list[str]) -> dict[str, WorkState]:
        return {i: w for i in debtor_ids if (w := self.get_work(tenant, i)) is not None}

    def save_work(self, state: WorkState, expected_version: int) -> None:
        stored = self.items.get((state.tenant, state.debtor_id))
        if (stored.version if stored else 0) != expected_version:
            raise ConcurrencyConflict(state.debtor_id)
        saved = copy.deepcopy(state)
        saved.version = expected_version + 1
        self.items[(state.tenant, state.debtor_id)] = saved

    def queue_after(
        self, tenant: str, agent_id: str, after: tuple[int, str] | None, limit: int
    ) -> tuple[list[WorkState], bool]:
        self.queries += 1
        rows = sorted(
            (queue_sort(s.priority.score, s.debtor_id), s)
            for (t, _), s in self.items.items()
            if t == tenant and s.agent_id == agent_id and s.in_queue and s.priority
        )
        start = queue_sort(*after) if after else ""
        rows = [(k, s) for k, s in rows if k > start]
        return [copy.deepcopy(s) for _, s in rows[:limit]], len(rows) > limit

    def due_until(self, tenant: str, agent_id: str, until: datetime, limit: int) -> list[WorkState]:
        self.queries += 1
        rows = [
            (due, s.debtor_id, s)
            for (t, _), s in self.items.items()
            if t == tenant and s.agent_id == agent_id and (due := s.due_at()) is not None and due <= until
        ]
        return [copy.deepcopy(s) for _, _, s in sorted(rows, key=lambda r: (r[0], r[1]))[:limit]]

    def set_debt_band(self, tenant: str, debtor_id: str, debt_ids: list[str], band: str | None) -> None:
        for debt_id in debt_ids:
            self.bands[(tenant, debt_id)] = band


__all__ = ["MemoryAgents", "MemoryWorkStore", "day_start"]
