"""`reportExport`: one use case call, synchronous up to `MAX_SYNC_ROWS` rows (larger: `recaudo export`)."""

from __future__ import annotations

import strawberry

from domain.reports.exports import Exports
from domain.reports.model import ReportFilter as DomainFilter
from domain.reports.model import ReportRequest
from schema.common import configured, decode_one
from schema.errors import attempt
from schema.reports import types as t


def exports(info: strawberry.Info) -> Exports:
    service: Exports | None = getattr(info.context, "exports", None)
    return configured(service, "report exports are")


def _filter(f: t.ReportFilter | None) -> DomainFilter:
    if f is None:
        return DomainFilter()
    return DomainFilter(
        portfolio_id=decode_one(f.portfolio_id, "Portfolio", "filter.portfolioId")
        if f.portfolio_id
        else None,
        status=f.status,
        currency=f.currency,
        due_from=f.due_from,
        due_to=f.due_to,
        paid_from=f.paid_from,
        paid_to=f.paid_to,
        agent_id=f.agent_id,
        campaign_id=decode_one(f.campaign_id, "Campaign", "filter.campaignId") if f.campaign_id else None,
        since=f.since,
        until=f.until,
    )


@strawberry.type
class ReportMutations:
    @strawberry.mutation(
        description=(
            "Write a report (AGING, DEBTS, PAYMENTS, INTERACTIONS, PROMISES) as XLSX or CSV and return "
            "a download URL valid 15 minutes. ADMIN and "
            "SUPERVISOR export the tenant; an AGENT exports AGING and DEBTS of its own debts only. Up to "
            "20,000 rows per request (TOO_MANY_ROWS beyond: narrow the filter or use `recaudo export`)."
        )
    )
    def report_export(self, info: strawberry.Info, input: t.ReportExportInput) -> t.ReportExportPayload:
        def run() -> t.ReportExportNode:
            request = ReportRequest(
                kind=input.kind,
                format=input.format,
                filter=_filter(input.filter),
                as_of=input.as_of,
                locale=input.locale,
            )
            return t.ReportExportNode.of(exports(info).run(info.context.principal, request))

        result, errors = attempt(run)
        return t.ReportExportPayload(export=result, errors=errors)
