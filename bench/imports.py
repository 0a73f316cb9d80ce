"""File-import benchmark on in-process moto: a generated CSV of N rows (default 100,000).

Three runs of the same `FileImport` use case the processor and `recaudo import` run:
1. the file into an empty tenant (every row new: debtor and debt, their claims, audit, DebtCreated);
2. the same file again (everything unchanged: reads only, nothing written);
3. the file with 1% of the amounts corrected (those rows updated, one transaction each).
For each: rows/s, DynamoDB requests per row by operation, items written per row. The floor of a
bulk write is one BatchWriteItem per 25 items (1/25 = 0.04 requests per written item); reads go
100 keys per BatchGetItem. Pure parsing of the same file is timed too, as the CPU floor.
"""

from __future__ import annotations

import csv
import io
import os
import time
from datetime import UTC, datetime
from typing import Any

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.pop("RECAUDO_AWS_ENDPOINT", None)

import boto3  # noqa: E402
import botocore.client  # noqa: E402
from moto import mock_aws  # noqa: E402

from bench.reminders import TEMPLATE  # noqa: E402

TABLE = "recaudo-bench-imports"
HEADER = ["codigo_cliente", "razon_social", "tipo_documento", "documento", "correo", "celular",
          "factura", "monto", "moneda", "fecha_emision", "fecha_vencimiento"]  # fmt: skip
DEBTS_PER_DEBTOR = 2


def generate_csv(rows: int, corrected_every: int = 0) -> bytes:
    """`rows` debts of `rows / 2` debtors; with `corrected_every`, every n-th amount is raised."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADER)
    for i in range(rows):
        d = i // DEBTS_PER_DEBTOR
        amount = 100 + (i % 900) + (i % 100) / 100
        if corrected_every and i % corrected_every == 0:
            amount += 10
        writer.writerow([
            f"CL-{d:07d}", f"Cliente {d} SAC", "DNI", f"{40000000 + d:08d}", f"cliente{d}@correo.pe",
            f"9{d % 100000000:08d}", f"F001-{i:08d}", f"{amount:,.2f}", "PEN",
            f"{1 + i % 28:02d}/02/2026", f"{1 + i % 28:02d}/04/2026",
        ])  # fmt: skip
    return out.getvalue().encode()


class Requests:
    """DynamoDB requests by operation, and the items BatchWriteItem/TransactWriteItems carried."""

    def __init__(self) -> None:
        self.ops: dict[str, int] = {}
        self.items_written = 0
        self._original = botocore.client.BaseClient._make_api_call

    def __enter__(self) -> Requests:
        original, me = self._original, self

        def counting(client: Any, operation: str, params: Any) -> Any:
            if client.meta.service_model.endpoint_prefix == "dynamodb":
                me.ops[operation] = me.ops.get(operation, 0) + 1
                if operation == "BatchWriteItem":
                    me.items_written += sum(len(v) for v in params["RequestItems"].values())
                elif operation == "TransactWriteItems":
                    me.items_written += len(params["TransactItems"])
                elif operation in ("PutItem", "UpdateItem", "DeleteItem"):
                    me.items_written += 1
            return original(client, operation, params)

        botocore.client.BaseClient._make_api_call = counting  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        botocore.client.BaseClient._make_api_call = self._original  # type: ignore[method-assign]

    @property
    def total(self) -> int:
        return sum(self.ops.values())


def _run(files: Any, principal: Any, options: Any, data: bytes) -> dict[str, Any]:
    from infra.imports.readers import read_csv

    table = read_csv(data)
    with Requests() as calls:
        started = time.perf_counter()
        outcome = files.run(principal, options, table.header, table.rows)
        seconds = time.perf_counter() - started
    c = outcome.counts
    assert c.rejected == 0, outcome.issues[:3]
    return {
        "rows": c.rows,
        "created": c.created,
        "updated": c.updated,
        "unchanged": c.unchanged,
        "seconds": round(seconds, 2),
        "rows_per_second": round(c.rows / seconds, 1),
        "dynamodb_requests": calls.total,
        "requests_per_row": round(calls.total / c.rows, 4),
        "requests_by_operation": dict(sorted(calls.ops.items())),
        "items_written_per_row": round(calls.items_written / c.rows, 3),
    }


def parse_floor(data: bytes) -> dict[str, Any]:
    from domain.imports.columns import resolve_columns
    from domain.imports.rows import RowParser
    from domain.imports.values import NumberFormat
    from infra.imports.readers import read_csv

    table = read_csv(data)
    parser = RowParser(resolve_columns(table.header), NumberFormat.for_locale("es-PE"))
    started = time.perf_counter()
    count = sum(1 for number, cells in table.rows if not isinstance(parser.parse(number, cells), list))
    seconds = time.perf_counter() - started
    return {"rows": count, "seconds": round(seconds, 2), "rows_per_second": round(count / seconds, 1)}


def run_import_benchmarks(rows: int) -> dict[str, Any]:
    from bench.moto_fast import install
    from domain.clock import FixedClock
    from domain.ids import TimeOrderedIds
    from domain.imports.runner import FileImport, ImportOptions
    from domain.principal import Principal, Role
    from domain.services import Deps, Ledger
    from domain.services.portfolios import PortfolioInput
    from domain.services.tenants import TenantPatch
    from infra.dynamodb.models import configure
    from infra.dynamodb.repository import DynamoLedgerRepository
    from infra.dynamodb.schema_from_template import create_table

    install()
    data, corrected = generate_csv(rows), generate_csv(rows, corrected_every=100)
    clock = FixedClock(datetime(2026, 3, 15, 15, 0, tzinfo=UTC))
    admin = Principal("bench", "bench", Role.ADMIN)
    with mock_aws():
        create_table(boto3.client("dynamodb", region_name="us-east-1"), TABLE, TEMPLATE)
        configure(table_name=TABLE, host=None, region="us-east-1")
        deps = Deps(DynamoLedgerRepository(), clock, TimeOrderedIds(clock))
        ledger = Ledger.build(deps)
        ledger.tenants.update(admin, TenantPatch(name="Bench", country="PE"))
        portfolio = ledger.portfolios.create(admin, PortfolioInput(name="Bench", currency="PEN"))
        files, options = FileImport(deps), ImportOptions(portfolio.id)
        first = _run(files, admin, options, data)
        again = _run(files, admin, options, data)
        fixed = _run(files, admin, options, corrected)
    configure(table_name=os.environ.get("RECAUDO_TABLE", "recaudo"), region="us-east-1")
    assert first["created"] == rows and again["unchanged"] == rows, (first, again)
    assert fixed["updated"] == rows // 100, fixed
    return {
        "rows": rows,
        "file_bytes": len(data),
        "first_import": first,
        "reimport_same_file": again,
        "corrected_file_1pct": fixed,
        "parse_floor": parse_floor(data),
        "floor_requests_per_written_item": round(1 / 25, 4),
    }


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run_import_benchmarks(int(sys.argv[1]) if len(sys.argv) > 1 else 2000), indent=2))
