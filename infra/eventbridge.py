"""Publishing domain events to the partners' EventBridge bus."""

from __future__ import annotations

import json
from typing import Any

from domain.entities import DomainEvent
from domain.event_catalogue import envelope

SOURCE = "recaudo"
MAX_ENTRIES = 10
"""PutEvents takes at most 10 entries per request."""


class EventBridgePublisher:
    def __init__(self, client: Any, bus_name: str) -> None:
        self.client, self.bus_name = client, bus_name

    def publish(self, events: list[DomainEvent]) -> set[str]:
        """Put every event on the bus; return the ids EventBridge did not accept."""
        failed: set[str] = set()
        for start in range(0, len(events), MAX_ENTRIES):
            chunk = events[start : start + MAX_ENTRIES]
            response = self.client.put_events(Entries=[self._entry(e) for e in chunk])
            if response.get("FailedEntryCount"):
                for event, result in zip(chunk, response["Entries"], strict=True):
                    if result.get("ErrorCode"):
                        failed.add(event.id)
        return failed

    def _entry(self, event: DomainEvent) -> dict[str, Any]:
        return {
            "Source": SOURCE,
            "DetailType": event.type,
            "Detail": json.dumps(envelope(event), separators=(",", ":")),
            "EventBusName": self.bus_name,
            "Time": event.occurred_at,
            "Resources": [],
        }
