"""Webhooks: partners' subscriptions, fan-out of published events, and signed delivery attempts."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from domain.clock import Clock, iso_utc
from domain.entities import DomainEvent
from domain.errors import ConcurrencyConflict, DomainError, ErrorCode, NotFound
from domain.event_catalogue import EVENT_TYPES
from domain.ports import IdGenerator, LedgerRepository, Page, PageRequest, Transaction
from domain.principal import Action, Principal
from domain.services.base import clean_text
from domain.webhooks import (
    DISABLE_AFTER,
    OLD_SECRET_GRACE,
    Attempt,
    DeliveryQueue,
    DeliveryStatus,
    Signer,
    SigningSecret,
    SubscriptionStatus,
    WebhookDelivery,
    WebhookRepository,
    WebhookSender,
    WebhookSubscription,
)

LEASE = timedelta(seconds=60)
"""An attempt in progress holds the delivery this long, so a duplicate queue message does not post too."""
MAX_SUBSCRIPTIONS = 25


@dataclass(frozen=True)
class WebhookSettings:
    allow_insecure_loopback: bool = False
    """Local development: accept http:// URLs to 127.0.0.1/localhost (the sender enforces loopback)."""


@dataclass
class SubscriptionWithSecret:
    subscription: WebhookSubscription
    secret: str
    """Shown once, on creation and rotation; stored encrypted."""


