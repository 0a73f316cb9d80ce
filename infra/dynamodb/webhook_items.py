"""Webhook subscriptions and deliveries in the single table: key builders and PynamoDB items.

| item | PK | SK |
|---|---|---|
| webhook subscription | `T#t` | `WH#<subscriptionId>` |
| webhook delivery | `T#t#WH#<subscriptionId>` | `DLV#<deliveryId>` (event ids are time-ordered) |

Subscriptions: Query `PK = T#t AND begins_with(SK, WH#)`. Deliveries of a subscription, newest
first: Query `PK = T#t#WH#<id>`, `begins_with(SK, DLV#)`, descending (status as a FilterExpression).
The signing secrets are one binary attribute: the KMS ciphertext of their JSON list, encrypted with
the tenant and subscription id as EncryptionContext. Deliveries expire (`expiresAt`) 30 days after
creation. These classes subclass `TableItem`, so `models.configure()` reaches them once imported.
"""

from __future__ import annotations

from datetime import timedelta

from pynamodb.attributes import BinaryAttribute, ListAttribute, UnicodeAttribute

from infra.dynamodb.keys import tenant_pk, tenant_prefix
from infra.dynamodb.models import TableItem, UTCDateTimeAttribute

SUBSCRIPTION_PREFIX = "WH#"
DELIVERY_PREFIX = "DLV#"
DELIVERY_RETENTION = timedelta(days=30)
"""Delivery logs expire (DynamoDB TTL on `expiresAt`) this long after the delivery was created."""


def _check_id(value: str, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"invalid {what} {value!r}")
    return value


def subscription_pk(tenant: str) -> str:
    """The tenant's root partition (like portfolios and tenant settings)."""
    return tenant_pk(tenant)


def subscription_sk(subscription_id: str) -> str:
    return f"{SUBSCRIPTION_PREFIX}{_check_id(subscription_id, 'subscription id')}"


def delivery_pk(tenant: str, subscription_id: str) -> str:
    """The partition of one subscription's deliveries."""
    return f"{tenant_prefix(tenant)}{SUBSCRIPTION_PREFIX}{_check_id(subscription_id, 'subscription id')}"


def delivery_sk(delivery_id: str) -> str:
    return f"{DELIVERY_PREFIX}{_check_id(delivery_id, 'delivery id')}"


class WebhookSubscriptionItem(TableItem, discriminator="WEBHOOK_SUB"):
    """A webhook subscription: `T#t` / `WH#<id>`; `secrets` is KMS ciphertext (never plaintext)."""

    id = UnicodeAttribute()
    url = UnicodeAttribute()
    event_types: ListAttribute[str] = ListAttribute(
        of=UnicodeAttribute,  # type: ignore[arg-type]
        default=list,
        attr_name="eventTypes",
    )
    description = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    secrets = BinaryAttribute(legacy_encoding=False)
    created_by = UnicodeAttribute(attr_name="createdBy")
    created_at = UTCDateTimeAttribute(attr_name="createdAt")
    updated_at = UTCDateTimeAttribute(attr_name="updatedAt")
    failing_since = UTCDateTimeAttribute(null=True, attr_name="failingSince")
    disabled_reason = UnicodeAttribute(null=True, attr_name="disabledReason")


class WebhookDeliveryItem(TableItem, discriminator="WEBHOOK_DELIVERY"):
    """A delivery of one event to one subscription: `T#t#WH#<subId>` / `DLV#<id>`; attempts are JSON."""

    id = UnicodeAttribute()
    subscription_id = UnicodeAttribute(attr_name="subscriptionId")
    event_type = UnicodeAttribute(attr_name="eventType")
    payload = UnicodeAttribute()
    status = UnicodeAttribute()
    attempts = UnicodeAttribute(default="[]")
    next_attempt_at = UTCDateTimeAttribute(null=True, attr_name="nextAttemptAt")
    created_at = UTCDateTimeAttribute(attr_name="createdAt")
