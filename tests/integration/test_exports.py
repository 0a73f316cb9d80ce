"""Exports end to end on moto: DynamoDB queries, the streamed files, S3 upload and presigned link.

The XLSX is opened with openpyxl: sheets, frozen header, filter, number formats per currency, totals
equal to the ledger to the cent, and one bar chart per currency over the six aging buckets.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlparse

import boto3
import pytest
from botocore.config import Config
from openpyxl import load_workbook

from domain.aging import AGING_BUCKETS
from domain.campaigns.model import CallTask, Message, MessageStatus
from domain.clock import FixedClock
from domain.entities import DebtState
from domain.ids import TimeOrderedIds
from domain.ports import DebtQuery, PageRequest
from domain.reports.exports import ExportDeps, Exports
from domain.reports.interactions import ReminderInteractions
from domain.reports.model import ReportFilter, ReportFormat, ReportKind, ReportRequest
from domain.services import Deps, Ledger
from domain.templates import TemplateChannel
from infra.dynamodb.campaign_repository import DynamoCampaignRepository
from infra.dynamodb.message_repository import DynamoMessageRepository
from infra.dynamodb.repository import DynamoLedgerRepository
from infra.files import ensure_files_bucket, files_bucket_name
from infra.local import speed_up_moto_transactions
from infra.reports.publisher import S3ReportPublisher
from tests.report_data import ADMIN, COLLECTED, EXPECTED, OTHER, Seeded, seed_report_ledger

NOW = datetime(2026, 3, 15, 15, 0, tzinfo=UTC)


@pytest.fixture
def s3(dynamodb: Any) -> Any:
    client = boto3.client("s3", region_name="us-east-1", config=Config(signature_version="s3v4"))
    ensure_files_bucket(client)
    return client


@pytest.fixture
def ledger(repo: DynamoLedgerRepository) -> Ledger:
    clock = FixedClock(NOW)
    return Ledger.build(Deps(repo, clock, TimeOrderedIds(clock)))


@pytest.fixture
def seeded(ledger: Ledger) -> Seeded:
    speed_up_moto_transactions()  # moto copies the whole table per transaction item otherwise
    return seed_report_ledger(ledger)


@pytest.fixture
def exports(ledger: Ledger, s3: Any) -> Exports:
    clock = ledger.deps.clock
    interactions = ReminderInteractions(DynamoMessageRepository(), DynamoCampaignRepository())
    publisher = S3ReportPublisher(s3, files_bucket_name())
    return Exports(ExportDeps(ledger.deps.repo, clock, TimeOrderedIds(clock), publisher, interactions))


def _download(s3: Any, url: str) -> bytes:
    key = urlparse(url).path.lstrip("/").removeprefix(f"{files_bucket_name()}/")
    body: bytes = s3.get_object(Bucket=files_bucket_name(), Key=key)["Body"].read()
    return body


def _ledger_balances(repo: DynamoLedgerRepository) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for state in (DebtState.OPEN, DebtState.DISPUTED):
        page = repo.list_debts("acme", DebtQuery(state=state), PageRequest(first=100))
        for d in page.items:
            totals[d.currency] = totals.get(d.currency, Decimal(0)) + d.balance
    return totals


def test_aging_xlsx_has_summary_chart_formats_and_ledger_totals(
    seeded: Seeded, exports: Exports, s3: Any, repo: DynamoLedgerRepository
) -> None:
    result = exports.run(ADMIN, ReportRequest(ReportKind.AGING, as_of=date(2026, 3, 15)))

    query = parse_qs(urlparse(result.url).query)
    assert query["X-Amz-Expires"] == ["900"]
    assert query["response-content-disposition"] == ['attachment; filename="aging-2026-03-15.xlsx"']
    assert urlparse(result.url).path.endswith(f"/exports/acme/{result.id}.xlsx")
    assert (result.expires_at - NOW).total_seconds() == 900 and result.rows == 6

    wb = load_workbook(io.BytesIO(_download(s3, result.url)))
    assert wb.sheetnames == ["Summary", "Aging report"]
    detail = wb["Aging report"]
    assert detail.freeze_panes == "A2"
    assert detail.auto_filter.ref == "A1:L7"
    header = [c.value for c in detail[1]]
    assert header[5:] == [
        "Currency",
        "Due date",
        "Days past due",
        "Aging bucket",
        "Status",
        "Original amount",
        "Balance",
    ]
    rows = list(detail.iter_rows(min_row=2))
    formats = {r[5].value: r[11].number_format for r in rows}
    assert formats == {"PEN": '"S/" #,##0.00', "USD": '"$" #,##0.00', "CLP": '"CLP" #,##0'}
    assert all(r[6].number_format == "yyyy-mm-dd" and r[6].value.date() <= date(2026, 3, 20) for r in rows)
    detail_totals: dict[str, Decimal] = {}
    for r in rows:
        detail_totals[r[5].value] = detail_totals.get(r[5].value, Decimal(0)) + Decimal(str(r[11].value))
    assert detail_totals == _ledger_balances(repo) == {c: sum(b.values()) for c, b in EXPECTED.items()}

    summary = wb["Summary"]
    values = [[c.value for c in row] for row in summary.iter_rows()]
    for currency, buckets in EXPECTED.items():
        start = values.index([f"Balance by aging bucket - {currency}", None, None]) + 1
        assert values[start] == ["Aging bucket", "Debts", "Balance"]
        block = values[start + 1 : start + 8]
        amounts = [Decimal(str(v[2])) for v in block[:6]]
        assert amounts == [buckets.get(b, Decimal(0)) for b in AGING_BUCKETS]
        assert block[6][0] == "Total" and Decimal(str(block[6][2])) == sum(buckets.values())
        money_cell = summary.cell(row=start + 2, column=3)
        assert money_cell.number_format.endswith("#,##0" if currency == "CLP" else "#,##0.00")

    charts = summary._charts
    assert len(charts) == 3 and all(c.type == "col" and len(c.series) == 1 for c in charts)
    for chart, currency in zip(charts, sorted(EXPECTED), strict=True):
        assert chart.title.tx.rich.p[0].r[0].t == f"Balance by aging bucket - {currency}"
        series = chart.series[0]
        values_ref = series.val.numRef.f
        categories_ref = (series.cat.numRef or series.cat.strRef).f
        top, bottom = (int(x.rsplit("$", 1)[1]) for x in values_ref.split(":"))
        assert values_ref == f"'Summary'!$C${top}:$C${bottom}"
        assert categories_ref == f"'Summary'!$A${top}:$A${bottom}"
        assert [values[r - 1][0] for r in range(top, bottom + 1)] == [
            "Current", "1-30 days", "31-60 days", "61-90 days", "91-120 days", "Over 120 days"
        ]  # fmt: skip
        assert values[top - 3][0] == f"Balance by aging bucket - {currency}"


def test_debts_and_payments_csv_totals_match_the_ledger(seeded: Seeded, exports: Exports, s3: Any) -> None:
    result = exports.run(ADMIN, ReportRequest(ReportKind.PAYMENTS, ReportFormat.CSV))
    raw = _download(s3, result.url)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 3 and rows[0]["Debtor"] == "José Ñúñez"
    kept = [r for r in rows if r["Status"] == "RECORDED"]
    assert {c: sum(Decimal(r["Amount"]) for r in kept if r["Currency"] == c) for c in COLLECTED} == COLLECTED
    assert rows[1]["Paid at"] == "2026-03-09 23:00:00"  # 04:00 UTC on the 10th is the 9th in Lima

    window = ReportFilter(paid_from=date(2026, 3, 10), paid_to=date(2026, 3, 15))
    narrow = exports.run(ADMIN, ReportRequest(ReportKind.PAYMENTS, ReportFormat.CSV, window))
    assert narrow.rows == 1  # the 9th (Lima) is out, the reversed one on the 10th is in

    debts = exports.run(ADMIN, ReportRequest(ReportKind.DEBTS, ReportFormat.CSV))
    debt_rows = list(csv.DictReader(io.StringIO(_download(s3, debts.url).decode("utf-8-sig"))))
    assert len(debt_rows) == 7
    clp = [r for r in debt_rows if r["Currency"] == "CLP"]
    assert clp[0]["Balance"] == "150000"
    pen_paid = sum(Decimal(r["Paid"]) for r in debt_rows if r["Currency"] == "PEN")
    assert pen_paid == COLLECTED["PEN"]


def test_debts_xlsx_totals_sheet_never_sums_two_currencies(seeded: Seeded, exports: Exports, s3: Any) -> None:
    result = exports.run(
        ADMIN, ReportRequest(ReportKind.DEBTS, filter=ReportFilter(portfolio_id=seeded.portfolios["retail"]))
    )
    wb = load_workbook(io.BytesIO(_download(s3, result.url)))
    assert wb.sheetnames == ["Summary", "Debts"]
    values = [[c.value for c in row] for row in wb["Summary"].iter_rows()]
    start = values.index(["Currency", "Debts", "Original amount", "Paid", "Credits", "Fees", "Balance"])
    by_currency = {v[0]: (v[1], Decimal(str(v[6]))) for v in values[start + 1 :] if v[0]}
    assert by_currency == {
        "CLP": (1, Decimal("150000")),
        "PEN": (3, Decimal("1200.50")),
        "USD": (1, Decimal("500.00")),
    }


def test_interactions_list_messages_and_call_tasks_in_the_debtor_zone(
    seeded: Seeded, exports: Exports, s3: Any
) -> None:
    messages = DynamoMessageRepository()
    ana = seeded.debtors["ana"]
    message = Message(
        tenant="acme", id="m1", debtor_id=ana, debt_ids=[seeded.debts["d91_120"][1]],
        channel=TemplateChannel.EMAIL,
        status=MessageStatus.SENT, occurrence=date(2026, 3, 14), to="ana@example.cl", subject="Recordatorio",
        amount=Decimal("150000"), currency="CLP", created_at=datetime(2026, 3, 14, 13, tzinfo=UTC),
        sent_at=datetime(2026, 3, 14, 13, tzinfo=UTC),
    )  # fmt: skip
    messages.claim_message(message, [])
    messages.save_task(
        CallTask(
            "acme",
            "t1",
            seeded.debtors["maria"],
            [],
            "ag-1",
            None,
            None,
            datetime(2026, 3, 16, 14, tzinfo=UTC),
        )
    )
    result = exports.run(ADMIN, ReportRequest(ReportKind.INTERACTIONS, ReportFormat.CSV))
    rows = list(csv.DictReader(io.StringIO(_download(s3, result.url).decode("utf-8-sig"))))
    assert [(r["Type"], r["Channel"], r["Time"], r["Time zone"]) for r in rows] == [
        ("Message", "EMAIL", "2026-03-14 10:00:00", "America/Santiago"),
        ("Call task", "CALL", "2026-03-16 09:00:00", "America/Lima"),
    ]
    assert rows[0]["Amount"] == "150000" and rows[0]["Debtor"] == "Ana Soto"


def test_tenants_see_only_their_own_data(seeded: Seeded, exports: Exports, ledger: Ledger, s3: Any) -> None:
    from domain.services.tenants import TenantPatch

    ledger.tenants.update(OTHER, TenantPatch(name="Globex", country="PE"))
    result = exports.run(OTHER, ReportRequest(ReportKind.DEBTS))
    assert result.rows == 0 and f"/exports/globex/{result.id}.xlsx" in result.url


def test_a_failed_export_uploads_nothing(seeded: Seeded, ledger: Ledger, s3: Any) -> None:
    clock = ledger.deps.clock
    publisher = S3ReportPublisher(s3, files_bucket_name())
    bounded = Exports(ExportDeps(ledger.deps.repo, clock, TimeOrderedIds(clock), publisher, max_rows=2))
    with pytest.raises(Exception, match="more than 2 rows"):
        bounded.run(ADMIN, ReportRequest(ReportKind.DEBTS))
    assert s3.list_objects_v2(Bucket=files_bucket_name()).get("KeyCount", 0) == 0
