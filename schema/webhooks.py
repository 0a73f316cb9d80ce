"""GraphQL for partners' webhooks: subscriptions, secrets, deliveries and redelivery."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from domain import webhooks as wh
from domain.services.webhooks import Webhooks
from schema.common import (
    Connection,
    Node,
    UserError,
    configured,
    decode_one,
    decode_two,
    encode_id,
    list_connection,
    page_request,
    to_connection,
)
from schema.errors import attempt, query

SubscriptionStatus = strawberry.enum(wh.SubscriptionStatus, description="Whether deliveries are made.")
DeliveryStatus = strawberry.enum(wh.DeliveryStatus, description="Where a delivery stands.")


def _service(info: strawberry.Info) -> Webhooks:
    service: Webhooks | None = info.context.webhooks
    return configured(service, "webhooks are")


@strawberry.type(description="A partner endpoint that receives signed events (Standard Webhooks).")
class WebhookSubscription(Node):
    url: str
    event_types: list[str] = strawberry.field(description='Event names, or "*" for all.')
    description: str | None
    status: SubscriptionStatus  # type: ignore[valid-type]
    failing_since: datetime | None = strawberry.field(description="Set while every attempt fails.")
    disabled_reason: str | None
    secret_rotated_at: datetime = strawberry.field(description="When the current signing secret was made.")
    previous_secret_expires_at: datetime | None = strawberry.field(
        description="Until then the previous secret also signs (both signatures are sent)."
    )
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, s: wh.WebhookSubscription) -> WebhookSubscription:
        previous = [x.expires_at for x in s.secrets[1:] if x.expires_at is not None]
        return cls(
            id=encode_id("WebhookSubscription", s.id),
            url=s.url,
            event_types=list(s.event_types),
            description=s.description,
            status=s.status,
            failing_since=s.failing_since,
            disabled_reason=s.disabled_reason,
            secret_rotated_at=s.secrets[0].created_at,
            previous_secret_expires_at=max(previous) if previous else None,
            created_at=s.created_at,
            updated_at=s.updated_at,
        )


@strawberry.type(description="One POST to the partner's endpoint.")
class WebhookAttempt:
    at: datetime
    status_code: int | None
    latency_ms: int
    error: str | None
    response_excerpt: str | None = strawberry.field(description="The first 500 characters of the answer.")


@strawberry.type(description="An event sent (or being sent) to one subscription.")
class WebhookDelivery(Node):
    event_id: str = strawberry.field(description="The `webhook-id` header: the same on every retry.")
    event_type: str
    status: DeliveryStatus  # type: ignore[valid-type]
    attempts: list[WebhookAttempt]
    next_attempt_at: datetime | None
    created_at: datetime
    payload: str = strawberry.field(description="The exact JSON body sent.")

    @classmethod
    def of(cls, d: wh.WebhookDelivery) -> WebhookDelivery:
        return cls(
            id=encode_id("WebhookDelivery", d.subscription_id, d.id),
            event_id=d.id,
            event_type=d.event_type,
            status=d.status,
            next_attempt_at=d.next_attempt_at,
            created_at=d.created_at,
            payload=d.payload,
            attempts=[
                WebhookAttempt(
                    at=a.at,
                    status_code=a.status_code,
                    latency_ms=a.latency_ms,
                    error=a.error,
                    response_excerpt=a.response_excerpt,
                )
                for a in d.attempts
            ],
        )


@strawberry.input
class WebhookSubscriptionCreateInput:
    url: str = strawberry.field(description="https:// endpoint that accepts POSTs.")
    event_types: list[str] = strawberry.field(description='Event names from the catalogue, or "*".')
    description: str | None = None


@strawberry.input(
    description="Omitted fields keep their value; `resume` re-activates a paused or disabled one."
)
class WebhookSubscriptionUpdateInput:
    id: strawberry.ID
    url: str | None = None
    event_types: list[str] | None = None
    description: str | None = None
    resume: bool = False


@strawberry.input
class WebhookSubscriptionIdInput:
    id: strawberry.ID


@strawberry.input
class WebhookRedeliverInput:
    delivery_id: strawberry.ID


@strawberry.input
class WebhookDeliveryFilter:
    status: DeliveryStatus | None = None  # type: ignore[valid-type]


@strawberry.type
class WebhookSubscriptionPayload:
    subscription: WebhookSubscription | None
    errors: list[UserError]


@strawberry.type
class WebhookSecretPayload:
    subscription: WebhookSubscription | None
    secret: str | None = strawberry.field(description="The `whsec_` signing secret; shown only here.")
    errors: list[UserError]


@strawberry.type
class WebhookRedeliverPayload:
    delivery: WebhookDelivery | None
    errors: list[UserError]


def _secret_payload(result: Any, errors: list[UserError]) -> WebhookSecretPayload:
    if result is None:
        return WebhookSecretPayload(subscription=None, secret=None, errors=errors)
    return WebhookSecretPayload(
        subscription=WebhookSubscription.of(result.subscription), secret=result.secret, errors=errors
    )


def _sub_payload(result: Any, errors: list[UserError]) -> WebhookSubscriptionPayload:
    return WebhookSubscriptionPayload(
        subscription=WebhookSubscription.of(result) if result else None, errors=errors
    )


@strawberry.type
class WebhookQueries:
    @strawberry.field(description="The tenant's webhook subscriptions (PARTNER, ADMIN).")
    def webhook_subscriptions(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[WebhookSubscription]:
        subs = query(lambda: _service(info).subscriptions(info.context.principal))
        return list_connection([WebhookSubscription.of(s) for s in subs], first, after)

    @strawberry.field(description="Deliveries of one subscription, newest first.")
    def webhook_deliveries(
        self,
        info: strawberry.Info,
        subscription_id: strawberry.ID,
        filter: WebhookDeliveryFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[WebhookDelivery]:
        def run() -> Connection[WebhookDelivery]:
            sid = decode_one(subscription_id, "WebhookSubscription", "subscriptionId")
            status = filter.status if filter else None
            page = _service(info).deliveries(info.context.principal, sid, status, page_request(first, after))
            return to_connection(page, WebhookDelivery.of)

        return query(run)


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(description="Subscribe an endpoint; the answer carries the signing secret, once.")
    def webhook_subscription_create(
        self, info: strawberry.Info, input: WebhookSubscriptionCreateInput
    ) -> WebhookSecretPayload:
        result, errors = attempt(
            lambda: _service(info).create(
                info.context.principal, input.url, list(input.event_types), input.description
            )
        )
        return _secret_payload(result, errors)

    @strawberry.mutation(description="Change a subscription, or resume it.")
    def webhook_subscription_update(
        self, info: strawberry.Info, input: WebhookSubscriptionUpdateInput
    ) -> WebhookSubscriptionPayload:
        result, errors = attempt(
            lambda: _service(info).update(
                info.context.principal,
                decode_one(input.id, "WebhookSubscription"),
                url=input.url,
                event_types=list(input.event_types) if input.event_types is not None else None,
                description=input.description,
                resume=input.resume,
            )
        )
        return _sub_payload(result, errors)

    @strawberry.mutation(description="Stop deliveries until resumed (events meanwhile are skipped).")
    def webhook_subscription_pause(
        self, info: strawberry.Info, input: WebhookSubscriptionIdInput
    ) -> WebhookSubscriptionPayload:
        result, errors = attempt(
            lambda: _service(info).pause(info.context.principal, decode_one(input.id, "WebhookSubscription"))
        )
        return _sub_payload(result, errors)

    @strawberry.mutation(description="New signing secret; the old one keeps signing for 24 hours.")
    def webhook_secret_rotate(
        self, info: strawberry.Info, input: WebhookSubscriptionIdInput
    ) -> WebhookSecretPayload:
        result, errors = attempt(
            lambda: _service(info).rotate_secret(
                info.context.principal, decode_one(input.id, "WebhookSubscription")
            )
        )
        return _secret_payload(result, errors)

    @strawberry.mutation(description="Send a delivery again now, keeping its attempt history.")
    def webhook_redeliver(
        self, info: strawberry.Info, input: WebhookRedeliverInput
    ) -> WebhookRedeliverPayload:
        def run() -> wh.WebhookDelivery:
            sid, did = decode_two(input.delivery_id, "WebhookDelivery", "deliveryId")
            return _service(info).redeliver(info.context.principal, sid, did)

        result, errors = attempt(run)
        return WebhookRedeliverPayload(delivery=WebhookDelivery.of(result) if result else None, errors=errors)
