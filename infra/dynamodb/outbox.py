"""The outbox side of the table: reading events from the stream and marking them published."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from domain.entities import DomainEvent
from infra.dynamodb.loading import event_from_item
from infra.dynamodb.mapping import event_item
from infra.dynamodb.models import EventItem

RETENTION = timedelta(days=7)
"""Published outbox items stay this long (TTL), for inspection and replays, then DynamoDB drops them."""


@dataclass(frozen=True)
class StreamedEvent:
    sequence_number: str
    event: DomainEvent


def events_from_stream(records: Iterable[dict[str, Any]]) -> list[StreamedEvent]:
    """The outbox events among DynamoDB stream records (new, unpublished EVENT items only)."""
    found = []
    for record in records:
        if record.get("eventName") != "INSERT":
            continue
        image = record.get("dynamodb", {}).get("NewImage") or {}
        if image.get("kind", {}).get("S") != "EVENT" or image.get("published", {}).get("BOOL"):
            continue
        item = EventItem.from_raw_data(image)
        found.append(StreamedEvent(record["dynamodb"]["SequenceNumber"], event_from_item(item)))
    return found


class DynamoOutboxStore:
    def mark_published(self, events: list[DomainEvent], at: datetime) -> None:
        """Rewrite each (immutable) outbox item with `published` and a TTL: batch writes of 25."""
        with EventItem.batch_write() as batch:
            for event in events:
                item = event_item(event.tenant, event)
                item.published = True
                item.expires_at = at + RETENTION
                batch.save(item)
