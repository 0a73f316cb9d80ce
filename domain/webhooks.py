"""Webhook subscriptions and deliveries: entities, the retry schedule, and the ports they need."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from domain.ports import Page, PageRequest

RETRY_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
)
"""Delays before each retry after the first attempt (Standard Webhooks' recommended schedule)."""

DISABLE_AFTER = timedelta(days=5)
"""A subscription failing without a single success for this long is disabled."""

OLD_SECRET_GRACE = timedelta(hours=24)
"""After a rotation the previous secret still signs (both signatures are sent) for this long."""


class SubscriptionStatus(StrEnum):
    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"
    DISABLED = "DISABLED"


class DeliveryStatus(StrEnum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    """Every attempt of the schedule failed (or the failure was permanent)."""
    SKIPPED = "SKIPPED"
    """The subscription was paused or disabled when the delivery was due."""


@dataclass
class SigningSecret:
    value: str
    """`whsec_` + base64 of the key bytes (Standard Webhooks format). Stored encrypted."""
    created_at: datetime
    expires_at: datetime | None = None


@dataclass
class WebhookSubscription:
    tenant: str
    id: str
    url: str
    event_types: list[str]
    description: str | None
    status: SubscriptionStatus
    secrets: list[SigningSecret]
    created_by: str
    created_at: datetime
    updated_at: datetime
    failing_since: datetime | None = None
    disabled_reason: str | None = None
    version: int = 0

    def signing_secrets(self, now: datetime) -> list[str]:
        """The secrets that sign now: the current one, and the previous one during its grace period."""
        return [s.value for s in self.secrets if s.expires_at is None or s.expires_at > now]

    def wants(self, event_type: str) -> bool:
        return self.status is SubscriptionStatus.ACTIVE and (
            "*" in self.event_types or event_type in self.event_types
        )


@dataclass(frozen=True)
class Attempt:
    at: datetime
    status_code: int | None
    latency_ms: int
    error: str | None = None
    response_excerpt: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass
class WebhookDelivery:
    tenant: str
    subscription_id: str
    id: str
    """The `webhook-id` header: the event id, the same on every retry (receivers drop duplicates)."""
    event_type: str
    payload: str
    """The exact JSON body sent (the event envelope), fixed when the delivery is created."""
    created_at: datetime
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: list[Attempt] = field(default_factory=list)
    next_attempt_at: datetime | None = None
    version: int = 0

    def schedule_after(self, attempt: Attempt) -> datetime | None:
        """When to try again after this failed attempt; None once the schedule is used up."""
        retries_done = len(self.attempts) - 1
        if retries_done >= len(RETRY_SCHEDULE):
            return None
        return attempt.at + RETRY_SCHEDULE[retries_done]


@dataclass(frozen=True)
class HttpResult:
    status_code: int | None
    latency_ms: int
    error: str | None = None
    body_excerpt: str | None = None
    permanent: bool = False
    """True when retrying cannot help (the URL resolves to a refused address, say)."""


class WebhookSender(Protocol):
    def post(self, url: str, headers: dict[str, str], body: str) -> HttpResult:
        """POST with a short timeout, no redirects, refusing private and metadata addresses."""
        ...


class Signer(Protocol):
    def sign(self, secrets: list[str], message_id: str, timestamp: datetime, body: str) -> str:
        """The `webhook-signature` header value: one `v1,<sig>` per secret, space-separated."""
        ...

    def new_secret(self) -> str:
        """A fresh `whsec_` secret."""
        ...


class DeliveryQueue(Protocol):
    def enqueue(self, tenant: str, subscription_id: str, delivery_id: str, not_before: datetime) -> None:
        """Ask for an attempt of this delivery at `not_before` (or soon after)."""
        ...


class WebhookRepository(Protocol):
    def get_subscription(self, tenant: str, subscription_id: str) -> WebhookSubscription | None: ...

    def list_subscriptions(self, tenant: str) -> list[WebhookSubscription]: ...

    def save_subscription(self, sub: WebhookSubscription, expected_version: int) -> None:
        """Conditional on the version read (0: must not exist); raises ConcurrencyConflict."""
        ...

    def get_delivery(self, tenant: str, subscription_id: str, delivery_id: str) -> WebhookDelivery | None: ...

    def create_delivery(self, delivery: WebhookDelivery) -> bool:
        """Put unless one exists for (subscription, event); False when it did (a repeated event)."""
        ...

    def save_delivery(self, delivery: WebhookDelivery, expected_version: int) -> None: ...

    def list_deliveries(
        self, tenant: str, subscription_id: str, status: DeliveryStatus | None, page: PageRequest
    ) -> Page[WebhookDelivery]:
        """Newest first."""
        ...
