"""`recaudo import`: the sample files into moto, dry run first, then for real, then again."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

import pytest

from api.cli import build_parser
from api.import_command import run_import
from domain.clock import FixedClock
from domain.ids import TimeOrderedIds
from domain.ports import DebtorQuery, PageRequest
from domain.principal import Principal, Role
from domain.services import Deps, Ledger
from domain.services.portfolios import PortfolioInput
from domain.services.tenants import TenantPatch
from infra.dynamodb.repository import DynamoLedgerRepository

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
ADMIN = Principal("u-admin", "acme", Role.ADMIN)


@pytest.fixture
def ledger(repo: DynamoLedgerRepository) -> Ledger:
    clock = FixedClock(datetime(2026, 3, 15, 15, 0, tzinfo=UTC))
    ledger = Ledger.build(Deps(repo, clock, TimeOrderedIds(clock)))
    ledger.tenants.update(ADMIN, TenantPatch(name="Acme", country="PE"))
    ledger.portfolios.create(ADMIN, PortfolioInput(name="Retail", external_id="PF-RET", currency="PEN"))
    return ledger


def args(*extra: str) -> argparse.Namespace:
    return build_parser().parse_args(["import", *extra, "--tenant", "acme", "--portfolio", "PF-RET"])


def summary(capsys: pytest.CaptureFixture[str]) -> str:
    return capsys.readouterr().out.splitlines()[0]


def test_dry_run_then_import_then_again(
    ledger: Ledger, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    sample = str(FIXTURES / "deudas.csv")
    assert run_import(args(sample, "--dry-run"), ledger) == 2  # a row is rejected
    assert "4 would be created, 0 updated, 0 unchanged, 1 rejected (dry run" in summary(capsys)
    assert ledger.debtors.list(ADMIN, DebtorQuery(), PageRequest()).items == []
    rejected = tmp_path / "rechazadas.csv"
    assert run_import(args(sample, "--rejected-out", str(rejected)), ledger) == 2
    out = capsys.readouterr().out
    assert "4 were created, 0 updated, 0 unchanged, 1 rejected" in out
    assert "row 6, Monto: " in out and "[INVALID_AMOUNT]" in out
    assert rejected.read_text(encoding="utf-8-sig").splitlines()[1].startswith("6,CL-004,")
    run_import(args(sample), ledger)
    assert "0 were created, 0 updated, 4 unchanged, 1 rejected" in summary(capsys)


def test_xlsx_with_a_mapping_override(ledger: Ledger, capsys: pytest.CaptureFixture[str]) -> None:
    code = run_import(args(str(FIXTURES / "debts.xlsx"), "--mapping", "Invoice=number"), ledger)
    assert code == 2 and "2 were created, 0 updated, 0 unchanged, 1 rejected" in summary(capsys)


def test_an_unknown_portfolio_or_column_fails_cleanly(
    ledger: Ledger, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_import(args(str(FIXTURES / "deudas.csv"), "--mapping", "Nope=amount"), ledger) == 1
    assert "no column 'nope' in the file" in capsys.readouterr().err
