"""Composition root: wires the domain's use cases to DynamoDB, the clock and the id generator."""

from __future__ import annotations

import os

from domain.clock import Clock, SystemClock
from domain.ids import TimeOrderedIds
from domain.services import Deps, Ledger
from infra.dynamodb.models import configure
from infra.dynamodb.repository import DynamoLedgerRepository


def build_ledger(clock: Clock | None = None) -> Ledger:
    """A Ledger on the table named by RECAUDO_TABLE (at RECAUDO_AWS_ENDPOINT when set, e.g. moto)."""
    configure(
        table_name=os.environ.get("RECAUDO_TABLE", "recaudo"),
        host=os.environ.get("RECAUDO_AWS_ENDPOINT") or None,
        region=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
    )
    clock = clock or SystemClock()
    return Ledger.build(Deps(repo=DynamoLedgerRepository(), clock=clock, ids=TimeOrderedIds(clock)))
