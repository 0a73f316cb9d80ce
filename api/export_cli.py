"""`recaudo export KIND --tenant T ...`: the reportExport use case from the command line (as an ADMIN
of the tenant, without the API's row bound)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from typing import Any

KINDS = ("aging", "debts", "payments", "interactions", "promises")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD day: {text!r}") from None


def add_export_parser(sub: Any, func: Callable[[argparse.Namespace], int]) -> None:
    p = sub.add_parser(
        "export", help="export a report (XLSX or CSV) from the stack at RECAUDO_AWS_ENDPOINT; prints its URL"
    )
    p.add_argument("kind", type=str.lower, choices=KINDS)
    p.add_argument("--tenant", required=True)
    p.add_argument("--format", type=str.lower, choices=("xlsx", "csv"), default="xlsx")
    p.add_argument("--portfolio", help="portfolio id (internal, not the global GraphQL id)")
    p.add_argument("--status", help="CURRENT | OVERDUE | PAID | DISPUTED | WRITTEN_OFF")
    p.add_argument("--currency")
    p.add_argument("--agent", help="debts assigned to this agent id")
    p.add_argument("--due-from", type=_day)
    p.add_argument("--due-to", type=_day)
    p.add_argument("--paid-from", type=_day)
    p.add_argument("--paid-to", type=_day)
    p.add_argument("--as-of", type=_day, help="day the aging is computed on (default: today in the tenant)")
    p.add_argument("--locale", default="en", choices=("en", "es"))
    p.add_argument("--out", help="write the file here instead of uploading it")
    p.set_defaults(func=func)


def run_export(args: argparse.Namespace) -> int:
    from domain.entities import DebtStatus
    from domain.errors import DomainError, Forbidden
    from domain.principal import Principal, Role
    from domain.reports.model import ReportFilter, ReportFormat, ReportKind, ReportRequest
    from infra.container import build_exports

    try:
        status = DebtStatus(args.status.upper()) if args.status else None
    except ValueError:
        print(f"recaudo: --status must be one of {', '.join(DebtStatus)}", file=sys.stderr)
        return 2
    publisher = None
    if args.out:
        from infra.reports.publisher import LocalReportPublisher

        publisher = LocalReportPublisher(args.out)
    exports = build_exports(publisher=publisher, max_rows=None)
    request = ReportRequest(
        kind=ReportKind(args.kind.upper()),
        format=ReportFormat(args.format.upper()),
        filter=ReportFilter(
            portfolio_id=args.portfolio,
            status=status,
            currency=args.currency,
            due_from=args.due_from,
            due_to=args.due_to,
            paid_from=args.paid_from,
            paid_to=args.paid_to,
            agent_id=args.agent,
        ),
        as_of=args.as_of,
        locale=args.locale,
    )
    principal = Principal(sub="cli", tenant=args.tenant, role=Role.ADMIN)
    try:
        result = exports.run(principal, request)
    except DomainError as err:
        for e in err.errors:
            print(f"recaudo: {e.code}: {e.message}" + (f" ({e.field})" if e.field else ""), file=sys.stderr)
        return 1
    except Forbidden as err:  # pragma: no cover - the CLI acts as an ADMIN
        print(f"recaudo: {err}", file=sys.stderr)
        return 1
    if args.out:
        print(f"wrote {args.out} ({result.rows} rows)")
    else:
        print(result.url)
        print(
            f"{result.rows} rows, {result.filename}, link valid until {result.expires_at.isoformat()}",
            file=sys.stderr,
        )
    return 0
