"""Ledger benchmarks on in-process moto: the nested debts query and bulk import."""

from __future__ import annotations

import json
import os
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.pop("RECAUDO_AWS_ENDPOINT", None)

import boto3  # noqa: E402
import botocore.client  # noqa: E402
from moto import mock_aws  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from api.app import create_app  # noqa: E402
from api.auth import issue_token  # noqa: E402
from domain.clock import FixedClock  # noqa: E402
from domain.ids import TimeOrderedIds  # noqa: E402
from domain.ports import DebtQuery, PageRequest  # noqa: E402
from domain.principal import Principal, Role  # noqa: E402
from domain.services import Deps, Ledger  # noqa: E402
from domain.services.imports import ImportRow  # noqa: E402
from domain.services.portfolios import PortfolioInput  # noqa: E402
from domain.services.tenants import TenantPatch  # noqa: E402
from infra.dynamodb.models import configure  # noqa: E402
from infra.dynamodb.repository import DynamoLedgerRepository  # noqa: E402
from infra.dynamodb.schema_from_template import create_table  # noqa: E402

TEMPLATE = Path(__file__).resolve().parents[1] / "template.yaml"
TABLE = "recaudo-bench"
QUERY = "{ debts(first: 100) { edges { node { debtor { name } portfolio { name } } } } }"
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}
ADMIN = Principal(sub="bench", tenant="bench", role=Role.ADMIN)


class Calls:
    """Counts the AWS requests one service receives inside the `with` block (by operation name)."""

    def __init__(self, service: str = "dynamodb") -> None:
        self.service = service
        self.names: list[str] = []
        self._original = botocore.client.BaseClient._make_api_call

    def __enter__(self) -> Calls:
        calls, original, service = self.names, self._original, self.service

        def counting(client: Any, operation: str, params: Any) -> Any:
            if client.meta.service_model.endpoint_prefix == service:
                calls.append(operation)
            return original(client, operation, params)

        botocore.client.BaseClient._make_api_call = counting  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        botocore.client.BaseClient._make_api_call = self._original  # type: ignore[method-assign]


def _rows(start: int, count: int, today: date, rng: random.Random) -> list[ImportRow]:
    rows = []
    for n in range(start, start + count):
        debtor = n // 5
        rows.append(
            ImportRow(
                debtor_external_id=f"C-{debtor:05d}",
                debtor_name=f"Cliente {debtor:05d}",
                external_id=f"F-{n:06d}",
                original_amount=f"{rng.randint(1000, 900000) / 100:.2f}",
                due_date=today - timedelta(days=rng.randint(-45, 150)),
                phone="987654321",
            )
        )
    return rows


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_ledger_benchmarks(debts: int, runs: int) -> dict[str, Any]:
    clock = FixedClock(datetime(2026, 3, 15, 15, 0, tzinfo=UTC))
    rng = random.Random(7)
    with mock_aws():
        create_table(boto3.client("dynamodb"), TABLE, TEMPLATE)
        configure(table_name=TABLE, host=None, region="us-east-1")
        repo = DynamoLedgerRepository()
        ledger = Ledger.build(Deps(repo, clock, TimeOrderedIds(clock)))
        ledger.tenants.update(ADMIN, TenantPatch(name="Bench", country="PE"))
        portfolio = ledger.portfolios.create(ADMIN, PortfolioInput(name="Bench", currency="PEN"))
        today = clock.now().date()
        for start in range(0, debts, 500):
            ledger.imports.run(ADMIN, portfolio.id, _rows(start, min(500, debts - start), today, rng))

        # debtsImport of 500 new rows, then the same rows again
        fresh = _rows(debts, 500, today, rng)
        with Calls() as calls:
            started = time.perf_counter()
            result = ledger.imports.run(ADMIN, portfolio.id, fresh)
            seconds = time.perf_counter() - started
        assert result.created == 500, result.errors[:3]
        with Calls() as rerun:
            ledger.imports.run(ADMIN, portfolio.id, fresh)

        client = TestClient(create_app(ledger))
        headers = {"Authorization": f"Bearer {issue_token('bench', 'ADMIN')}"}

        def query() -> Any:
            response = client.post("/graphql", json={"query": QUERY}, headers=headers)
            body = response.json()
            assert "errors" not in body, body
            return body

        with Calls() as nested:
            query()
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            query()
            timings.append((time.perf_counter() - started) * 1000)

        def floor() -> str:
            page = repo.list_debts("bench", DebtQuery(), PageRequest(first=100))
            debtors = repo.get_debtors("bench", sorted({d.debtor_id for d in page.items}))
            portfolios = repo.get_portfolios("bench", sorted({d.portfolio_id for d in page.items}))
            return json.dumps(
                {
                    "data": {
                        "debts": {
                            "edges": [
                                {
                                    "node": {
                                        "debtor": {"name": debtors[d.debtor_id].name},
                                        "portfolio": {"name": portfolios[d.portfolio_id].name},
                                    }
                                }
                                for d in page.items
                            ]
                        }
                    }
                }
            )

        floor()
        floor_timings = []
        for _ in range(runs):
            started = time.perf_counter()
            floor()
            floor_timings.append((time.perf_counter() - started) * 1000)

    median, floor_median = statistics.median(timings), statistics.median(floor_timings)
    return {
        "seeded_debts": debts,
        "nested_query": {
            "query": QUERY,
            "dynamodb_requests": len(nested.names),
            "requests": nested.names,
            "runs": runs,
            "median_ms": median,
            "p95_ms": _percentile(timings, 0.95),
            "floor_median_ms": floor_median,
            "floor_p95_ms": _percentile(floor_timings, 0.95),
            "ratio_to_floor": median / floor_median,
        },
        "import": {
            "rows": 500,
            "dynamodb_requests": len(calls.names),
            "requests_by_operation": {op: calls.names.count(op) for op in sorted(set(calls.names))},
            "requests_per_row": len(calls.names) / 500,
            "seconds": seconds,
            "rows_per_second": 500 / seconds,
            "rerun_requests": len(rerun.names),
            "rerun_writes": sum(1 for op in rerun.names if op in WRITES),
        },
    }
