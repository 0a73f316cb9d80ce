"""Webhook use cases on in-memory fakes: subscriptions, fan-out, signed attempts, retries, disabling."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from domain.clock import FixedClock
from domain.errors import ConcurrencyConflict, DomainError, ErrorCode, Forbidden
from domain.event_catalogue import envelope as envelope_of
from domain.ids import TimeOrderedIds
from domain.ports import Page, PageRequest
from domain.principal import Principal, Role
from domain.services.webhooks import Webhooks, WebhookSettings
from domain.webhooks import (
    RETRY_SCHEDULE,
    DeliveryStatus,
    HttpResult,
    SubscriptionStatus,
    WebhookDelivery,
    WebhookSubscription,
)
from tests.fakes import InMemoryLedgerRepository

SCHEMAS = Path(__file__).resolve().parents[2] / "schema" / "events"
PARTNER = Principal("pasarela", "acme", Role.PARTNER)
ADMIN = Principal("ana", "acme", Role.ADMIN)


class Repo:
    def __init__(self) -> None:
        self.subs: dict[tuple[str, str], WebhookSubscription] = {}
        self.deliveries: dict[tuple[str, str, str], WebhookDelivery] = {}

    def get_subscription(self, tenant: str, sid: str) -> WebhookSubscription | None:
        found = self.subs.get((tenant, sid))
        return copy.deepcopy(found) if found else None

    def list_subscriptions(self, tenant: str) -> list[WebhookSubscription]:
        return [copy.deepcopy(s) for (t, _), s in self.subs.items() if t == tenant]

    def save_subscription(self, sub: WebhookSubscription, expected_version: int) -> None:
        current = self.subs.get((sub.tenant, sub.id))
        if (current.version if current else 0) != expected_version:
            raise ConcurrencyConflict("subscription")
        sub.version = expected_version + 1
        self.subs[(sub.tenant, sub.id)] = copy.deepcopy(sub)

    def get_delivery(self, tenant: str, sid: str, did: str) -> WebhookDelivery | None:
        found = self.deliveries.get((tenant, sid, did))
        return copy.deepcopy(found) if found else None

    def create_delivery(self, d: WebhookDelivery) -> bool:
        key = (d.tenant, d.subscription_id, d.id)
        if key in self.deliveries:
            return False
        d.version = 1
        self.deliveries[key] = copy.deepcopy(d)
        return True

    def save_delivery(self, d: WebhookDelivery, expected_version: int) -> None:
        key = (d.tenant, d.subscription_id, d.id)
        if self.deliveries[key].version != expected_version:
            raise ConcurrencyConflict("delivery")
        d.version = expected_version + 1
        self.deliveries[key] = copy.deepcopy(d)

    def list_deliveries(self, tenant: str, sid: str, status: Any, page: PageRequest) -> Page[WebhookDelivery]:
        items = [d for (t, s, _), d in self.deliveries.items() if t == tenant and s == sid]
        items = [d for d in items if status is None or d.status is status]
        return Page(sorted(items, key=lambda d: d.id, reverse=True)[: page.first], None, False)


class Signer:
    def __init__(self) -> None:
        self.count = 0

    def new_secret(self) -> str:
        self.count += 1
        return f"whsec_secret{self.count}"

    def sign(self, secrets: list[str], message_id: str, timestamp: datetime, body: str) -> str:
        return " ".join(f"v1,{s}:{message_id}:{int(timestamp.timestamp())}" for s in secrets)


@dataclass
class Sender:
    script: list[HttpResult] = field(default_factory=list)
    calls: list[tuple[str, dict[str, str], str]] = field(default_factory=list)

    def post(self, url: str, headers: dict[str, str], body: str) -> HttpResult:
        self.calls.append((url, headers, body))
        return self.script.pop(0) if self.script else HttpResult(None, 5000, "timed out")


@dataclass
class Queue:
    jobs: list[tuple[str, str, str, datetime]] = field(default_factory=list)

    def enqueue(self, tenant: str, sid: str, did: str, not_before: datetime) -> None:
        self.jobs.append((tenant, sid, did, not_before))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 15, 15, 0, tzinfo=UTC))


@pytest.fixture
def parts(clock: FixedClock) -> tuple[Webhooks, Repo, Sender, Queue]:
    repo, sender, queue = Repo(), Sender(), Queue()
    hooks = Webhooks(repo, Signer(), sender, queue, clock, TimeOrderedIds(clock))
    return hooks, repo, sender, queue


def envelope(n: int = 1, event_type: str = "PaymentRecorded", tenant: str = "acme") -> dict[str, Any]:
    return {
        "id": f"evt-{n:04d}",
        "type": event_type,
        "version": 1,
        "tenant": tenant,
        "occurredAt": "2026-03-15T15:00:00.000000Z",
        "data": {"paymentId": "p1"},
    }


def test_create_validates_and_returns_the_secret_once(parts: Any) -> None:
    hooks, repo, _, _ = parts
    created = hooks.create(PARTNER, "https://erp.example.com/hooks", ["PaymentRecorded", "DebtPaid"], "ERP")
    assert created.secret.startswith("whsec_") and created.subscription.status is SubscriptionStatus.ACTIVE
    assert created.subscription.event_types == ["DebtPaid", "PaymentRecorded"]
    for url, types, code in [
        ("http://erp.example.com/hooks", ["DebtPaid"], ErrorCode.INVALID),
        ("https://user:pw@erp.example.com/", ["DebtPaid"], ErrorCode.INVALID),
        ("https://erp.example.com/", [], ErrorCode.REQUIRED),
        ("https://erp.example.com/", ["NoSuchEvent"], ErrorCode.INVALID),
    ]:
        with pytest.raises(DomainError) as err:
            hooks.create(PARTNER, url, types, None)
        assert err.value.code is code
    with pytest.raises(Forbidden):
        hooks.create(Principal("x", "acme", Role.AGENT, "ag-1"), "https://a.example.com/", ["*"], None)
    assert len(repo.subs) == 1


def test_local_development_accepts_http_loopback_only(clock: FixedClock) -> None:
    hooks = Webhooks(
        Repo(),
        Signer(),
        Sender(),
        Queue(),
        clock,
        TimeOrderedIds(clock),
        WebhookSettings(allow_insecure_loopback=True),
    )
    assert hooks.create(ADMIN, "http://127.0.0.1:9000/in", ["*"], None).subscription.url.startswith("http://")
    with pytest.raises(DomainError):
        hooks.create(ADMIN, "http://10.0.0.1/in", ["*"], None)


def test_rotation_signs_with_both_secrets_for_a_day(parts: Any, clock: FixedClock) -> None:
    hooks, _, sender, _ = parts
    sub = hooks.create(PARTNER, "https://erp.example.com/h", ["*"], None).subscription
    rotated = hooks.rotate_secret(PARTNER, sub.id)
    assert rotated.secret != "whsec_secret1"
    hooks.fan_out(envelope(1))
    sender.script = [HttpResult(200, 12)]
    hooks.attempt("acme", sub.id, "evt-0001")
    assert sender.calls[0][1]["webhook-signature"].count("v1,") == 2
    clock.advance(timedelta(hours=25))
    hooks.fan_out(envelope(2))
    sender.script = [HttpResult(200, 12)]
    hooks.attempt("acme", sub.id, "evt-0002")
    assert sender.calls[1][1]["webhook-signature"].count("v1,") == 1
    assert "secret2" in sender.calls[1][1]["webhook-signature"]


def test_fan_out_targets_interested_subscriptions_once(parts: Any) -> None:
    hooks, repo, _, queue = parts
    payments = hooks.create(PARTNER, "https://a.example.com/", ["PaymentRecorded"], None).subscription
    hooks.create(PARTNER, "https://b.example.com/", ["DebtPaid"], None)
    paused = hooks.create(ADMIN, "https://c.example.com/", ["*"], None).subscription
    hooks.pause(ADMIN, paused.id)
    assert hooks.fan_out(envelope(1)) == 1
    assert hooks.fan_out(envelope(1)) == 0  # the same event again (at-least-once publishing)
    assert list(repo.deliveries) == [("acme", payments.id, "evt-0001")]
    assert hooks.fan_out(envelope(2, tenant="globex")) == 0
    assert [j[2] for j in queue.jobs] == ["evt-0001", "evt-0001"]


def test_500_twice_then_200_is_three_attempts_with_one_id(parts: Any, clock: FixedClock) -> None:
    hooks, repo, sender, queue = parts
    sub = hooks.create(PARTNER, "https://erp.example.com/h", ["*"], None).subscription
    hooks.fan_out(envelope(7))
    sender.script = [HttpResult(500, 30, body_excerpt="boom"), HttpResult(500, 31), HttpResult(200, 9)]
    assert hooks.attempt("acme", sub.id, "evt-0007") is DeliveryStatus.PENDING
    assert queue.jobs[-1][3] == clock.now() + RETRY_SCHEDULE[0]
    assert hooks.attempt("acme", sub.id, "evt-0007") is None  # not due yet: re-queued, nothing sent
    assert len(sender.calls) == 1
    clock.advance(RETRY_SCHEDULE[0])
    assert hooks.attempt("acme", sub.id, "evt-0007") is DeliveryStatus.PENDING
    clock.advance(RETRY_SCHEDULE[1])
    assert hooks.attempt("acme", sub.id, "evt-0007") is DeliveryStatus.SUCCEEDED
    assert {c[1]["webhook-id"] for c in sender.calls} == {"evt-0007"}
    delivery = repo.deliveries[("acme", sub.id, "evt-0007")]
    assert [a.status_code for a in delivery.attempts] == [500, 500, 200]
    assert delivery.attempts[0].response_excerpt == "boom"
    assert hooks.attempt("acme", sub.id, "evt-0007") is None  # a duplicate message after success


def test_a_dead_receiver_is_retried_on_schedule_then_disabled(parts: Any, clock: FixedClock) -> None:
    hooks, repo, sender, _ = parts
    outbox = InMemoryLedgerRepository()
    hooks.outbox = outbox
    sub = hooks.create(PARTNER, "https://down.example.com/h", ["*"], None).subscription
    hooks.fan_out(envelope(1))
    started = clock.now()
    times = []
    for _ in range(len(RETRY_SCHEDULE) + 1):
        times.append(clock.now() - started)
        hooks.attempt("acme", sub.id, "evt-0001")
        nxt = repo.deliveries[("acme", sub.id, "evt-0001")].next_attempt_at
        if nxt is not None:
            clock.set(nxt)
    delivery = repo.deliveries[("acme", sub.id, "evt-0001")]
    assert delivery.status is DeliveryStatus.FAILED and len(delivery.attempts) == 8
    assert times[1:4] == [timedelta(seconds=5), timedelta(seconds=305), timedelta(seconds=2105)]
    assert repo.subs[("acme", sub.id)].status is SubscriptionStatus.ACTIVE
    # failing for days: the next failure after five days without a success disables it
    clock.advance(timedelta(days=4))
    hooks.fan_out(envelope(2))
    hooks.attempt("acme", sub.id, "evt-0002")
    assert repo.subs[("acme", sub.id)].status is SubscriptionStatus.DISABLED
    (event,) = outbox.events
    assert event.type == "WebhookSubscriptionDisabled" and event.data["subscriptionId"] == sub.id
    schema = json.loads((SCHEMAS / "WebhookSubscriptionDisabled.v1.json").read_text())
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    validator.validate(json.loads(json.dumps(envelope_of(event))))
    hooks.fan_out(envelope(3))
    assert ("acme", sub.id, "evt-0003") not in repo.deliveries
    resumed = hooks.update(PARTNER, sub.id, resume=True)
    assert resumed.status is SubscriptionStatus.ACTIVE and resumed.failing_since is None


def test_refused_addresses_fail_at_once(parts: Any) -> None:
    hooks, repo, sender, queue = parts
    sub = hooks.create(PARTNER, "https://internal.example.com/h", ["*"], None).subscription
    hooks.fan_out(envelope(1))
    sender.script = [HttpResult(None, 0, "address 10.0.0.1 is private", permanent=True)]
    assert hooks.attempt("acme", sub.id, "evt-0001") is DeliveryStatus.FAILED
    assert repo.deliveries[("acme", sub.id, "evt-0001")].attempts[0].error == "address 10.0.0.1 is private"


def test_duplicate_messages_do_not_post_twice(parts: Any) -> None:
    hooks, repo, sender, _ = parts
    sub = hooks.create(PARTNER, "https://erp.example.com/h", ["*"], None).subscription
    hooks.fan_out(envelope(1))
    real_save = repo.save_delivery
    raced: list[bool] = []

    def competitor_first(d: WebhookDelivery, expected: int) -> None:
        if not raced:  # another worker took the lease between our read and our write
            raced.append(True)
            stored = repo.get_delivery("acme", sub.id, "evt-0001")
            assert stored is not None
            real_save(stored, stored.version)
        real_save(d, expected)

    repo.save_delivery = competitor_first  # type: ignore[method-assign]
    assert hooks.attempt("acme", sub.id, "evt-0001") is None
    assert sender.calls == []


def test_redeliver_and_deliveries_listing(parts: Any) -> None:
    hooks, repo, sender, queue = parts
    sub = hooks.create(PARTNER, "https://erp.example.com/h", ["*"], None).subscription
    hooks.fan_out(envelope(1))
    sender.script = [HttpResult(None, 0, "refused", permanent=True), HttpResult(200, 5)]
    hooks.attempt("acme", sub.id, "evt-0001")
    failed = hooks.deliveries(PARTNER, sub.id, DeliveryStatus.FAILED, PageRequest())
    assert [d.id for d in failed.items] == ["evt-0001"]
    hooks.redeliver(PARTNER, sub.id, "evt-0001")
    assert hooks.attempt("acme", sub.id, "evt-0001") is DeliveryStatus.SUCCEEDED
    assert len(repo.deliveries[("acme", sub.id, "evt-0001")].attempts) == 2
    with pytest.raises(DomainError):
        hooks.redeliver(Principal("x", "globex", Role.ADMIN), sub.id, "evt-0001")


def test_events_from_before_the_subscription_are_not_delivered(parts: Any, clock: FixedClock) -> None:
    hooks, repo, _, _ = parts
    clock.advance(timedelta(minutes=1))
    hooks.create(PARTNER, "https://erp.example.com/h", ["*"], None)
    assert hooks.fan_out(envelope(1)) == 0  # the event happened a minute before subscribing
    later = envelope(2) | {"occurredAt": "2026-03-15T15:02:00.000000Z"}
    assert hooks.fan_out(later) == 1
