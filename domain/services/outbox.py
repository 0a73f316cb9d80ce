"""Relaying the outbox: committed domain events go to the partners' bus, at least once."""

from __future__ import annotations

from dataclasses import dataclass

from domain.clock import Clock
from domain.entities import DomainEvent
from domain.ports import EventPublisher, OutboxStore


@dataclass(frozen=True)
class RelayResult:
    published: list[str]
    failed: list[str]


class OutboxRelay:
    def __init__(self, publisher: EventPublisher, store: OutboxStore, clock: Clock) -> None:
        self.publisher, self.store, self.clock = publisher, store, clock

    def relay(self, events: list[DomainEvent]) -> RelayResult:
        """Publish events in order and mark the ones that went out.

        A crash between publishing and marking publishes again on retry: consumers drop duplicates
        by the event `id`, which never changes.
        """
        if not events:
            return RelayResult([], [])
        failed = self.publisher.publish(events)
        done = [e for e in events if e.id not in failed]
        if done:
            self.store.mark_published(done, self.clock.now())
        return RelayResult([e.id for e in done], [e.id for e in events if e.id in failed])
