"""`DynamoWebhookRepository`: webhook subscriptions and deliveries on the single table (PynamoDB).

Reads are GetItem (strongly consistent: a read usually precedes a conditional write) or Query; writes
are single conditional puts on `version` (absent for a new item). Signing secrets are stored only
as KMS ciphertext bound to (tenant, subscription id) and decrypted when a subscription is read.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pynamodb.exceptions import PutError
from pynamodb.expressions.condition import Condition

from domain.clock import iso_utc
from domain.errors import ConcurrencyConflict
from domain.ports import Page, PageRequest
from domain.webhooks import (
    Attempt,
    DeliveryStatus,
    SigningSecret,
    SubscriptionStatus,
    WebhookDelivery,
    WebhookSubscription,
)
from infra.dynamodb.codec import dumps
from infra.dynamodb.models import TableItem
from infra.dynamodb.queries import QueryPlan, SortRange, run_page
from infra.dynamodb.webhook_items import (
    DELIVERY_PREFIX,
    DELIVERY_RETENTION,
    SUBSCRIPTION_PREFIX,
    WebhookDeliveryItem,
    WebhookSubscriptionItem,
    delivery_pk,
    delivery_sk,
    subscription_pk,
    subscription_sk,
)
from infra.secrets import SecretBox

if TYPE_CHECKING:
    from domain.webhooks import WebhookRepository

_TS_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def secrets_context(tenant: str, subscription_id: str) -> dict[str, str]:
    """The KMS EncryptionContext of a subscription's secrets: the ciphertext opens only there."""
    return {"tenant": tenant, "subscriptionId": subscription_id}


def _ts(text: str) -> datetime:
    return datetime.strptime(text, _TS_FORMAT).replace(tzinfo=UTC)


def _opt_ts(text: str | None) -> datetime | None:
    return None if text is None else _ts(text)


def _opt_iso(value: datetime | None) -> str | None:
    return None if value is None else iso_utc(value)


def _version_condition(expected: int) -> Condition:
    if expected == 0:
        return TableItem.PK.does_not_exist()
    return TableItem.version == expected


def _is_condition_failure(error: PutError) -> bool:
    return error.cause_response_code == "ConditionalCheckFailedException"


def _put(item: TableItem, expected: int) -> None:
    try:
        item.save(condition=_version_condition(expected))
    except PutError as error:
        if _is_condition_failure(error):
            raise ConcurrencyConflict(f"{item.PK} / {item.SK}: version is not {expected}") from error
        raise


