"""Export benchmarks: rows/s and tracemalloc peak for 5,000 vs 20,000 rows.

Two measures per size:
- `writer`: the XLSX and CSV writers alone on generated rows (no storage), what the file costs;
- `aging_moto` / `debts_moto`: the whole export on in-process moto (index queries paged 500 at a
  time, debtor batch reads, the writer, the S3 upload), with `bench.moto_gsi` so moto reads only the
  queried index partition as DynamoDB does.
A streaming export keeps its peak flat as rows grow; one holding the table would grow ×4.
Timings are taken without tracemalloc (it slows Python down); the peak comes from a second run.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

from bench.ledger import ADMIN, TABLE, TEMPLATE  # noqa: E402
from domain.clock import FixedClock  # noqa: E402
from domain.entities import Debt, DebtKind, Debtor, PartyKind  # noqa: E402
from domain.ids import TimeOrderedIds  # noqa: E402
from domain.reports.columns import columns_of  # noqa: E402
from domain.reports.exports import ExportDeps, Exports  # noqa: E402
from domain.reports.model import Report, ReportFormat, ReportKind, ReportRequest, Row  # noqa: E402
from domain.services import Deps, Ledger  # noqa: E402
from domain.services.portfolios import PortfolioInput  # noqa: E402
from domain.services.tenants import TenantPatch  # noqa: E402
from infra.dynamodb.mapping import to_item  # noqa: E402
from infra.dynamodb.models import TableItem, configure  # noqa: E402
from infra.dynamodb.repository import DynamoLedgerRepository  # noqa: E402
from infra.dynamodb.schema_from_template import create_table  # noqa: E402
from infra.files import ensure_files_bucket, files_bucket_name  # noqa: E402
from infra.reports.publisher import S3ReportPublisher, write_report  # noqa: E402

SIZES = (5_000, 20_000)
TENANT = ADMIN.tenant


def _generated(count: int) -> Iterator[Row]:
    rng = random.Random(11)
    due = date(2026, 1, 1)
    for n in range(count):
        currency = ("PEN", "USD", "CLP")[n % 3]
        amount = Decimal(rng.randint(1000, 900000)).scaleb(-2 if currency != "CLP" else 0)
        yield (
            f"Cliente {n // 5:05d}", f"DNI {10000000 + n}", f"F-{n:06d}", "Retail", "ag-1", currency,
            due - timedelta(days=n % 200), n % 200, "31-60 days", "OVERDUE", amount, amount,
        )  # fmt: skip


def _log(message: str) -> None:
    print(f"[exports {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _measure(action: Callable[[], int], trace: bool = True) -> dict[str, float]:
    started = time.perf_counter()
    rows = action()
    seconds = time.perf_counter() - started
    figures = {"rows": rows, "seconds": round(seconds, 3), "rows_per_second": round(rows / seconds, 1)}
    if trace:
        tracemalloc.start()
        action()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        figures["peak_mib"] = round(peak / 2**20, 2)
    return figures


def _seed(portfolio_id: str, start: int, stop: int, rng: random.Random) -> None:
    """Debts (five per debtor, PEN/USD/CLP) written straight as items: the bench measures the export,
    not the import, and moto's transactions would dominate its time."""
    today = date(2026, 3, 15)
    with TableItem.batch_write() as batch:
        for n in range(start, stop):
            debtor_id = f"dr{n // 5:06d}"
            if n % 5 == 0 or n == start:
                batch.save(to_item(TENANT, _debtor(debtor_id, n // 5)))
            currency = ("PEN", "USD", "CLP")[n % 3]
            amount = Decimal(rng.randint(1000, 900000)).scaleb(0 if currency == "CLP" else -2)
            debt = Debt(
                tenant=TENANT, id=f"dt{n:07d}", debtor_id=debtor_id, portfolio_id=portfolio_id,
                external_id=f"F-{n:06d}", kind=DebtKind.INVOICE, currency=currency, original_amount=amount,
                issue_date=today - timedelta(days=200),
                due_date=today - timedelta(days=rng.randint(-45, 150)),
            )  # fmt: skip
            batch.save(to_item(TENANT, debt))


def _debtor(debtor_id: str, n: int) -> Debtor:
    return Debtor(
        tenant=TENANT, id=debtor_id, external_id=f"C-{n:05d}", kind=PartyKind.PERSON, name=f"Cliente {n:05d}",
        document_type="DNI", document_number=f"{10000000 + n}", time_zone="America/Lima", jurisdiction="PE",
    )  # fmt: skip


def _writer(count: int, fmt: ReportFormat) -> int:
    report = Report(
        ReportKind.AGING, "Aging", "aging", "Aging", columns_of(ReportKind.AGING), _generated(count), list
    )
    with tempfile.NamedTemporaryFile(suffix=f".{fmt.extension}") as out:
        return write_report(report, fmt, out.name)


def _ratios(small: dict[str, float], large: dict[str, float]) -> dict[str, float]:
    ratios = {"rows_per_second_ratio": round(large["rows_per_second"] / small["rows_per_second"], 2)}
    if "peak_mib" in small:
        ratios["peak_ratio"] = round(large["peak_mib"] / small["peak_mib"], 2)
    return ratios


def run_export_benchmarks(
    sizes: tuple[int, int] = SIZES, moto_sizes: tuple[int, int] | None = None
) -> dict[str, Any]:
    """Writers at `sizes`; whole exports on moto at `moto_sizes` (default the same; in-process moto
    runs some 100-200 rows/s here, so a loaded machine may need smaller ones)."""
    from bench import moto_gsi

    moto_sizes = moto_sizes or sizes
    figures: dict[str, Any] = {"sizes": list(sizes), "moto_sizes": list(moto_sizes)}
    for fmt in (ReportFormat.XLSX, ReportFormat.CSV):
        _log(f"writer {fmt}")
        runs = {str(n): _measure(partial(_writer, n, fmt)) for n in sizes}
        figures[f"writer_{fmt.extension}"] = {**runs, **_ratios(runs[str(sizes[0])], runs[str(sizes[1])])}

    clock = FixedClock(datetime(2026, 3, 15, 15, 0, tzinfo=UTC))
    rng = random.Random(7)
    moto_gsi.install()
    with mock_aws():
        create_table(boto3.client("dynamodb"), TABLE, TEMPLATE)
        configure(table_name=TABLE, host=None, region="us-east-1")
        s3 = boto3.client("s3")
        ensure_files_bucket(s3)
        ledger = Ledger.build(Deps(DynamoLedgerRepository(), clock, TimeOrderedIds(clock)))
        ledger.tenants.update(ADMIN, TenantPatch(name="Bench", country="PE"))
        portfolio = ledger.portfolios.create(ADMIN, PortfolioInput(name="Bench", currency="PEN"))
        exports = Exports(
            ExportDeps(
                ledger.deps.repo, clock, TimeOrderedIds(clock), S3ReportPublisher(s3, files_bucket_name()),
                max_rows=None,
            )
        )  # fmt: skip
        seeded = 0
        by_kind: dict[str, dict[str, Any]] = {"aging_moto_xlsx": {}, "debts_moto_csv": {}}
        for size in moto_sizes:
            _seed(portfolio.id, seeded, size, rng)
            seeded = size
            _log(f"seeded {size} debts; exporting")
            by_kind["aging_moto_xlsx"][str(size)] = _measure(
                lambda: exports.run(ADMIN, ReportRequest(ReportKind.AGING, ReportFormat.XLSX)).rows
            )
            by_kind["debts_moto_csv"][str(size)] = _measure(
                lambda: exports.run(ADMIN, ReportRequest(ReportKind.DEBTS, ReportFormat.CSV)).rows,
                trace=False,
            )
        for name, runs in by_kind.items():
            figures[name] = {**runs, **_ratios(runs[str(moto_sizes[0])], runs[str(moto_sizes[1])])}
    return figures


def print_exports(f: dict[str, Any]) -> None:
    for name in ("writer_xlsx", "writer_csv", "aging_moto_xlsx", "debts_moto_csv"):
        small, large = (str(n) for n in f["sizes" if name.startswith("writer") else "moto_sizes"])
        s, big = f[name][small], f[name][large]
        peak = (
            f"   peak MiB {s['peak_mib']:>6.2f} / {big['peak_mib']:>6.2f}"
            f" (ratio {f[name]['peak_ratio']:.2f}×)"
            if "peak_mib" in s
            else ""
        )
        print(
            f"exports {name:<16} rows/s {s['rows_per_second']:>8.0f} / {big['rows_per_second']:>8.0f}"
            f"  ({small} / {large} rows){peak}"
        )
