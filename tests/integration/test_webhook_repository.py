"""DynamoWebhookRepository against moto (DynamoDB + KMS): secrets sealed, conditional writes, listings."""

from __future__ import annotations

import calendar
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from domain.errors import ConcurrencyConflict, DomainError, ErrorCode
from domain.ports import PageRequest
from domain.webhooks import (
    Attempt,
    DeliveryStatus,
    SigningSecret,
    SubscriptionStatus,
    WebhookDelivery,
    WebhookSubscription,
)
from infra.dynamodb.webhook_items import WebhookDeliveryItem, delivery_pk, subscription_pk, subscription_sk
from infra.dynamodb.webhook_repository import DynamoWebhookRepository, secrets_context
from infra.secrets import KmsSecretBox, SecretDecryptionError, ensure_local_key

T = "acme"
OTHER = "globex"
NOW = datetime(2026, 3, 15, 15, 0, tzinfo=UTC)
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OLD_SECRET = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"


@pytest.fixture
def kms(dynamodb: Any) -> Any:
    """A mocked KMS client (inside the same `mock_aws` as the table)."""
    return boto3.client("kms", region_name="us-east-1")


@pytest.fixture
def box(kms: Any) -> KmsSecretBox:
    return KmsSecretBox(kms, ensure_local_key(kms), cache_size=0)


@pytest.fixture
def repo(table: str, box: KmsSecretBox) -> DynamoWebhookRepository:
    return DynamoWebhookRepository(box)


def subscription(id_: str = "sub1", tenant: str = T, **kw: Any) -> WebhookSubscription:
    fields: dict[str, Any] = {
        "tenant": tenant,
        "id": id_,
        "url": "https://hooks.example.com/recaudo",
        "event_types": ["payment.recorded", "debt.paid"],
        "description": "ERP sync",
        "status": SubscriptionStatus.ACTIVE,
        "secrets": [
            SigningSecret(SECRET, NOW),
            SigningSecret(OLD_SECRET, NOW - timedelta(days=40), NOW + timedelta(hours=24)),
        ],
        "created_by": "user-1",
        "created_at": NOW,
        "updated_at": NOW,
    }
    fields.update(kw)
    return WebhookSubscription(**fields)


def delivery(id_: str, sub_id: str = "sub1", tenant: str = T, **kw: Any) -> WebhookDelivery:
    fields: dict[str, Any] = {
        "tenant": tenant,
        "subscription_id": sub_id,
        "id": id_,
        "event_type": "payment.recorded",
        "payload": json.dumps({"id": id_, "type": "payment.recorded", "data": {"amount": "10.00"}}),
        "created_at": NOW,
    }
    fields.update(kw)
    return WebhookDelivery(**fields)


def raw_item(client: Any, pk: str, sk: str) -> dict[str, Any]:
    response = client.get_item(TableName="recaudo-test", Key={"PK": {"S": pk}, "SK": {"S": sk}})
    return dict(response["Item"])


# --- subscriptions -------------------------------------------------------------------------------


def test_subscription_round_trip_with_secrets_sealed(repo: DynamoWebhookRepository, dynamodb: Any) -> None:
    sub = subscription(failing_since=NOW, disabled_reason=None, description=None)
    repo.save_subscription(sub, 0)
    assert sub.version == 1

    loaded = repo.get_subscription(T, "sub1")
    assert loaded == sub
    assert [s.value for s in loaded.secrets] == [SECRET, OLD_SECRET]
    assert loaded.signing_secrets(NOW) == [SECRET, OLD_SECRET]

    item = raw_item(dynamodb, subscription_pk(T), subscription_sk("sub1"))
    assert item["kind"] == {"S": "WEBHOOK_SUB"}
    assert item["PK"] == {"S": "T#acme"} and item["SK"] == {"S": "WH#sub1"}
    assert "B" in item["secrets"]
    assert "whsec_" not in str(item)
    assert SECRET.removeprefix("whsec_") not in str(item)
    assert item["version"] == {"N": "1"}


def test_list_subscriptions_only_returns_subscriptions(repo: DynamoWebhookRepository) -> None:
    for id_ in ("sub2", "sub1", "sub3"):
        repo.save_subscription(subscription(id_, url=f"https://h.example.com/{id_}"), 0)
    repo.save_delivery(delivery("evt1"), 0)  # another partition, never listed
    listed = repo.list_subscriptions(T)
    assert [s.id for s in listed] == ["sub1", "sub2", "sub3"]
    assert all(s.secrets[0].value == SECRET for s in listed)


