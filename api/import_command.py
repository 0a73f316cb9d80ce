"""`recaudo import FILE --tenant T --portfolio P`: a CSV/XLSX into the ledger at RECAUDO_AWS_ENDPOINT.

Runs the same use case as the S3-triggered processor, in this process, with a progress bar.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from domain.imports.jobs import RejectedRow
from domain.imports.runner import ChunkDone, FileImport, ImportOptions
from domain.principal import Principal, Role
from domain.services import Ledger

SHOWN_ERRORS = 10


def mapping_pairs(values: list[str]) -> dict[str, str]:
    pairs = {}
    for value in values:
        column, sep, field = value.partition("=")
        if not sep or not column.strip():
            raise argparse.ArgumentTypeError(f"--mapping takes column=field, got {value!r}")
        pairs[column.strip()] = field.strip()
    return pairs


def find_portfolio(ledger: Ledger, principal: Principal, wanted: str) -> str | None:
    """A portfolio by id, external id or name (one Query of the tenant's portfolios)."""
    for p in ledger.portfolios.list(principal):
        if wanted in (p.id, p.external_id) or p.name.casefold() == wanted.casefold():
            return p.id
    return None


def run_import(args: argparse.Namespace, ledger: Ledger) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from domain.errors import DomainError, Forbidden
    from infra.imports.readers import format_of, read_table, rejected_rows_csv

    console = Console(stderr=True)
    path = Path(args.file)
    principal = Principal(sub="cli", tenant=args.tenant, role=Role.ADMIN)
    try:
        portfolio_id = find_portfolio(ledger, principal, args.portfolio)
        if portfolio_id is None:
            console.print(f"[red]no portfolio {args.portfolio!r} in tenant {args.tenant!r}[/red]")
            return 1
        table = read_table(path.read_bytes(), format_of(path.name))
        options = ImportOptions(portfolio_id, mapping_pairs(args.mapping or []), args.decimal, args.dry_run)
        rejected: list[RejectedRow] = []
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("rows"),
            TimeRemainingColumn(),
            console=console,
        ) as progress:
            task = progress.add_task("checking" if args.dry_run else "importing", total=table.total)

            def advance(done: ChunkDone) -> None:
                rejected.extend(RejectedRow(i, done.rejected[i.row]) for i in done.issues)
                progress.advance(task, done.counts.rows)

            outcome = FileImport(ledger.deps).run(
                principal, options, table.header, table.rows, on_chunk=advance
            )
    except (DomainError, Forbidden, OSError) as error:
        details = getattr(error, "errors", None)
        for e in details or [error]:
            console.print(f"[red]recaudo import: {getattr(e, 'message', e)}[/red]")
        return 1
    c = outcome.counts
    verb = "would be" if args.dry_run else "were"
    print(
        f"{path.name}: {c.rows} rows — {c.created} {verb} created, {c.updated} updated, "
        f"{c.unchanged} unchanged, {c.rejected} rejected"
        + (" (dry run: nothing written)" if args.dry_run else "")
    )
    for issue in outcome.issues[:SHOWN_ERRORS]:
        column = f", {issue.column}" if issue.column else ""
        print(f"  row {issue.row}{column}: {issue.message} [{issue.code.value}]")
    if len(outcome.issues) > SHOWN_ERRORS:
        print(f"  … and {len(outcome.issues) - SHOWN_ERRORS} more")
    if args.rejected_out and rejected:
        Path(args.rejected_out).write_bytes(rejected_rows_csv(table.header, rejected))
        print(f"rejected rows written to {args.rejected_out}")
    return 0 if c.rejected == 0 else 2


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "import", help="import debtors and debts from a CSV or XLSX into the stack at RECAUDO_AWS_ENDPOINT"
    )
    parser.add_argument("file", help="a .csv (any of , ; tab |) or .xlsx (first sheet) with a header row")
    parser.add_argument("--tenant", required=True)
    parser.add_argument("--portfolio", required=True, help="portfolio id, external id or name")
    parser.add_argument("--dry-run", action="store_true", help="validate and count, write nothing")
    parser.add_argument(
        "--mapping", action="append", metavar="COLUMN=FIELD",
        help="read COLUMN as FIELD (e.g. 'Saldo=amount'; 'Notas=' ignores a column); repeatable",
    )  # fmt: skip
    parser.add_argument("--decimal", choices=(".", ","), help="decimal separator (default: tenant locale)")
    parser.add_argument("--rejected-out", metavar="CSV", help="write the rejected rows with their errors")
    return parser


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use: recaudo import FILE --tenant T --portfolio P")
