"""An agent of the tenant's collections team, and where agents are stored."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.entities import AuditEntry
from domain.errors import DomainError, ErrorCode

AGENT_ID = re.compile(r"[A-Za-z0-9._@-]{1,100}\Z")
"""An agent id is the `agent_id` claim of its token: no `#` (it becomes part of keys)."""


def check_agent_id(value: str, field: str = "agentId") -> str:
    text = (value or "").strip()
    if not AGENT_ID.match(text):
        raise DomainError(ErrorCode.INVALID, "an agent id is 1–100 letters, digits or . _ @ -", field)
    return text


@dataclass
class Agent:
    tenant: str
    id: str
    name: str
    email: str | None = None
    phone: str | None = None
    active: bool = True
    created_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 0


class AgentRepository(Protocol):
    def get_agent(self, tenant: str, agent_id: str) -> Agent | None: ...

    def get_agents(self, tenant: str, agent_ids: list[str]) -> dict[str, Agent]:
        """BatchGetItem."""
        ...

    def list_agents(self, tenant: str) -> list[Agent]:
        """Every agent of the tenant, by id (one Query of the tenant partition)."""
        ...

    def save_agent(self, agent: Agent, expected_version: int, audit: AuditEntry) -> None:
        """The agent and its audit entry in one transaction, conditional on the version read (0: the
        agent must not exist); ConcurrencyConflict otherwise. Bumps `agent.version`."""
        ...
