"""The partner event contract: which events exist and the envelope they travel in.

Each type has a JSON Schema per version in `schema/events/<Type>.v<version>.json`; the envelope built
here is the EventBridge `detail` those schemas describe.
"""

from __future__ import annotations

import copy
from typing import Any

from domain.clock import iso_utc
from domain.entities import DomainEvent

EVENT_TYPES: frozenset[str] = frozenset(
    {
        "DebtCreated",
        "DebtUpdated",
        "DebtPaid",
        "DebtWrittenOff",
        "DebtOverdue",
        "DisputeOpened",
        "DisputeResolved",
        "PaymentRecorded",
        "PaymentReversed",
        "PaymentPlanCreated",
        "PaymentPlanCompleted",
        "PaymentPlanBroken",
        "PaymentPlanCancelled",
        "PromiseCreated",
        "PromiseKept",
        "PromisePartiallyKept",
        "PromiseBroken",
        "PromiseCancelled",
        "PromiseReopened",
        "WebhookSubscriptionDisabled",
    }
) | frozenset({"DebtExtended", "DiscountOfferCreated", "DiscountOfferSettled", "DiscountOfferCancelled"})


def envelope(event: DomainEvent) -> dict[str, Any]:
    """The partner-facing body of an event: `{id, type, version, tenant, occurredAt, data}`."""
    return {
        "id": event.id,
        "type": event.type,
        "version": event.version,
        "tenant": event.tenant,
        "occurredAt": iso_utc(event.occurred_at),
        "data": copy.deepcopy(event.data),
    }
