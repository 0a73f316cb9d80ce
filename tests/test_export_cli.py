"""`recaudo export` against a moto server (as `make dev` runs it): the printed link downloads the file."""

from __future__ import annotations

import csv
import io
import os
import socket
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer
from openpyxl import load_workbook

from api.cli import main
from domain.clock import FixedClock
from infra.dynamodb.models import configure
from tests.report_data import seed_report_ledger


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def stack() -> Iterator[str]:
    saved = dict(os.environ)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    os.environ.update(
        RECAUDO_AWS_ENDPOINT=endpoint, RECAUDO_TABLE="recaudo-cli", RECAUDO_FILES_BUCKET="cli-files"
    )
    try:
        from infra.container import build_ledger
        from infra.local import bootstrap

        bootstrap(endpoint, "recaudo-cli")
        seed_report_ledger(build_ledger(FixedClock(datetime(2026, 3, 15, 15, tzinfo=UTC))))
        yield endpoint
    finally:
        server.stop()
        os.environ.clear()
        os.environ.update(saved)
        configure(table_name=os.environ.get("RECAUDO_TABLE", "recaudo-test"), host=None, region="us-east-1")


def test_export_prints_a_link_that_downloads_the_workbook(
    stack: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "aging", "--tenant", "acme", "--as-of", "2026-03-15"]) == 0
    url = capsys.readouterr().out.strip()
    assert url.startswith(stack) and "/cli-files/exports/acme/" in url
    with urllib.request.urlopen(url) as response:
        assert response.headers["Content-Disposition"] == 'attachment; filename="aging-2026-03-15.xlsx"'
        wb = load_workbook(io.BytesIO(response.read()))
    assert wb.sheetnames == ["Summary", "Aging report"] and wb["Aging report"].max_row == 7


def test_export_writes_the_file_with_out(
    stack: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "pagos.csv"
    assert (
        main(
            ["export", "payments", "--tenant", "acme", "--format", "csv", "--locale", "es", "--out", str(out)]
        )
        == 0
    )
    assert "3 rows" in capsys.readouterr().out
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r["Estado"] for r in rows] == ["REVERSED", "RECORDED", "RECORDED"]


def test_export_reports_errors_with_their_code(stack: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "debts", "--tenant", "acme", "--currency", "PESOS"]) == 1
    assert "INVALID_CURRENCY" in capsys.readouterr().err


def test_promises_export_from_the_promise_store(stack: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "promises", "--tenant", "acme", "--format", "csv"]) == 0
    assert "http" in capsys.readouterr().out
