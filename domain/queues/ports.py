"""What the queues and risk scores need from storage."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from domain.queues.model import WorkState


class WorkStore(Protocol):
    """One work item per debtor; the agent's queue and due list are indexes over them."""

    def get_work(self, tenant: str, debtor_id: str) -> WorkState | None: ...

    def get_works(self, tenant: str, debtor_ids: list[str]) -> dict[str, WorkState]:
        """BatchGetItem (100 keys a request)."""
        ...

    def save_work(self, state: WorkState, expected_version: int) -> None:
        """Conditional on the version read (0: must not exist); ConcurrencyConflict otherwise."""
        ...

    def queue_after(
        self, tenant: str, agent_id: str, after: tuple[int, str] | None, limit: int
    ) -> tuple[list[WorkState], bool]:
        """The agent's queue by base priority (highest first, then debtor id), strictly after
        `(score, debtorId)`: one Query of at most `limit` items; the flag says whether more follow."""
        ...

    def due_until(self, tenant: str, agent_id: str, until: datetime, limit: int) -> list[WorkState]:
        """The agent's entries with a callback or promise due before `until` (one Query)."""
        ...

    def set_debt_band(self, tenant: str, debtor_id: str, debt_ids: list[str], band: str | None) -> None:
        """Copy the debtor's risk band onto its debts (read by the planner's segments) without
        touching their version."""
        ...
