"""File imports against moto: the S3-triggered processor end to end, parts, crashes, requests."""

from __future__ import annotations

import copy
import importlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest

from domain.clock import FixedClock
from domain.entities import Portfolio
from domain.errors import ErrorCode
from domain.imports import runner
from domain.imports.jobs import FileFormat, ImportJobs, ImportRequest, ImportStatus
from domain.ports import PageRequest, Transaction
from domain.principal import Principal, Role
from domain.services import Ledger
from domain.services.portfolios import PortfolioInput
from domain.services.tenants import TenantPatch
from infra.container import build_import_jobs
from infra.dynamodb.repository import DynamoLedgerRepository
from infra.files import ensure_files_bucket, files_bucket_name

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
EVENT = Path(__file__).resolve().parents[1] / "events" / "imports" / "s3_object_created.json"
NOW = datetime(2026, 3, 15, 15, 0, tzinfo=UTC)
ADMIN = Principal("u-admin", "acme", Role.ADMIN)


class Context:
    function_name = "import-processor"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:import-processor"
    aws_request_id = "req-1"

    def __init__(self, remaining_ms: list[int] | None = None) -> None:
        self.remaining = remaining_ms or [900_000]

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining.pop(0) if len(self.remaining) > 1 else self.remaining[0]


@pytest.fixture
def s3(dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("RECAUDO_FILES_BUCKET", "recaudo-files")
    client = boto3.client("s3", region_name="us-east-1")
    ensure_files_bucket(client)
    return client


@pytest.fixture
def jobs(s3: Any) -> ImportJobs:
    return build_import_jobs(FixedClock(NOW))


@pytest.fixture
def portfolio(jobs: ImportJobs) -> Portfolio:
    ledger = Ledger.build(jobs.deps)
    ledger.tenants.update(ADMIN, TenantPatch(name="Acme", country="PE"))
    return ledger.portfolios.create(ADMIN, PortfolioInput(name="Retail", currency="PEN"))


def upload(jobs: ImportJobs, s3: Any, portfolio: Portfolio, body: bytes, fmt: FileFormat) -> str:
    job, url = jobs.create(ADMIN, ImportRequest(portfolio.id, fmt, file_size=len(body)))
    assert "X-Amz-Signature=" in url and "content-type" in url.lower()
    s3.put_object(Bucket=files_bucket_name(), Key=job.source_key, Body=body)
    return job.id


def s3_event(import_id: str, ext: str = "csv") -> dict[str, Any]:
    event = json.loads(EVENT.read_text())
    event["Records"][0]["s3"]["object"]["key"] = f"imports/acme/{import_id}/source.{ext}"
    return event


@pytest.fixture
def processor(jobs: ImportJobs, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    module = importlib.import_module("functions.import_processor")
    monkeypatch.setattr(module, "jobs", jobs)
    sent: list[tuple[str, str]] = []
    monkeypatch.setattr(module.continuation, "continue_later", lambda t, i: sent.append((t, i)))
    module.sent = sent
    yield module


def test_the_s3_event_imports_the_sample_csv_and_writes_the_rejected_rows(
    jobs: ImportJobs, s3: Any, portfolio: Portfolio, processor: Any
) -> None:
    import_id = upload(jobs, s3, portfolio, (FIXTURES / "deudas.csv").read_bytes(), FileFormat.CSV)
    out = processor.handler(s3_event(import_id), Context())
    assert out == {"imports": [{"importId": import_id, "status": "COMPLETED", "nextRow": 7}]}
    job = jobs.get(ADMIN, import_id)
    assert job is not None and job.status is ImportStatus.COMPLETED
    c = job.counts
    assert (c.rows, c.created, c.updated, c.unchanged, c.rejected) == (5, 4, 0, 0, 1)
    rejected = jobs.rejected(ADMIN, import_id, PageRequest(first=10)).items
    assert {(r.issue.row, r.issue.column, r.issue.code) for r in rejected} >= {
        (6, "Monto", ErrorCode.INVALID_AMOUNT),
        (6, "Fecha_Vencimiento", ErrorCode.INVALID_DATE),
    }
    csv_text = (
        s3.get_object(Bucket=files_bucket_name(), Key=f"imports/acme/{import_id}/rejected.csv")["Body"]
        .read()
        .decode("utf-8-sig")
    )
    assert csv_text.splitlines()[1].startswith("6,CL-004,José Ramírez")
    assert "Monto:" in csv_text and "[INVALID_AMOUNT]" in csv_text
    assert "X-Amz-Signature=" in (jobs.rejected_rows_url(ADMIN, job) or "")
    # WHEN the upload event is delivered again THEN the finished job is left as it is
    processor.handler(s3_event(import_id), Context())
    again = jobs.get(ADMIN, import_id)
    assert again is not None and again.counts == job.counts and again.parts == 1


def test_an_xlsx_upload_with_excel_dates_and_numbers(
    jobs: ImportJobs, s3: Any, portfolio: Portfolio, processor: Any
) -> None:
    import_id = upload(jobs, s3, portfolio, (FIXTURES / "debts.xlsx").read_bytes(), FileFormat.XLSX)
    processor.handler(s3_event(import_id, "xlsx"), Context())
    job = jobs.get(ADMIN, import_id)
    assert job is not None and (job.counts.created, job.counts.rejected) == (2, 1)
    [bad] = jobs.rejected(ADMIN, import_id, PageRequest()).items
    assert (bad.issue.row, bad.issue.column, bad.issue.code) == (4, "Amount", ErrorCode.INVALID_AMOUNT)


def big_csv(n: int, amount: str = "10.00") -> bytes:
    lines = ["cliente id,nombre,factura,monto,vencimiento"]
    lines += [f"C-{i // 3},Cliente {i // 3},F-{i},{amount},30/04/2026" for i in range(n)]
    return "\n".join(lines).encode()


def test_a_file_split_in_parts_with_a_crash_loses_and_doubles_nothing(
    jobs: ImportJobs, s3: Any, portfolio: Portfolio, processor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "CHUNK_ROWS", 20)
    import_id = upload(jobs, s3, portfolio, big_csv(100), FileFormat.CSV)
    # GIVEN the first invocation runs out of time after two chunks
    processor.handler(s3_event(import_id), Context([900_000, 10_000]))
    assert processor.sent == [("acme", import_id)]
    job = jobs.get(ADMIN, import_id)
    assert job is not None and (job.status, job.next_row, job.counts.rows) == (
        ImportStatus.PROCESSING,
        42,
        40,
    )
    # AND the second dies halfway through the batch write of its chunk (a debt without its claim)
    repo = jobs.deps.repo
    assert isinstance(repo, DynamoLedgerRepository)
    real = DynamoLedgerRepository._batch_write

    def crash(self: DynamoLedgerRepository, tenant: str, txs: list[Transaction]) -> None:
        half = copy.copy(txs[len(txs) // 2])
        half.claims, half.audits, half.events = [], [], []
        real(self, tenant, [*txs[: len(txs) // 2], half])
        raise RuntimeError("Lambda timed out")

    monkeypatch.setattr(DynamoLedgerRepository, "_batch_write", crash)
    with pytest.raises(RuntimeError):
        processor.handler(
            {"Records": [{"body": json.dumps({"tenant": "acme", "importId": import_id})}]}, Context()
        )
    monkeypatch.setattr(DynamoLedgerRepository, "_batch_write", real)
    # WHEN the continuation is retried THEN the rest lands, each debt once, each DebtCreated once
    processor.handler(
        {"Records": [{"body": json.dumps({"tenant": "acme", "importId": import_id})}]}, Context()
    )
    job = jobs.get(ADMIN, import_id)
    assert job is not None and job.status is ImportStatus.COMPLETED
    assert (job.counts.rows, job.counts.rejected, job.parts) == (100, 0, 3)
    assert job.counts.created + job.counts.unchanged == 100
    ledger = Ledger.build(jobs.deps)
    from domain.services.debts import DebtFilter

    debts = ledger.debts.list(ADMIN, DebtFilter(portfolio_id=portfolio.id), PageRequest(first=500)).items
    assert sorted(d.external_id for d in debts) == sorted(f"F-{i}" for i in range(100))
    assert len({d.debtor_id for d in debts}) == 34
    events = client_events(jobs)
    assert len(events) == len(set(events)) == 100


def client_events(jobs: ImportJobs) -> list[str]:
    """Aggregate ids of every DebtCreated outbox item (a test may scan; the code never does)."""
    client = boto3.client("dynamodb", region_name="us-east-1")
    pages = client.get_paginator("scan").paginate(TableName="recaudo-test")
    items = [item for page in pages for item in page["Items"]]
    return [
        i["aggregateId"]["S"] for i in items if i["kind"]["S"] == "EVENT" and i["type"]["S"] == "DebtCreated"
    ]


def test_the_local_stack_processes_an_upload_from_the_bucket_notification(
    jobs: ImportJobs, s3: Any, portfolio: Portfolio, monkeypatch: pytest.MonkeyPatch
) -> None:
    from infra.imports.local import ensure_import_plumbing, handle_message

    sqs = boto3.client("sqs", region_name="us-east-1")
    uploads = ensure_import_plumbing(s3, sqs)
    import_id = upload(jobs, s3, portfolio, big_csv(5), FileFormat.CSV)
    # WHEN the pump reads the queue moto's bucket notification wrote to
    bodies = [
        m["Body"]
        for _ in range(3)
        for m in sqs.receive_message(QueueUrl=uploads, MaxNumberOfMessages=10).get("Messages", [])
    ]
    for body in bodies:
        handle_message(body, jobs)
    # THEN the upload was imported (the notification's test event named nothing)
    job = jobs.get(ADMIN, import_id)
    assert job is not None and (job.status, job.counts.created) == (ImportStatus.COMPLETED, 5)


def test_a_file_without_the_needed_columns_fails_as_a_whole(
    jobs: ImportJobs, s3: Any, portfolio: Portfolio, processor: Any
) -> None:
    import_id = upload(jobs, s3, portfolio, b"nombre,monto\nAna,10.00\n", FileFormat.CSV)
    processor.handler(s3_event(import_id), Context())
    job = jobs.get(ADMIN, import_id)
    assert job is not None and job.status is ImportStatus.FAILED
    assert job.failure is not None and "no column for dueDate" in job.failure
    assert processor.sent == [] and job.counts.rows == 0
