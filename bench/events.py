"""Partner-facing throughput on in-process moto: outbox publishing and webhook deliveries."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
from botocore.config import Config
from moto import mock_aws

from bench.ledger import ADMIN, TABLE, TEMPLATE, Calls, _rows
from domain.clock import FixedClock, iso_utc
from domain.ids import TimeOrderedIds
from domain.services import Deps, Ledger
from domain.services.outbox import OutboxRelay
from domain.services.portfolios import PortfolioInput
from domain.services.tenants import TenantPatch
from domain.services.webhooks import Webhooks, WebhookSettings
from infra.dynamodb.models import configure
from infra.dynamodb.outbox import DynamoOutboxStore, events_from_stream
from infra.dynamodb.repository import DynamoLedgerRepository
from infra.dynamodb.schema_from_template import create_table
from infra.dynamodb.webhook_repository import DynamoWebhookRepository
from infra.eventbridge import EventBridgePublisher
from infra.secrets import KmsSecretBox, ensure_local_key
from infra.webhooks.http import SafeWebhookSender
from infra.webhooks.signing import StandardWebhooksSigner

BUS = "recaudo-bench"


class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers["content-length"]))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


class _Queue:
    def __init__(self) -> None:
        self.jobs: list[tuple[str, str, str]] = []

    def enqueue(self, tenant: str, sid: str, did: str, not_before: datetime) -> None:
        self.jobs.append((tenant, sid, did))


def run_event_benchmarks(debts: int, deliveries: int) -> dict[str, Any]:
    clock = FixedClock(datetime.now(UTC))
    with mock_aws():
        create_table(boto3.client("dynamodb"), TABLE, TEMPLATE)
        configure(table_name=TABLE, host=None, region="us-east-1")
        boto3.client("events").create_event_bus(Name=BUS)
        ledger = Ledger.build(Deps(DynamoLedgerRepository(), clock, TimeOrderedIds(clock)))
        ledger.tenants.update(ADMIN, TenantPatch(name="Bench", country="PE"))
        portfolio = ledger.portfolios.create(ADMIN, PortfolioInput(name="Bench", currency="PEN"))
        import random

        rng, today = random.Random(3), clock.now().date()
        for start in range(0, debts, 500):
            ledger.imports.run(ADMIN, portfolio.id, _rows(start, min(500, debts - start), today, rng))

        streams = boto3.client("dynamodbstreams", config=Config(account_id_endpoint_mode="disabled"))
        arn = boto3.client("dynamodb").describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
        records: list[dict[str, Any]] = []
        for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
            it = streams.get_shard_iterator(
                StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
            while it:
                page = streams.get_records(ShardIterator=it, Limit=1000)
                records += page["Records"]
                it = page.get("NextShardIterator") if page["Records"] else None
        relay = OutboxRelay(EventBridgePublisher(boto3.client("events"), BUS), DynamoOutboxStore(), clock)
        published = 0
        # The Lambda trigger's filter passes only new EVENT items, in batches of up to 100.
        records = [r for r in records if events_from_stream([r])]
        with Calls("dynamodb") as ddb_calls, Calls("events") as events_calls:
            started = time.perf_counter()
            for i in range(0, len(records), 100):
                streamed = events_from_stream(records[i : i + 100])
                published += len(relay.relay([s.event for s in streamed]).published)
            publish_seconds = time.perf_counter() - started

        server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        kms = boto3.client("kms")
        queue = _Queue()
        hooks = Webhooks(
            DynamoWebhookRepository(KmsSecretBox(kms, ensure_local_key(kms))),
            StandardWebhooksSigner(),
            SafeWebhookSender(timeout=5.0, allow_loopback=True),
            queue,
            clock,
            TimeOrderedIds(clock),
            WebhookSettings(allow_insecure_loopback=True),
        )
        hooks.create(ADMIN, f"http://127.0.0.1:{server.server_address[1]}/in", ["*"], "bench")
        base = {
            "type": "PaymentRecorded",
            "version": 1,
            "tenant": "bench",
            "occurredAt": envelope_time(clock),
            "data": {"paymentId": "p"},
        }
        for n in range(deliveries):
            hooks.fan_out(base | {"id": f"evt-{n:06d}"})
        with Calls() as delivery_calls:
            started = time.perf_counter()
            for tenant, sid, did in queue.jobs:
                hooks.attempt(tenant, sid, did)
            delivery_seconds = time.perf_counter() - started
        server.shutdown()
    return {
        "publish": {
            "events": published,
            "seconds": publish_seconds,
            "events_per_second": published / publish_seconds,
            "dynamodb_requests_per_event": len(ddb_calls.names) / published,
            "eventbridge_requests_per_event": len(events_calls.names) / published,
        },
        "webhooks": {
            "deliveries": len(queue.jobs),
            "seconds": delivery_seconds,
            "deliveries_per_second": len(queue.jobs) / delivery_seconds,
            "dynamodb_requests_per_delivery": len(delivery_calls.names) / len(queue.jobs),
        },
    }


def envelope_time(clock: FixedClock) -> str:
    return iso_utc(clock.now())
