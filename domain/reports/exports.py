"""`Exports`: build a report from key and index queries and publish it as an XLSX or CSV download.

Who may export what: ADMIN and SUPERVISOR export every kind for the whole tenant. An AGENT exports
only its own worklist (AGING and DEBTS of the debts assigned to it, served by its GSI3 partition);
tenant-wide payment and contact histories are a manager's, not an agent's, to take out of the system.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta

from domain.clock import Clock, iso_utc, local_date
from domain.errors import DomainError, ErrorCode, Forbidden, NotFound
from domain.money import validate_currency
from domain.ports import IdGenerator, LedgerRepository
from domain.principal import Action, Principal
from domain.reports.columns import check_locale, text
from domain.reports.debt_report import DebtReportContext, aging_report, debts_report
from domain.reports.model import ExportResult, Report, ReportFilter, ReportKind, ReportRequest, Row
from domain.reports.other_reports import interactions_report, promises_report
from domain.reports.payment_report import payments_report
from domain.reports.ports import InteractionSource, PromiseSource, ReportPublisher

URL_TTL_SECONDS = 15 * 60
MAX_SYNC_ROWS = 20_000
"""Rows one API request may export: API Gateway answers within 29 s, and on DynamoDB a row costs about
1/500 of a Query and 1/100 of a BatchGetItem plus the writer's time. The CLI has no bound."""
AGENT_KINDS = (ReportKind.AGING, ReportKind.DEBTS)


@dataclass
class ExportDeps:
    repo: LedgerRepository
    clock: Clock
    ids: IdGenerator
    publisher: ReportPublisher
    interactions: InteractionSource | None = None
    promises: PromiseSource | None = None
    """None until promises exist (issue 4): PROMISES exports answer NOT_AVAILABLE."""
    max_rows: int | None = MAX_SYNC_ROWS


def _bounded(rows: Iterator[Row], limit: int | None) -> Iterator[Row]:
    for n, row in enumerate(rows, 1):
        if limit is not None and n > limit:
            raise DomainError(
                ErrorCode.TOO_MANY_ROWS,
                f"more than {limit} rows: narrow the filter, or export with `recaudo export`",
                "filter",
            )
        yield row


def _check_range(first: date | None, last: date | None, field: str) -> None:
    if first is not None and last is not None and first > last:
        raise DomainError(ErrorCode.INVALID_DATE, f"{field}From is after {field}To", f"filter.{field}From")


class Exports:
    def __init__(self, deps: ExportDeps) -> None:
        self.deps = deps

    def scope(self, principal: Principal, request: ReportRequest) -> ReportFilter:
        """The filter the principal may run: an agent's is pinned to its own debts."""
        principal.require(Action.REPORT_EXPORT)
        f = request.filter
        if not principal.is_agent:
            return f
        if request.kind not in AGENT_KINDS:
            raise Forbidden(f"an agent may export {' and '.join(AGENT_KINDS)} of its own debts only")
        if f.agent_id not in (None, principal.agent_id) or not principal.agent_id:
            raise Forbidden("an agent exports its own debts only")
        return replace(f, agent_id=principal.agent_id)

    def run(self, principal: Principal, request: ReportRequest) -> ExportResult:
        """Build the report and publish it; the result carries a download URL valid 15 minutes."""
        f = self.scope(principal, request)
        locale = check_locale(request.locale)
        tenant = self.deps.repo.get_tenant(principal.tenant)
        if tenant is None:
            raise DomainError(ErrorCode.TENANT_NOT_CONFIGURED, "the tenant has no settings yet", None)
        if f.currency:
            f = replace(f, currency=validate_currency(f.currency, "filter.currency"))
        _check_range(f.due_from, f.due_to, "due")
        _check_range(f.paid_from, f.paid_to, "paid")
        _check_range(f.since, f.until, "since")
        if f.portfolio_id and self.deps.repo.get_portfolio(principal.tenant, f.portfolio_id) is None:
            raise NotFound("portfolio", "filter.portfolioId")
        now = self.deps.clock.now()
        as_of = request.as_of or local_date(now, tenant.time_zone)
        ctx = DebtReportContext(self.deps.repo, principal.tenant, as_of, locale)
        report = self._build(request.kind, ctx, f, tenant.time_zone)
        report.rows = _bounded(report.rows, self.deps.max_rows)
        report.locale = locale
        report.parameters = [
            (text("tenant", locale), tenant.name),
            (text("as_of", locale), as_of.isoformat()),
            (text("time_zone", locale), tenant.time_zone),
            (text("generated_at", locale), iso_utc(now)),
            (text("filters", locale), _describe(f) or text("none", locale)),
        ]
        export_id = self.deps.ids.new_id()
        ext = request.format.extension
        filename = f"{report.filename}.{ext}"
        key = f"exports/{principal.tenant}/{export_id}.{ext}"
        published = self.deps.publisher.publish(report, request.format, key, filename, URL_TTL_SECONDS)
        return ExportResult(
            id=export_id,
            kind=request.kind,
            format=request.format,
            url=published.url,
            expires_at=now + timedelta(seconds=URL_TTL_SECONDS),
            rows=published.rows,
            filename=filename,
        )

    def _build(self, kind: ReportKind, ctx: DebtReportContext, f: ReportFilter, zone: str) -> Report:
        if kind is ReportKind.AGING:
            return aging_report(ctx, f)
        if kind is ReportKind.DEBTS:
            return debts_report(ctx, f)
        if kind is ReportKind.PAYMENTS:
            return payments_report(ctx, f, zone)
        if kind is ReportKind.INTERACTIONS:
            if self.deps.interactions is None:
                raise DomainError(ErrorCode.NOT_AVAILABLE, "interactions are not configured here", "kind")
            return interactions_report(ctx, f, self.deps.interactions, zone)
        if self.deps.promises is None:
            raise DomainError(
                ErrorCode.NOT_AVAILABLE,
                "promises to pay are not recorded yet; this export comes with them",
                "kind",
            )
        return promises_report(ctx, f, self.deps.promises, zone)


def _describe(f: ReportFilter) -> str:
    parts = [f"{name}={value}" for name, value in vars(f).items() if value is not None]
    return ", ".join(parts)
