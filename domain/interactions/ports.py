"""What the interaction use cases need from storage, and the hook other features plug into."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.interactions.model import Interaction, InteractionChannel, InteractionOutcome
from domain.policy import ContactRecord
from domain.ports import Page, PageRequest


@dataclass(frozen=True)
class InteractionFilter:
    """A listing; the repository serves it from the most selective key: debtor, then violations, then
    agent, then outcome, else the tenant's list. The remaining fields filter that one Query."""

    debtor_id: str | None = None
    agent_id: str | None = None
    channel: InteractionChannel | None = None
    outcome: InteractionOutcome | None = None
    occurred_from: datetime | None = None
    occurred_to: datetime | None = None
    violations: bool = False


@dataclass(frozen=True)
class Replay:
    """The stored interaction an idempotency key points at, with the fingerprint of its request."""

    interaction: Interaction | None
    fingerprint: str


class InteractionRepository(Protocol):
    def log(self, interaction: Interaction, contact: ContactRecord | None, fingerprint: str) -> Replay | None:
        """One transaction: the interaction, its idempotency claim and its contact-history entry.

        Returns None when written; a `Replay` (and writes nothing) when the key was already claimed."""
        ...

    def find_by_key(self, tenant: str, idempotency_key: str) -> Replay | None: ...

    def get(self, tenant: str, ref: str) -> Interaction | None:
        """By `Interaction.ref` (None when malformed or absent)."""
        ...

    def list(self, tenant: str, query: InteractionFilter, page: PageRequest) -> Page[Interaction]: ...


@dataclass(frozen=True)
class InteractionLogged:
    """What the agent queue and the risk score need to know about a logged interaction."""

    tenant: str
    debtor_id: str
    interaction_id: str
    occurred_at: datetime
    outcome: InteractionOutcome
    channel: InteractionChannel
    callback_at: datetime | None
    agent_id: str | None


class InteractionObserver(Protocol):
    """Called after an interaction is stored, and again when a retry replays it (so a crash between the
    write and the call is healed by the client's retry): implementations must be idempotent, keyed by
    `interaction_id`. A failure here never undoes the log; it propagates so the client retries."""

    def interaction_logged(self, event: InteractionLogged) -> None: ...


class NoObserver:
    """The default: nobody is listening."""

    def interaction_logged(self, event: InteractionLogged) -> None:
        return None
