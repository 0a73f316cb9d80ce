"""What report exports need from the outside: somewhere to publish files, and the sources that the
ledger repository alone does not cover (interactions now, promises once they exist)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from domain.reports.model import PublishedFile, Report, ReportFormat


class ReportPublisher(Protocol):
    def publish(
        self, report: Report, fmt: ReportFormat, key: str, filename: str, expires_in: int
    ) -> PublishedFile:
        """Write the report (consuming its rows once, streaming) and make it downloadable under
        `filename` for `expires_in` seconds. Nothing is published when the rows raise."""
        ...


@dataclass(frozen=True)
class Interaction:
    """One contact attempt with a debtor: a reminder message or a call task (agents' logged calls and
    visits will come through the same shape)."""

    at: datetime
    """UTC instant: when a message was created (sent, if it was), when a call task is due."""
    kind: str
    """MESSAGE or CALL_TASK (more kinds later)."""
    channel: str
    status: str
    debtor_id: str
    campaign_id: str | None = None
    step_id: str | None = None
    recipient: str | None = None
    subject: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    detail: str | None = None
    agent_id: str | None = None


@dataclass(frozen=True)
class InteractionQuery:
    since: datetime | None = None
    until: datetime | None = None
    campaign_id: str | None = None
    agent_id: str | None = None


class InteractionSource(Protocol):
    def interactions(self, tenant: str, query: InteractionQuery) -> Iterator[Interaction]:
        """Every interaction matching `query`, lazily, page by page (key or index queries only)."""
        ...

    def campaign_names(self, tenant: str) -> dict[str, str]: ...


@dataclass(frozen=True)
class PromiseRecord:
    debtor_id: str
    debt_id: str | None
    currency: str
    amount: Decimal
    promised_date: date
    status: str
    agent_id: str | None
    created_at: datetime


@dataclass(frozen=True)
class PromiseQuery:
    portfolio_id: str | None = None
    currency: str | None = None
    due_from: date | None = None
    due_to: date | None = None
    agent_id: str | None = None


class PromiseSource(Protocol):
    """Promises to pay (issue 4). Until a store implements it, PROMISES exports answer NOT_AVAILABLE."""

    def promises(self, tenant: str, query: PromiseQuery) -> Iterator[PromiseRecord]: ...
