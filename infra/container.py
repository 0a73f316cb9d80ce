"""Composition root: wires the domain's use cases to DynamoDB, EventBridge, the clock and ids.

Imports stay inside the builders so each Lambda pulls in only what it uses.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from domain.clock import Clock, SystemClock

if TYPE_CHECKING:
    from domain.services import Ledger
    from domain.services.outbox import OutboxRelay

DEFAULT_BUS = "recaudo-events"


def _configure_table() -> None:
    from infra.dynamodb.models import configure

    configure(
        table_name=os.environ.get("RECAUDO_TABLE", "recaudo"),
        host=os.environ.get("RECAUDO_AWS_ENDPOINT") or None,
        region=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
    )


def build_ledger(clock: Clock | None = None) -> Ledger:
    """A Ledger on the table named by RECAUDO_TABLE (at RECAUDO_AWS_ENDPOINT when set, e.g. moto)."""
    from domain.ids import TimeOrderedIds
    from domain.services import Deps, Ledger
    from infra.dynamodb.repository import DynamoLedgerRepository

    _configure_table()
    clock = clock or SystemClock()
    return Ledger.build(Deps(repo=DynamoLedgerRepository(), clock=clock, ids=TimeOrderedIds(clock)))


def build_outbox_relay(clock: Clock | None = None) -> OutboxRelay:
    """The outbox relay: EventBridge bus from RECAUDO_EVENT_BUS, outbox items in the ledger table."""
    import boto3

    from domain.services.outbox import OutboxRelay
    from infra.dynamodb.outbox import DynamoOutboxStore
    from infra.eventbridge import EventBridgePublisher

    _configure_table()
    client = boto3.client("events", endpoint_url=os.environ.get("RECAUDO_AWS_ENDPOINT") or None)
    publisher = EventBridgePublisher(client, os.environ.get("RECAUDO_EVENT_BUS", DEFAULT_BUS))
    return OutboxRelay(publisher, DynamoOutboxStore(), clock or SystemClock())