def test_save_subscription_is_conditional_on_version(repo: DynamoWebhookRepository) -> None:
    sub = subscription()
    repo.save_subscription(sub, 0)
    with pytest.raises(ConcurrencyConflict):
        repo.save_subscription(subscription(), 0)  # already exists

    first = repo.get_subscription(T, "sub1")
    second = repo.get_subscription(T, "sub1")
    assert first is not None and second is not None
    first.status = SubscriptionStatus.PAUSED
    repo.save_subscription(first, first.version)
    assert first.version == 2

    second.url = "https://elsewhere.example.com/"
    with pytest.raises(ConcurrencyConflict):
        repo.save_subscription(second, second.version)
    assert second.version == 1  # unchanged on failure
    stored = repo.get_subscription(T, "sub1")
    assert stored is not None
    assert stored.status is SubscriptionStatus.PAUSED and stored.url == sub.url and stored.version == 2

    with pytest.raises(ConcurrencyConflict):
        repo.save_subscription(subscription("missing"), 3)  # a version of nothing


def test_secret_rotation_round_trips(repo: DynamoWebhookRepository) -> None:
    sub = subscription()
    repo.save_subscription(sub, 0)
    rotated = replace(
        sub,
        secrets=[SigningSecret("whsec_bmV3", NOW + timedelta(days=1)), replace(sub.secrets[0])],
        updated_at=NOW + timedelta(days=1),
    )
    rotated.secrets[1].expires_at = NOW + timedelta(days=2)
    repo.save_subscription(rotated, sub.version)
    loaded = repo.get_subscription(T, "sub1")
    assert loaded is not None
    assert loaded.secrets == rotated.secrets
    assert loaded.signing_secrets(NOW + timedelta(days=3)) == ["whsec_bmV3"]


# --- KMS context binding -------------------------------------------------------------------------


def test_ciphertext_is_bound_to_its_subscription(box: KmsSecretBox) -> None:
    sealed = box.encrypt(b'[{"value":"whsec_x"}]', secrets_context(T, "sub1"))
    assert box.decrypt(sealed, secrets_context(T, "sub1")) == b'[{"value":"whsec_x"}]'
    with pytest.raises(SecretDecryptionError):
        box.decrypt(sealed, secrets_context(T, "sub2"))
    with pytest.raises(SecretDecryptionError):
        box.decrypt(sealed, secrets_context(OTHER, "sub1"))


def test_secrets_copied_onto_another_subscription_do_not_open(
    repo: DynamoWebhookRepository, dynamodb: Any
) -> None:
    repo.save_subscription(subscription("sub1"), 0)
    repo.save_subscription(subscription("sub2", secrets=[SigningSecret("whsec_c2Vjb25k", NOW)]), 0)
    stolen = raw_item(dynamodb, subscription_pk(T), subscription_sk("sub1"))["secrets"]
    dynamodb.update_item(
        TableName="recaudo-test",
        Key={"PK": {"S": subscription_pk(T)}, "SK": {"S": subscription_sk("sub2")}},
        UpdateExpression="SET secrets = :s",
        ExpressionAttributeValues={":s": stolen},
    )
    with pytest.raises(SecretDecryptionError):
        repo.get_subscription(T, "sub2")


def test_ensure_local_key_is_idempotent(kms: Any) -> None:
    first = ensure_local_key(kms)
    assert ensure_local_key(kms) == first
    assert ensure_local_key(kms, alias="alias/other") != first


def test_cached_box_still_checks_the_context(kms: Any) -> None:
    cached = KmsSecretBox(kms, ensure_local_key(kms))
    sealed = cached.encrypt(b"secret", {"tenant": T, "subscriptionId": "a"})
    assert cached.encrypt(b"secret", {"tenant": T, "subscriptionId": "a"}) == sealed  # reused
    assert cached.decrypt(sealed, {"tenant": T, "subscriptionId": "a"}) == b"secret"
    with pytest.raises(SecretDecryptionError):
        cached.decrypt(sealed, {"tenant": T, "subscriptionId": "b"})


# --- deliveries ----------------------------------------------------------------------------------


