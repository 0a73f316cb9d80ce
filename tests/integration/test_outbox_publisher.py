"""Outbox → DynamoDB Stream → publisher → EventBridge, on moto, through the Lambda handler."""

from __future__ import annotations

import importlib
import json
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.config import Config

from domain.clock import FixedClock
from domain.entities import PaymentMethod
from domain.ids import TimeOrderedIds
from domain.principal import Principal, Role
from domain.services import Deps, Ledger
from domain.services.debtors import DebtorInput
from domain.services.debts import DebtInput
from domain.services.payments import PaymentInput
from domain.services.portfolios import PortfolioInput
from domain.services.tenants import TenantPatch
from infra.dynamodb.models import EventItem
from infra.dynamodb.repository import DynamoLedgerRepository
from infra.stream_pump import StreamPump

BUS = "recaudo-events-test"


def _streams() -> Any:
    # botocore's account-based endpoints (<account>.streams-ddb…) are not routed by moto's in-process mock
    return boto3.client("dynamodbstreams", config=Config(account_id_endpoint_mode="disabled"))


ADMIN = Principal("ana", "acme", Role.ADMIN)


class Context:
    function_name = "outbox-publisher"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:outbox-publisher"
    aws_request_id = "req-1"


@pytest.fixture
def bus(dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The partners' bus with a rule copying every recaudo event to a queue we can read."""
    monkeypatch.setenv("RECAUDO_EVENT_BUS", BUS)
    events, sqs = boto3.client("events"), boto3.client("sqs")
    events.create_event_bus(Name=BUS)
    queue = sqs.create_queue(QueueName="partner")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="all", EventBusName=BUS, EventPattern=json.dumps({"source": ["recaudo"]}))
    events.put_targets(Rule="all", EventBusName=BUS, Targets=[{"Id": "q", "Arn": arn}])
    return sqs, queue


def _received(sqs: Any, queue: str) -> list[dict[str, Any]]:
    out = []
    while True:
        messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return out
        for m in messages:
            out.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=m["ReceiptHandle"])


def _stream_records(dynamodb: Any) -> list[dict[str, Any]]:
    streams = _streams()
    arn = dynamodb.describe_table(TableName="recaudo-test")["Table"]["LatestStreamArn"]
    records = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        it = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records += streams.get_records(ShardIterator=it)["Records"]
    return records


def _activity(table: str) -> Ledger:
    clock = FixedClock(datetime(2026, 3, 15, 15, 0, tzinfo=UTC))
    ledger = Ledger.build(Deps(DynamoLedgerRepository(), clock, TimeOrderedIds(clock)))
    ledger.tenants.update(ADMIN, TenantPatch(name="Acme", country="PE"))
    pf = ledger.portfolios.create(ADMIN, PortfolioInput(name="Retail", currency="PEN"))
    debtor = ledger.debtors.create(ADMIN, DebtorInput(name="Juan", external_id="C-1"))
    ledger.debts.create(
        ADMIN,
        DebtInput(
            debtor_id=debtor.id,
            portfolio_id=pf.id,
            original_amount="100.00",
            due_date=datetime(2026, 3, 1).date(),
            external_id="F-1",
        ),
    )
    ledger.payments.record(
        ADMIN,
        PaymentInput(
            debtor_id=debtor.id,
            amount="100.00",
            currency="PEN",
            method=PaymentMethod.CASH,
            idempotency_key="k1",
        ),
    )
    return ledger


def test_handler_publishes_each_outbox_event_once_and_marks_it(dynamodb: Any, table: str, bus: Any) -> None:
    sqs, queue = bus
    _activity(table)
    records = _stream_records(dynamodb)
    publisher = importlib.import_module("functions.outbox_publisher")
    publisher.relay = importlib.import_module("infra.container").build_outbox_relay()
    response = publisher.handler({"Records": records}, Context())
    assert response == {"batchItemFailures": []}
    received = _received(sqs, queue)
    types = [m["detail-type"] for m in received]
    assert sorted(types) == ["DebtCreated", "DebtPaid", "DebtUpdated", "PaymentRecorded"]
    detail = next(m["detail"] for m in received if m["detail-type"] == "PaymentRecorded")
    assert detail["type"] == "PaymentRecorded" and detail["version"] == 1 and detail["tenant"] == "acme"
    assert detail["data"]["amount"] == "100.00" and received[0]["source"] == "recaudo"
    # every outbox item is now marked, with a TTL
    items = list(EventItem.scan())  # test-only inspection of the mocked table
    assert len(items) == 4 and all(i.published and i.expires_at is not None for i in items)
    # the rewrite that marks items is a MODIFY, which the publisher ignores
    later = [r for r in _stream_records(dynamodb) if r["eventName"] == "MODIFY"]
    assert later and publisher.handler({"Records": later}, Context()) == {"batchItemFailures": []}
    assert _received(sqs, queue) == []


def test_failed_entries_are_reported_for_retry(dynamodb: Any, table: str, bus: Any) -> None:
    _activity(table)
    records = _stream_records(dynamodb)
    publisher = importlib.import_module("functions.outbox_publisher")
    relay = importlib.import_module("infra.container").build_outbox_relay()
    real_put = relay.publisher.client.put_events

    def second_entry_fails(Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803
        real_put(Entries=Entries[:1])
        return {
            "FailedEntryCount": len(Entries) - 1,
            "Entries": [{"EventId": "x"}] + [{"ErrorCode": "ThrottlingException"}] * (len(Entries) - 1),
        }

    relay.publisher.client.put_events = second_entry_fails
    publisher.relay = relay
    response = publisher.handler({"Records": records}, Context())
    event_records = [r for r in records if r["dynamodb"]["NewImage"].get("kind", {}).get("S") == "EVENT"]
    assert response == {
        "batchItemFailures": [{"itemIdentifier": event_records[1]["dynamodb"]["SequenceNumber"]}]
    }
    marked = [i for i in EventItem.scan() if i.published]
    assert len(marked) == 1


def test_local_stream_pump_relays_new_events(dynamodb: Any, table: str, bus: Any) -> None:
    sqs, queue = bus
    ledger = _activity(table)
    from infra.container import build_outbox_relay

    arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    pump = StreamPump(_streams(), arn, build_outbox_relay())
    assert pump.poll_once() == 4
    assert pump.poll_once() == 0
    debtor = ledger.debtors.create(ADMIN, DebtorInput(name="Rosa", external_id="C-2"))
    debt = ledger.debts.create(
        ADMIN,
        DebtInput(
            debtor_id=debtor.id,
            portfolio_id=_portfolio(ledger),
            original_amount="50.00",
            due_date=datetime(2026, 4, 1).date(),
        ),
    )
    ledger.debts.write_off(ADMIN, debt.debtor_id, debt.id, "incobrable")
    assert pump.poll_once() == 2
    types = sorted(m["detail-type"] for m in _received(sqs, queue))
    assert types == [
        "DebtCreated",
        "DebtCreated",
        "DebtPaid",
        "DebtUpdated",
        "DebtWrittenOff",
        "PaymentRecorded",
    ]


def _portfolio(ledger: Ledger) -> str:
    return ledger.portfolios.list(ADMIN)[0].id
