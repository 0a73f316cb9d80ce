"""reportExport over HTTP: the payload, the download, roles and error codes."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import boto3
import pytest
from botocore.config import Config
from openpyxl import load_workbook
from starlette.testclient import TestClient

from api.app import create_app
from domain.campaigns.engine import Reminders
from domain.ids import TimeOrderedIds
from domain.reports.exports import ExportDeps, Exports
from domain.reports.interactions import ReminderInteractions
from domain.services import Ledger
from infra.dynamodb.campaign_repository import DynamoCampaignRepository
from infra.dynamodb.message_repository import DynamoMessageRepository
from infra.files import ensure_files_bucket, files_bucket_name
from infra.local import speed_up_moto_transactions
from infra.reports.publisher import S3ReportPublisher
from schema.common import encode_id
from tests.api.conftest import Api, token
from tests.report_data import Seeded, seed_report_ledger

EXPORT = """
mutation($i: ReportExportInput!) { reportExport(input: $i) {
  export { id kind format url expiresAt rows filename } errors { field code message } } }
"""


@pytest.fixture
def s3(aws: None) -> Any:
    client = boto3.client("s3", region_name="us-east-1", config=Config(signature_version="s3v4"))
    ensure_files_bucket(client)
    return client


@pytest.fixture
def seeded(ledger: Ledger) -> Seeded:
    speed_up_moto_transactions()  # moto copies the whole table per transaction item otherwise
    return seed_report_ledger(ledger)


@pytest.fixture
def reports_api(ledger: Ledger, reminders: Reminders, s3: Any, seeded: Seeded) -> Iterator[Api]:
    clock = ledger.deps.clock
    exports = Exports(
        ExportDeps(
            ledger.deps.repo,
            clock,
            TimeOrderedIds(clock),
            S3ReportPublisher(s3, files_bucket_name()),
            ReminderInteractions(DynamoMessageRepository(), DynamoCampaignRepository()),
        )
    )
    client = TestClient(create_app(ledger, reminders=reminders, exports=exports))
    yield Api(client, token())
    client.close()


def test_admin_exports_the_aging_workbook(reports_api: Api, s3: Any) -> None:
    payload = reports_api.mutate(
        "reportExport", EXPORT, i={"kind": "AGING", "asOf": "2026-03-15", "locale": "es"}
    )
    export = payload["export"]
    assert export["kind"] == "AGING" and export["format"] == "XLSX" and export["rows"] == 6
    assert export["filename"] == "aging-2026-03-15.xlsx"
    assert export["expiresAt"].startswith("2026-03-15T15:15:00")
    key = urlparse(export["url"]).path.lstrip("/").removeprefix(f"{files_bucket_name()}/")
    assert key == f"exports/acme/{export['id']}.xlsx"
    stored = s3.get_object(Bucket=files_bucket_name(), Key=key)
    assert stored["ContentDisposition"] == 'attachment; filename="aging-2026-03-15.xlsx"'
    wb = load_workbook(io.BytesIO(stored["Body"].read()))
    assert wb.sheetnames == ["Resumen", "Reporte de antigüedad de saldos"]


def test_agent_exports_its_worklist_but_not_payments(reports_api: Api, seeded: Seeded) -> None:
    agent = token(role="AGENT", agent_id="ag-2", sub="pepe")
    own = reports_api.mutate("reportExport", EXPORT, agent, i={"kind": "DEBTS", "format": "CSV"})
    assert own["export"]["rows"] == 3
    body = reports_api(EXPORT, agent, i={"kind": "PAYMENTS"})
    assert body["data"] is None or body["data"]["reportExport"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    partner = reports_api(EXPORT, token(role="PARTNER"), i={"kind": "AGING"})
    assert partner["errors"][0]["extensions"]["code"] == "FORBIDDEN"


NO_PORTFOLIO = str(encode_id("Portfolio", "nope"))
BAD_INPUT: list[tuple[dict[str, Any], str, str]] = [
    ({"kind": "PROMISES"}, "NOT_AVAILABLE", "kind"),
    ({"kind": "DEBTS", "filter": {"portfolioId": NO_PORTFOLIO}}, "NOT_FOUND", "filter.portfolioId"),
    ({"kind": "DEBTS", "filter": {"dueFrom": "2026-03-02", "dueTo": "2026-03-01"}}, "INVALID_DATE",
     "filter.dueFrom"),
    ({"kind": "AGING", "locale": "fr"}, "INVALID_LOCALE", "locale"),
    ({"kind": "AGING", "filter": {"currency": "PESOS"}}, "INVALID_CURRENCY", "filter.currency"),
]  # fmt: skip


def test_bad_input_is_a_user_error_and_writes_no_file(reports_api: Api, s3: Any) -> None:
    for input_, code, field in BAD_INPUT:
        payload = reports_api.ok(EXPORT, i=input_)["reportExport"]
        assert payload["export"] is None
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, field)]
    assert s3.list_objects_v2(Bucket=files_bucket_name()).get("KeyCount", 0) == 0


def test_a_server_without_exports_says_so(ledger: Ledger, reminders: Reminders) -> None:
    with TestClient(create_app(ledger, reminders=reminders)) as client:
        body = Api(client, token())(EXPORT, i={"kind": "AGING"})
    assert body["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