def test_create_delivery_is_idempotent(repo: DynamoWebhookRepository, dynamodb: Any) -> None:
    first = delivery("evt1", next_attempt_at=NOW)
    assert repo.create_delivery(first) is True
    assert first.version == 1
    again = delivery("evt1", payload="{}")
    assert repo.create_delivery(again) is False
    assert again.version == 0

    loaded = repo.get_delivery(T, "sub1", "evt1")
    assert loaded == first
    item = raw_item(dynamodb, delivery_pk(T, "sub1"), "DLV#evt1")
    assert item["kind"] == {"S": "WEBHOOK_DELIVERY"}
    assert item["expiresAt"] == {"N": str(calendar.timegm((NOW + timedelta(days=30)).utctimetuple()))}


def test_save_delivery_round_trips_attempts_and_is_conditional(repo: DynamoWebhookRepository) -> None:
    d = delivery("evt1", next_attempt_at=NOW)
    repo.create_delivery(d)
    stale = repo.get_delivery(T, "sub1", "evt1")
    assert stale is not None

    d.attempts = [
        Attempt(NOW, 503, 812, None, "Service Unavailable"),
        Attempt(NOW + timedelta(seconds=5), None, 10_000, "timeout"),
    ]
    d.next_attempt_at = NOW + timedelta(minutes=5, seconds=5)
    repo.save_delivery(d, d.version)
    assert d.version == 2
    loaded = repo.get_delivery(T, "sub1", "evt1")
    assert loaded == d
    assert loaded.attempts[0].latency_ms == 812 and loaded.attempts[1].status_code is None

    stale.status = DeliveryStatus.SUCCEEDED
    with pytest.raises(ConcurrencyConflict):
        repo.save_delivery(stale, stale.version)


def test_list_deliveries_newest_first_with_pages_and_status(repo: DynamoWebhookRepository) -> None:
    ids = [f"01J{n:03d}" for n in range(7)]  # time-ordered, like the event ids
    for n, id_ in enumerate(ids):
        status = DeliveryStatus.FAILED if n % 3 == 0 else DeliveryStatus.SUCCEEDED
        repo.create_delivery(delivery(id_, status=status, created_at=NOW + timedelta(minutes=n)))
    repo.create_delivery(delivery("01J999", sub_id="sub2"))  # another subscription

    seen: list[str] = []
    after: str | None = None
    while True:
        page = repo.list_deliveries(T, "sub1", None, PageRequest(first=3, after=after))
        seen.extend(d.id for d in page.items)
        assert len(page.cursors) == len(page.items)
        if not page.has_next_page:
            break
        after = page.end_cursor
    assert seen == list(reversed(ids))

    failed = repo.list_deliveries(T, "sub1", DeliveryStatus.FAILED, PageRequest(first=2))
    assert [d.id for d in failed.items] == ["01J006", "01J003"]
    assert failed.has_next_page
    more = PageRequest(first=2, after=failed.end_cursor)
    rest = repo.list_deliveries(T, "sub1", DeliveryStatus.FAILED, more)
    assert [d.id for d in rest.items] == ["01J000"] and not rest.has_next_page

    assert repo.list_deliveries(T, "sub1", DeliveryStatus.PENDING, PageRequest()).items == []

    with pytest.raises(DomainError) as err:  # a cursor of another subscription's list
        repo.list_deliveries(T, "sub2", None, PageRequest(after=failed.end_cursor))
    assert err.value.code is ErrorCode.NOT_FOUND


def test_delivery_items_are_configured_with_the_other_models(table: str) -> None:
    assert WebhookDeliveryItem.Meta.table_name == table


# --- tenant isolation ----------------------------------------------------------------------------


def test_other_tenant_sees_nothing(repo: DynamoWebhookRepository) -> None:
    repo.save_subscription(subscription(), 0)
    repo.create_delivery(delivery("evt1"))
    assert repo.get_subscription(OTHER, "sub1") is None
    assert repo.list_subscriptions(OTHER) == []
    assert repo.get_delivery(OTHER, "sub1", "evt1") is None
    assert repo.list_deliveries(OTHER, "sub1", None, PageRequest()).items == []

    page = repo.list_deliveries(T, "sub1", None, PageRequest(first=1))
    assert page.end_cursor
    with pytest.raises(DomainError) as err:
        repo.list_deliveries(OTHER, "sub1", None, PageRequest(after=page.end_cursor))
    assert err.value.code is ErrorCode.NOT_FOUND

    with pytest.raises(ValueError):
        repo.get_subscription("T#acme", "sub1")  # not a tenant id: no forged keys