class Webhooks:
    def __init__(
        self,
        repo: WebhookRepository,
        signer: Signer,
        sender: WebhookSender,
        queue: DeliveryQueue,
        clock: Clock,
        ids: IdGenerator,
        settings: WebhookSettings | None = None,
        outbox: LedgerRepository | None = None,
    ) -> None:
        self.repo, self.signer, self.sender, self.queue = repo, signer, sender, queue
        self.clock, self.ids = clock, ids
        self.settings = settings or WebhookSettings()
        self.outbox = outbox
        """Where the WebhookSubscriptionDisabled event for the tenant's admins is written."""

    # --- subscriptions (PARTNER and ADMIN) ---------------------------------------------------------

    def subscriptions(self, principal: Principal) -> list[WebhookSubscription]:
        principal.require(Action.WEBHOOK_MANAGE)
        return sorted(self.repo.list_subscriptions(principal.tenant), key=lambda s: s.created_at)

    def get(self, principal: Principal, subscription_id: str) -> WebhookSubscription:
        principal.require(Action.WEBHOOK_MANAGE)
        sub = self.repo.get_subscription(principal.tenant, subscription_id)
        if sub is None:
            raise NotFound("webhook subscription")
        return sub

    def create(
        self, principal: Principal, url: str, event_types: list[str], description: str | None
    ) -> SubscriptionWithSecret:
        principal.require(Action.WEBHOOK_MANAGE)
        if len(self.repo.list_subscriptions(principal.tenant)) >= MAX_SUBSCRIPTIONS:
            raise DomainError(ErrorCode.INVALID, f"at most {MAX_SUBSCRIPTIONS} subscriptions", None)
        now = self.clock.now()
        secret = self.signer.new_secret()
        sub = WebhookSubscription(
            tenant=principal.tenant,
            id=self.ids.new_id(),
            url=self._url(url),
            event_types=_event_types(event_types),
            description=clean_text(description, "description", max_len=500),
            status=SubscriptionStatus.ACTIVE,
            secrets=[SigningSecret(secret, now)],
            created_by=principal.sub,
            created_at=now,
            updated_at=now,
        )
        self.repo.save_subscription(sub, 0)
        return SubscriptionWithSecret(sub, secret)

    def update(
        self,
        principal: Principal,
        subscription_id: str,
        url: str | None = None,
        event_types: list[str] | None = None,
        description: str | None = None,
        resume: bool = False,
    ) -> WebhookSubscription:
        """Change the URL, event types or description; `resume` re-activates a paused or disabled one."""
        sub = self.get(principal, subscription_id)
        expected = sub.version
        if url is not None:
            sub.url = self._url(url)
        if event_types is not None:
            sub.event_types = _event_types(event_types)
        if description is not None:
            sub.description = clean_text(description, "description", max_len=500)
        if resume:
            sub.status, sub.failing_since, sub.disabled_reason = SubscriptionStatus.ACTIVE, None, None
        sub.updated_at = self.clock.now()
        self._save(sub, expected)
        return sub

    def pause(self, principal: Principal, subscription_id: str) -> WebhookSubscription:
        sub = self.get(principal, subscription_id)
        expected = sub.version
        sub.status, sub.updated_at = SubscriptionStatus.PAUSED, self.clock.now()
        self._save(sub, expected)
        return sub

    def rotate_secret(self, principal: Principal, subscription_id: str) -> SubscriptionWithSecret:
        """A new secret signs from now on; the previous one keeps signing for 24 hours."""
        sub = self.get(principal, subscription_id)
        expected, now = sub.version, self.clock.now()
        secret = self.signer.new_secret()
        kept = [s for s in sub.secrets if s.expires_at is None or s.expires_at > now]
        for old in kept:
            if old.expires_at is None:
                old.expires_at = now + OLD_SECRET_GRACE
        sub.secrets = [SigningSecret(secret, now), *kept]
        sub.updated_at = now
        self._save(sub, expected)
        return SubscriptionWithSecret(sub, secret)

    def deliveries(
        self, principal: Principal, subscription_id: str, status: DeliveryStatus | None, page: PageRequest
    ) -> Page[WebhookDelivery]:
        self.get(principal, subscription_id)
        return self.repo.list_deliveries(principal.tenant, subscription_id, status, page)

    def redeliver(self, principal: Principal, subscription_id: str, delivery_id: str) -> WebhookDelivery:
        """Send a delivery again now (after fixing the receiver), keeping its attempt history."""
        self.get(principal, subscription_id)
        delivery = self.repo.get_delivery(principal.tenant, subscription_id, delivery_id)
        if delivery is None:
            raise NotFound("webhook delivery", "deliveryId")
        expected, now = delivery.version, self.clock.now()
        delivery.status, delivery.next_attempt_at = DeliveryStatus.PENDING, now
        self._save_delivery(delivery, expected)
        self.queue.enqueue(delivery.tenant, subscription_id, delivery.id, now)
        return delivery

    def _save(self, sub: WebhookSubscription, expected: int) -> None:
        try:
            self.repo.save_subscription(sub, expected)
        except ConcurrencyConflict:
            raise DomainError(
                ErrorCode.CONFLICT, "the subscription changed meanwhile; try again", None
            ) from None

    def _save_delivery(self, delivery: WebhookDelivery, expected: int) -> None:
        try:
            self.repo.save_delivery(delivery, expected)
        except ConcurrencyConflict:
            raise DomainError(
                ErrorCode.CONFLICT, "the delivery is being attempted; try again", None
            ) from None

    def _url(self, url: str) -> str:
        text = (url or "").strip()
        parts = urlsplit(text)
        local = (
            parts.scheme == "http"
            and self.settings.allow_insecure_loopback
            and parts.hostname
            in (
                "127.0.0.1",
                "localhost",
                "::1",
            )
        )
        if len(text) > 2000 or not parts.hostname or (parts.scheme != "https" and not local):
            raise DomainError(ErrorCode.INVALID, "the URL must be https:// with a host", "url")
        if parts.username or parts.password:
            raise DomainError(ErrorCode.INVALID, "credentials in the URL are not allowed", "url")
        return text

    # --- workers -----------------------------------------------------------------------------------

    def fan_out(self, envelope: dict[str, Any]) -> int:
        """Create one delivery per interested subscription for a published event; safe to repeat."""
        tenant, event_type, event_id = envelope["tenant"], envelope["type"], envelope["id"]
        body = json.dumps(envelope, separators=(",", ":"), ensure_ascii=False)
        now, created = self.clock.now(), 0
        occurred_at = datetime.fromisoformat(envelope["occurredAt"].replace("Z", "+00:00"))
        for sub in self.repo.list_subscriptions(tenant):
            if not sub.wants(event_type) or sub.created_at > occurred_at:
                continue  # not interested, or subscribed after the event happened
            delivery = WebhookDelivery(
                tenant=tenant,
                subscription_id=sub.id,
                id=event_id,
                event_type=event_type,
                payload=body,
                created_at=now,
                next_attempt_at=now,
            )
            if self.repo.create_delivery(delivery):
                created += 1
            existing = self.repo.get_delivery(tenant, sub.id, event_id)
            if existing is not None and existing.status is DeliveryStatus.PENDING:
                self.queue.enqueue(tenant, sub.id, event_id, existing.next_attempt_at or now)
        return created

    def attempt(self, tenant: str, subscription_id: str, delivery_id: str) -> DeliveryStatus | None:
        """Post a due delivery once: sign, send, record, and schedule the next retry or give up."""
        delivery = self.repo.get_delivery(tenant, subscription_id, delivery_id)
        if delivery is None or delivery.status is not DeliveryStatus.PENDING:
            return None  # done already: a duplicate message
        now = self.clock.now()
        if delivery.next_attempt_at and delivery.next_attempt_at > now + timedelta(seconds=1):
            self.queue.enqueue(tenant, subscription_id, delivery_id, delivery.next_attempt_at)
            return None  # not due yet: the queue's delay is shorter than the schedule's
        sub = self.repo.get_subscription(tenant, subscription_id)
        if sub is None or sub.status is not SubscriptionStatus.ACTIVE:
            expected = delivery.version
            delivery.status, delivery.next_attempt_at = DeliveryStatus.SKIPPED, None
            self._quietly(lambda: self.repo.save_delivery(delivery, expected))
            return delivery.status
        # Take a lease first: a concurrent duplicate loses the conditional write and does not post.
        expected = delivery.version
        delivery.next_attempt_at = now + LEASE
        try:
            self.repo.save_delivery(delivery, expected)
        except ConcurrencyConflict:
            return None
        result = self._post(sub, delivery, now)
        attempt = Attempt(
            at=now,
            status_code=result.status_code,
            latency_ms=result.latency_ms,
            error=result.error,
            response_excerpt=result.body_excerpt,
        )
        delivery.attempts.append(attempt)
        if attempt.succeeded:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.SUCCEEDED, None
        else:
            retry_at = None if result.permanent else delivery.schedule_after(attempt)
            delivery.status = DeliveryStatus.PENDING if retry_at else DeliveryStatus.FAILED
            delivery.next_attempt_at = retry_at
        expected = delivery.version
        self.repo.save_delivery(delivery, expected)
        if delivery.next_attempt_at is not None:
            self.queue.enqueue(tenant, subscription_id, delivery_id, delivery.next_attempt_at)
        self._track_health(sub, attempt.succeeded, now)
        return delivery.status

    def _post(self, sub: WebhookSubscription, delivery: WebhookDelivery, now: datetime) -> Any:
        signature = self.signer.sign(sub.signing_secrets(now), delivery.id, now, delivery.payload)
        headers = {
            "webhook-id": delivery.id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signature,
            "content-type": "application/json",
            "user-agent": "Recaudo-Webhooks/1",
        }
        return self.sender.post(sub.url, headers, delivery.payload)

    def _track_health(self, sub: WebhookSubscription, succeeded: bool, now: datetime) -> None:
        """Remember since when a subscription fails; disable it after DISABLE_AFTER without success."""
        expected = sub.version
        if succeeded:
            if sub.failing_since is None:
                return
            sub.failing_since = None
        elif sub.failing_since is None:
            sub.failing_since = now
        elif now - sub.failing_since >= DISABLE_AFTER:
            sub.status = SubscriptionStatus.DISABLED
            sub.disabled_reason = f"every delivery failed since {iso_utc(sub.failing_since)}"
        else:
            return
        sub.updated_at = now
        try:
            self.repo.save_subscription(sub, expected)
        except ConcurrencyConflict:
            return  # someone else changed it meanwhile; their write stands
        if sub.status is SubscriptionStatus.DISABLED and self.outbox and sub.failing_since:
            data = {
                "subscriptionId": sub.id,
                "url": sub.url,
                "failingSince": iso_utc(sub.failing_since),
                "reason": sub.disabled_reason,
            }
            event = DomainEvent(
                tenant=sub.tenant,
                id=self.ids.new_id(),
                type="WebhookSubscriptionDisabled",
                version=1,
                occurred_at=now,
                aggregate_id=sub.id,
                data=data,
            )
            self.outbox.commit(sub.tenant, Transaction(events=[event]))

    @staticmethod
    def _quietly(write: Any) -> None:
        # Someone else changed the record meanwhile; their write stands.
        with contextlib.suppress(ConcurrencyConflict):
            write()


def _event_types(values: list[str]) -> list[str]:
    chosen = sorted({v.strip() for v in values if v.strip()})
    if not chosen:
        raise DomainError(ErrorCode.REQUIRED, 'subscribe to at least one event type (or "*")', "eventTypes")
    unknown = [v for v in chosen if v != "*" and v not in EVENT_TYPES]
    if unknown:
        raise DomainError(ErrorCode.INVALID, f"unknown event types: {', '.join(unknown)}", "eventTypes")
    return chosen
