"""Dashboard benchmark on in-process moto: DynamoDB requests and time of `portfolio.summary` for a
small and a large portfolio (the request count must not grow), and the nightly snapshot's pace."""

from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, datetime
from typing import Any

import boto3
from moto import mock_aws
from starlette.testclient import TestClient

from api.app import create_app
from api.auth import issue_token
from bench.ledger import ADMIN, TABLE, TEMPLATE, Calls, _rows
from domain.clock import FixedClock
from domain.ids import TimeOrderedIds
from domain.services import Deps, Ledger
from domain.services.portfolios import PortfolioInput
from domain.services.tenants import TenantPatch
from domain.summaries.nightly import LedgerSnapshots
from infra.dynamodb.models import configure
from infra.dynamodb.repository import DynamoLedgerRepository
from schema.common import encode_id

SUMMARY = """query($id: ID!) { portfolio(id: $id) { summary { currency debtCount balance { amount }
  overdueBalance { amount } aging { bucket balance { amount } } debtorCount } } }"""


def run_summary_benchmarks(small: int = 20, large: int = 5000, runs: int = 30) -> dict[str, Any]:
    clock = FixedClock(datetime(2026, 3, 15, 15, 0, tzinfo=UTC))
    rng = random.Random(11)
    with mock_aws():
        create_table_and_configure()
        repo = DynamoLedgerRepository()
        ledger = Ledger.build(Deps(repo, clock, TimeOrderedIds(clock)))
        ledger.tenants.update(ADMIN, TenantPatch(name="Bench", country="PE"))
        today = clock.now().date()
        portfolios = {}
        offset = 0
        for name, size in (("small", small), ("large", large)):
            pf = ledger.portfolios.create(ADMIN, PortfolioInput(name=name, currency="PEN"))
            for start in range(0, size, 500):
                ledger.imports.run(ADMIN, pf.id, _rows(offset + start, min(500, size - start), today, rng))
            offset += size
            portfolios[name] = pf
        started = time.perf_counter()
        run = LedgerSnapshots(ledger.deps, repo).run()
        snapshot_seconds = time.perf_counter() - started
        assert run.taken == ["bench"] and not run.repaired, run
        client = TestClient(create_app(ledger))
        headers = {"Authorization": f"Bearer {issue_token('bench', 'ADMIN')}"}
        out: dict[str, Any] = {"snapshot_seconds": round(snapshot_seconds, 2)}
        for name, pf in portfolios.items():
            variables = {"id": encode_id("Portfolio", pf.id)}
            with Calls() as calls:
                body = client.post(
                    "/graphql", json={"query": SUMMARY, "variables": variables}, headers=headers
                )
            summary = body.json()["data"]["portfolio"]["summary"]
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                client.post("/graphql", json={"query": SUMMARY, "variables": variables}, headers=headers)
                timings.append((time.perf_counter() - started) * 1000)
            out[name] = {
                "debts": summary[0]["debtCount"],
                "dynamodb_requests": len(calls.names),
                "requests_by_operation": {op: calls.names.count(op) for op in sorted(set(calls.names))},
                "median_ms": round(statistics.median(timings), 2),
            }
        out["snapshot_debts_per_second"] = round((small + large) / snapshot_seconds)
        return out


def create_table_and_configure() -> None:
    from infra.dynamodb.schema_from_template import create_table

    create_table(boto3.client("dynamodb"), TABLE, TEMPLATE)
    configure(table_name=TABLE, host=None, region="us-east-1")


if __name__ == "__main__":
    import json

    print(json.dumps(run_summary_benchmarks(), indent=2))
