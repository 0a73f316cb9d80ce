"""Webhooks end to end on moto: subscribe over GraphQL, record a payment, and receive signed
deliveries on a real local server — with retries, redelivery and SSRF refusals."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
import standardwebhooks
from starlette.testclient import TestClient

from api.app import create_app
from domain.clock import FixedClock
from domain.entities import DomainEvent
from domain.event_catalogue import envelope
from domain.ids import TimeOrderedIds
from domain.services import Deps, Ledger
from domain.services.outbox import OutboxRelay
from domain.services.webhooks import Webhooks, WebhookSettings
from domain.webhooks import RETRY_SCHEDULE
from infra.dynamodb.repository import DynamoLedgerRepository
from infra.dynamodb.webhook_repository import DynamoWebhookRepository
from infra.secrets import KmsSecretBox, ensure_local_key
from infra.webhooks.http import SafeWebhookSender
from infra.webhooks.signing import StandardWebhooksSigner
from tests.api.conftest import PAYMENT_RECORD, Api, create_debt, token


class Receiver:
    """A partner's endpoint on 127.0.0.1 answering a scripted list of status codes."""

    def __init__(self, answers: list[int]) -> None:
        self.answers, self.requests = answers, []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["content-length"])).decode()
                receiver.requests.append((dict(self.headers.items()), body))
                self.send_response(receiver.answers.pop(0) if receiver.answers else 200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


class Queue:
    def __init__(self) -> None:
        self.jobs: list[tuple[str, str, str, datetime]] = []

    def enqueue(self, tenant: str, sid: str, did: str, not_before: datetime) -> None:
        self.jobs.append((tenant, sid, did, not_before))


class FanOut:
    """Stands in for EventBridge → SQS → fan-out function: publishing hands events straight over."""

    def __init__(self, webhooks: Webhooks) -> None:
        self.webhooks = webhooks

    def publish(self, events: list[DomainEvent]) -> set[str]:
        for event in events:
            self.webhooks.fan_out(json.loads(json.dumps(envelope(event))))
        return set()


@pytest.fixture
def now_clock() -> FixedClock:
    # Real time: receivers verify webhook-timestamp against their own clock (5 minutes tolerance).
    return FixedClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def stack(aws: None, now_clock: FixedClock) -> Iterator[tuple[Api, Webhooks, Queue, Ledger]]:
    ledger = Ledger.build(Deps(DynamoLedgerRepository(), now_clock, TimeOrderedIds(now_clock)))
    box = KmsSecretBox(boto3.client("kms"), ensure_local_key(boto3.client("kms")), cache_size=0)
    queue = Queue()
    hooks = Webhooks(
        DynamoWebhookRepository(box),
        StandardWebhooksSigner(),
        SafeWebhookSender(timeout=2.0, allow_loopback=True),
        queue,
        now_clock,
        TimeOrderedIds(now_clock),
        WebhookSettings(allow_insecure_loopback=True),
    )
    client = TestClient(create_app(ledger, webhooks=hooks))
    yield Api(client, token()), hooks, queue, ledger
    client.close()


CREATE = """mutation($i: WebhookSubscriptionCreateInput!) { webhookSubscriptionCreate(input: $i) {
  subscription { id url eventTypes status } secret errors { field code message } } }"""
DELIVERIES = """query($s: ID!, $f: WebhookDeliveryFilter) {
  webhookDeliveries(subscriptionId: $s, filter: $f) {
    edges { node { id eventId eventType status attempts { statusCode error latencyMs } } } } }"""


def _setup_ledger(api: Api) -> dict[str, Any]:
    api.mutate(
        "tenantUpdate",
        """mutation($t: TenantUpdateInput!) { tenantUpdate(input: $t) {
      tenant { id } errors { code } } }""",
        t={"name": "Acme", "country": "PE"},
    )
    pf = api.mutate(
        "portfolioCreate",
        """mutation($i: PortfolioCreateInput!) { portfolioCreate(input: $i) {
      portfolio { id } errors { code } } }""",
        i={"name": "Retail", "currency": "PEN"},
    )["portfolio"]["id"]
    debtor = api.mutate(
        "debtorCreate",
        """mutation($i: DebtorCreateInput!) { debtorCreate(input: $i) {
      debtor { id } errors { code } } }""",
        i={"name": "Juan", "externalId": "C-1"},
    )["debtor"]["id"]
    return {"portfolio": pf, "debtor": debtor}


def _publish(ledger: Ledger, hooks: Webhooks, now_clock: FixedClock) -> None:
    """The outbox → bus → fan-out leg, driven from the events the ledger committed."""
    from infra.dynamodb.loading import event_from_item
    from infra.dynamodb.models import EventItem

    events = [event_from_item(i) for i in EventItem.scan() if not i.published]  # test-only inspection
    OutboxRelay(FanOut(hooks), _NoStore(), now_clock).relay(sorted(events, key=lambda e: e.id))


class _NoStore:
    def mark_published(self, events: list[DomainEvent], at: datetime) -> None:
        pass


def test_partner_receives_signed_payment_events_with_retries(stack: Any, now_clock: FixedClock) -> None:
    api, hooks, queue, ledger = stack
    receiver = Receiver([500, 500, 200])
    partner = token(role="PARTNER", sub="pasarela")
    created = api.mutate(
        "webhookSubscriptionCreate",
        CREATE,
        token=partner,
        i={"url": receiver.url, "eventTypes": ["PaymentRecorded"], "description": "ERP"},
    )
    secret, sub_id = created["secret"], created["subscription"]["id"]
    assert secret.startswith("whsec_") and created["subscription"]["status"] == "ACTIVE"
    listed = api.ok("{ webhookSubscriptions { nodes { id url } } }", token=partner)["webhookSubscriptions"]
    assert listed["nodes"] == [{"id": sub_id, "url": receiver.url}]
    assert "secret" not in json.dumps(listed)
    acme = _setup_ledger(api)
    debt = create_debt(api, acme, "F-1", "100.00", "2026-03-01")
    api.mutate(
        "paymentRecord",
        PAYMENT_RECORD,
        i={
            "debtId": debt["id"],
            "amount": "40.00",
            "currency": "PEN",
            "method": "TRANSFER",
            "idempotencyKey": "bank-1",
        },
    )
    _publish(ledger, hooks, now_clock)
    assert len(queue.jobs) == 1
    tenant, sid, did, _ = queue.jobs[0]
    hooks.attempt(tenant, sid, did)
    now_clock.advance(RETRY_SCHEDULE[0])
    hooks.attempt(tenant, sid, did)
    now_clock.advance(RETRY_SCHEDULE[1])
    hooks.attempt(tenant, sid, did)
    assert [r[0]["webhook-id"] for r in receiver.requests] == [did] * 3
    verifier = standardwebhooks.Webhook(secret)
    first_headers, first_body = receiver.requests[0]
    payload = verifier.verify(first_body, first_headers)  # the library's full check, timestamp included
    assert payload["type"] == "PaymentRecorded" and payload["data"]["amount"] == "40.00"
    for headers, body in receiver.requests[1:]:  # later retries: same signature scheme, later timestamps
        ts = datetime.fromtimestamp(int(headers["webhook-timestamp"]), UTC)
        assert verifier.sign(headers["webhook-id"], ts, body) == headers["webhook-signature"]
    deliveries = api.ok(DELIVERIES, token=partner, s=sub_id)["webhookDeliveries"]["edges"]
    node = deliveries[0]["node"]
    assert node["status"] == "SUCCEEDED" and [a["statusCode"] for a in node["attempts"]] == [500, 500, 200]


def test_ssrf_targets_are_refused_and_recorded(stack: Any, now_clock: FixedClock) -> None:
    api, hooks, queue, ledger = stack
    # https URLs pass validation at subscription time; the sender vets addresses at delivery time
    for url in ["https://169.254.169.254/latest/meta-data", "https://10.0.0.1/hooks"]:
        api.mutate("webhookSubscriptionCreate", CREATE, i={"url": url, "eventTypes": ["*"]})
    refused = api.ok(CREATE, i={"url": "http://10.0.0.1/hooks", "eventTypes": ["*"]})[
        "webhookSubscriptionCreate"
    ]
    assert refused["errors"][0]["code"] == "INVALID"
    create_debt(api, _setup_ledger(api), "F-1", "100.00", "2026-03-01")
    _publish(ledger, hooks, now_clock)
    for tenant, sid, did, _ in list(queue.jobs):
        hooks.attempt(tenant, sid, did)
    subs = api.ok("{ webhookSubscriptions { nodes { id url } } }")["webhookSubscriptions"]["nodes"]
    for sub in subs:
        failed = api.ok(DELIVERIES, s=sub["id"], f={"status": "FAILED"})["webhookDeliveries"]["edges"]
        assert failed, sub
        assert all(
            "refused" in (a["error"] or "")
            or "link-local" in (a["error"] or "")
            or "private" in (a["error"] or "")
            for e in failed
            for a in e["node"]["attempts"]
        ), failed


def test_rotation_pause_resume_and_roles(stack: Any) -> None:
    api, hooks, queue, ledger = stack
    created = api.mutate(
        "webhookSubscriptionCreate",
        CREATE,
        i={"url": "https://erp.example.com/h", "eventTypes": ["DebtPaid"]},
    )
    sub_id = created["subscription"]["id"]
    rotate = """mutation($i: WebhookSubscriptionIdInput!) { webhookSecretRotate(input: $i) {
      secret subscription { previousSecretExpiresAt } errors { code } } }"""
    rotated = api.mutate("webhookSecretRotate", rotate, i={"id": sub_id})
    assert rotated["secret"] != created["secret"] and rotated["subscription"]["previousSecretExpiresAt"]
    pause = """mutation($i: WebhookSubscriptionIdInput!) { webhookSubscriptionPause(input: $i) {
      subscription { status } errors { code } } }"""
    assert (
        api.mutate("webhookSubscriptionPause", pause, i={"id": sub_id})["subscription"]["status"] == "PAUSED"
    )
    update = """mutation($i: WebhookSubscriptionUpdateInput!) { webhookSubscriptionUpdate(input: $i) {
      subscription { status eventTypes } errors { code field } } }"""
    resumed = api.mutate(
        "webhookSubscriptionUpdate",
        update,
        i={"id": sub_id, "resume": True, "eventTypes": ["DebtPaid", "PaymentReversed"]},
    )
    assert resumed["subscription"] == {"status": "ACTIVE", "eventTypes": ["DebtPaid", "PaymentReversed"]}
    agent = token(role="AGENT", agent_id="ag-1")
    body = api("{ webhookSubscriptions { nodes { id } } }", token=agent)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    other = token(tenant="globex")
    assert (
        api.ok("{ webhookSubscriptions { nodes { id } } }", token=other)["webhookSubscriptions"]["nodes"]
        == []
    )
    foreign = api.ok(pause, token=other, i={"id": sub_id})["webhookSubscriptionPause"]
    assert foreign["errors"][0]["code"] == "NOT_FOUND"
