"""In-memory interaction store and timeline sources for the domain's unit tests."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime

from domain.interactions.model import Interaction
from domain.interactions.ports import InteractionFilter, InteractionLogged, Replay
from domain.interactions.timeline import TimelineEntry
from domain.policy import ContactRecord
from domain.ports import Page, PageRequest
from tests.unit.campaigns.dispatch_fakes import InMemoryMessageRepository


class InMemoryInteractionRepository:
    """Implements `InteractionRepository`; the contact entry goes to the message fake's history, like
    the one DynamoDB transaction does."""

    def __init__(self, history: InMemoryMessageRepository) -> None:
        self.history = history
        self.items: dict[tuple[str, str], Interaction] = {}
        self.claims: dict[tuple[str, str], tuple[str, str]] = {}
        self.writes = 0

    def log(self, interaction: Interaction, contact: ContactRecord | None, fingerprint: str) -> Replay | None:
        key = (interaction.tenant, interaction.idempotency_key)
        if key in self.claims:
            return self.find_by_key(*key)
        self.writes += 1
        self.items[(interaction.tenant, interaction.ref)] = copy.deepcopy(interaction)
        self.claims[key] = (interaction.ref, fingerprint)
        if contact is not None:
            self.history.record_contact(interaction.tenant, interaction.debtor_id, contact)
        return None

    def find_by_key(self, tenant: str, idempotency_key: str) -> Replay | None:
        claim = self.claims.get((tenant, idempotency_key))
        if claim is None:
            return None
        return Replay(self.get(tenant, claim[0]), claim[1])

    def get(self, tenant: str, ref: str) -> Interaction | None:
        found = self.items.get((tenant, ref))
        return copy.deepcopy(found) if found else None

    def list(self, tenant: str, query: InteractionFilter, page: PageRequest) -> Page[Interaction]:
        found = [
            copy.deepcopy(i)
            for (t, _), i in self.items.items()
            if t == tenant
            and query.debtor_id in (None, i.debtor_id)
            and query.agent_id in (None, i.agent_id)
            and query.outcome in (None, i.outcome)
            and query.channel in (None, i.channel)
            and (not query.violations or i.violation)
        ]
        found.sort(key=lambda i: (i.occurred_at, i.id), reverse=True)
        return Page(found[: page.first], None, len(found) > page.first)


@dataclass
class RecordingObserver:
    events: list[InteractionLogged] = field(default_factory=list)

    def interaction_logged(self, event: InteractionLogged) -> None:
        self.events.append(event)


@dataclass
class ListSource:
    """A timeline source over a list; counts its calls (one per page at most)."""

    name: str
    stamps: list[datetime]
    calls: int = 0

    def entries(self, tenant: str, debtor_id: str, before: str | None, limit: int) -> list[TimelineEntry]:
        self.calls += 1
        all_entries = [
            TimelineEntry(at, self.name.upper(), f"{self.name} {n}", f"{at.isoformat()}#{n:04d}", n)
            for n, at in enumerate(self.stamps)
        ]
        all_entries.sort(key=lambda e: e.position, reverse=True)
        return [e for e in all_entries if before is None or e.position < before][:limit]