class DynamoWebhookRepository:
    """Implements `domain.webhooks.WebhookRepository`; `secret_box` seals the signing secrets."""

    def __init__(self, secret_box: SecretBox) -> None:
        self._box = secret_box

    # --- subscriptions ---------------------------------------------------------------------------

    def get_subscription(self, tenant: str, subscription_id: str) -> WebhookSubscription | None:
        try:
            item = WebhookSubscriptionItem.get(
                subscription_pk(tenant), subscription_sk(subscription_id), consistent_read=True
            )
        except WebhookSubscriptionItem.DoesNotExist:
            return None
        return self._subscription_from_item(item)

    def list_subscriptions(self, tenant: str) -> list[WebhookSubscription]:
        items = WebhookSubscriptionItem.query(
            subscription_pk(tenant), TableItem.SK.startswith(SUBSCRIPTION_PREFIX)
        )
        return [self._subscription_from_item(item) for item in items]

    def save_subscription(self, sub: WebhookSubscription, expected_version: int) -> None:
        item = self._subscription_item(sub)
        item.version = expected_version + 1
        _put(item, expected_version)
        sub.version = expected_version + 1

    def _subscription_item(self, s: WebhookSubscription) -> WebhookSubscriptionItem:
        plaintext = dumps(
            [
                {"value": x.value, "createdAt": iso_utc(x.created_at), "expiresAt": _opt_iso(x.expires_at)}
                for x in s.secrets
            ]
        ).encode()
        return WebhookSubscriptionItem(
            subscription_pk(s.tenant),
            subscription_sk(s.id),
            tenant=s.tenant,
            id=s.id,
            url=s.url,
            event_types=list(s.event_types),
            description=s.description,
            status=s.status.value,
            secrets=self._box.encrypt(plaintext, secrets_context(s.tenant, s.id)),
            created_by=s.created_by,
            created_at=s.created_at,
            updated_at=s.updated_at,
            failing_since=s.failing_since,
            disabled_reason=s.disabled_reason,
        )

    def _subscription_from_item(self, i: WebhookSubscriptionItem) -> WebhookSubscription:
        plaintext = self._box.decrypt(bytes(i.secrets), secrets_context(i.tenant, i.id))
        secrets = [
            SigningSecret(x["value"], _ts(x["createdAt"]), _opt_ts(x.get("expiresAt")))
            for x in json.loads(plaintext)
        ]
        return WebhookSubscription(
            tenant=i.tenant,
            id=i.id,
            url=i.url,
            event_types=list(i.event_types or []),
            description=i.description,
            status=SubscriptionStatus(i.status),
            secrets=secrets,
            created_by=i.created_by,
            created_at=i.created_at,
            updated_at=i.updated_at,
            failing_since=i.failing_since,
            disabled_reason=i.disabled_reason,
            version=int(i.version or 0),
        )

    # --- deliveries ------------------------------------------------------------------------------

    def get_delivery(self, tenant: str, subscription_id: str, delivery_id: str) -> WebhookDelivery | None:
        try:
            item = WebhookDeliveryItem.get(
                delivery_pk(tenant, subscription_id), delivery_sk(delivery_id), consistent_read=True
            )
        except WebhookDeliveryItem.DoesNotExist:
            return None
        return _delivery_from_item(item)

    def create_delivery(self, delivery: WebhookDelivery) -> bool:
        """Put unless the (subscription, event) delivery exists; stores and sets version + 1."""
        item = _delivery_item(delivery)
        item.version = delivery.version + 1
        try:
            item.save(condition=TableItem.PK.does_not_exist())
        except PutError as error:
            if _is_condition_failure(error):
                return False
            raise
        delivery.version += 1
        return True

    def save_delivery(self, delivery: WebhookDelivery, expected_version: int) -> None:
        """Conditional on the version read (0: must not exist); raises ConcurrencyConflict."""
        item = _delivery_item(delivery)
        item.version = expected_version + 1
        _put(item, expected_version)
        delivery.version = expected_version + 1

    def list_deliveries(
        self, tenant: str, subscription_id: str, status: DeliveryStatus | None, page: PageRequest
    ) -> Page[WebhookDelivery]:
        """Newest first (delivery ids are time-ordered); cursors are tenant- and subscription-checked."""
        filters = () if status is None else (WebhookDeliveryItem.status == status.value,)
        plan = QueryPlan(
            WebhookDeliveryItem,
            None,
            delivery_pk(tenant, subscription_id),
            SortRange(prefix=DELIVERY_PREFIX),
            filters,
            forward=False,
        )
        result = run_page(plan, tenant, page)
        return Page(
            [_delivery_from_item(i) for i in result.items],
            result.end_cursor,
            result.has_next_page,
            result.cursors,
        )


def _attempt_to_json(a: Attempt) -> dict[str, Any]:
    return {
        "at": iso_utc(a.at),
        "statusCode": a.status_code,
        "latencyMs": a.latency_ms,
        "error": a.error,
        "responseExcerpt": a.response_excerpt,
    }


def _attempt_from_json(d: dict[str, Any]) -> Attempt:
    return Attempt(
        at=_ts(d["at"]),
        status_code=d.get("statusCode"),
        latency_ms=int(d.get("latencyMs") or 0),
        error=d.get("error"),
        response_excerpt=d.get("responseExcerpt"),
    )


def _delivery_item(d: WebhookDelivery) -> WebhookDeliveryItem:
    return WebhookDeliveryItem(
        delivery_pk(d.tenant, d.subscription_id),
        delivery_sk(d.id),
        tenant=d.tenant,
        id=d.id,
        subscription_id=d.subscription_id,
        event_type=d.event_type,
        payload=d.payload,
        status=d.status.value,
        attempts=dumps([_attempt_to_json(a) for a in d.attempts]),
        next_attempt_at=d.next_attempt_at,
        created_at=d.created_at,
        expires_at=d.created_at + DELIVERY_RETENTION,
    )


def _delivery_from_item(i: WebhookDeliveryItem) -> WebhookDelivery:
    return WebhookDelivery(
        tenant=i.tenant,
        subscription_id=i.subscription_id,
        id=i.id,
        event_type=i.event_type,
        payload=i.payload,
        created_at=i.created_at,
        status=DeliveryStatus(i.status),
        attempts=[_attempt_from_json(a) for a in json.loads(i.attempts)],
        next_attempt_at=i.next_attempt_at,
        version=int(i.version or 0),
    )


if TYPE_CHECKING:

    def _conforms(box: SecretBox) -> WebhookRepository:
        return DynamoWebhookRepository(box)
