"""Seeding an agent's book for the queue request-count tests."""

from __future__ import annotations

from typing import Any

from domain.workforce import Workforce
from infra.seed_queues import seed_queue_entries
from tests.api.conftest import Api


def seed_queue(api: Api, acme: dict[str, Any], workforce: Workforce, agent_id: str, count: int) -> None:
    api.mutate(
        "agentCreate",
        "mutation($i: AgentCreateInput!) { agentCreate(input: $i) { agent { id } errors { code } } }",
        i={"agentId": agent_id, "name": "Lucía Torres"},
    )
    seed_queue_entries("acme", agent_id, count, workforce.deps.clock.now())
