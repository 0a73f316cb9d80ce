"""Inputs and types of report exports."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from domain.reports import model as m
from schema.common import UserError
from schema.types import DebtStatus

ReportKind = strawberry.enum(
    m.ReportKind,
    description=(
        "AGING: outstanding balances by aging bucket (Summary sheet with a bar chart per currency). "
        "DEBTS: every debt with its amounts. PAYMENTS: payments by paid date. INTERACTIONS: reminder "
        "messages and call tasks. PROMISES: promises to pay, every status, by promised date (NOT_AVAILABLE "
        "on a server without the promise store)."
    ),
)
ReportFormat = strawberry.enum(m.ReportFormat, description="XLSX workbook, or CSV (UTF-8 with BOM).")


@strawberry.input(description="What to include; each filter is served by a key or index query.")
class ReportFilter:
    portfolio_id: strawberry.ID | None = strawberry.field(default=None, description="A Portfolio id.")
    status: DebtStatus | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="AGING, DEBTS: debts in this status (AGING defaults to every unpaid one)."
    )
    currency: str | None = strawberry.field(default=None, description="ISO 4217 code.")
    due_from: date | None = strawberry.field(default=None, description="Debts due on or after this day.")
    due_to: date | None = strawberry.field(default=None, description="Debts due on or before this day.")
    paid_from: date | None = strawberry.field(
        default=None, description="PAYMENTS paid on or after this day (tenant's calendar)."
    )
    paid_to: date | None = strawberry.field(
        default=None, description="PAYMENTS paid on or before this day (tenant's calendar)."
    )
    agent_id: str | None = strawberry.field(
        default=None, description="Debts assigned to this agent (an AGENT's exports are always its own)."
    )
    campaign_id: strawberry.ID | None = strawberry.field(
        default=None, description="INTERACTIONS of this Campaign."
    )
    since: date | None = strawberry.field(
        default=None, description="INTERACTIONS on or after this day (tenant's calendar)."
    )
    until: date | None = strawberry.field(
        default=None, description="INTERACTIONS on or before this day (tenant's calendar)."
    )


@strawberry.input(description="Export a report to a file and get a download link.")
class ReportExportInput:
    kind: ReportKind  # type: ignore[valid-type]
    format: ReportFormat = strawberry.field(  # type: ignore[valid-type]
        default=m.ReportFormat.XLSX, description="XLSX (default) or CSV."
    )
    filter: ReportFilter | None = None
    as_of: date | None = strawberry.field(
        default=None,
        description="Day the days past due and aging are computed on; default today (tenant's zone).",
    )
    locale: str = strawberry.field(default="en", description="Headers and labels: `en` or `es`.")


@strawberry.type(name="ReportExport", description="A report written to a file, downloadable for 15 minutes.")
class ReportExportNode:
    id: strawberry.ID = strawberry.field(description="The export's id (its file is kept 7 days).")
    kind: ReportKind  # type: ignore[valid-type]
    format: ReportFormat  # type: ignore[valid-type]
    url: str = strawberry.field(description="Presigned HTTPS GET of the file; expires at `expiresAt`.")
    expires_at: datetime = strawberry.field(description="When `url` stops working.")
    rows: int = strawberry.field(description="Data rows in the file (headers and summary excluded).")
    filename: str = strawberry.field(
        description="The name the download is saved under, e.g. `aging-2026-12-01.xlsx`."
    )

    @classmethod
    def of(cls, r: m.ExportResult) -> ReportExportNode:
        return cls(
            id=strawberry.ID(r.id),
            kind=r.kind,
            format=r.format,
            url=r.url,
            expires_at=r.expires_at,
            rows=r.rows,
            filename=r.filename,
        )


@strawberry.type(description="The result of `reportExport`.")
class ReportExportPayload:
    export: ReportExportNode | None = strawberry.field(description="Null when `errors` is not empty.")
    errors: list[UserError]
