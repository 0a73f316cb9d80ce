"""Query plans for the paginated lists, and the page runner (one Query per request, never Scan)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pynamodb.expressions.condition import Condition

from domain.clock import iso_utc
from domain.entities import DebtState
from domain.ports import DebtorQuery, DebtQuery, Page, PageRequest, PaymentQuery
from infra.dynamodb import keys
from infra.dynamodb.cursors import decode_cursor, encode_cursor
from infra.dynamodb.mapping import norm_name
from infra.dynamodb.models import AuditItem, DebtItem, DebtorItem, PaymentItem, TableItem

_MAX_STRING = "~"
"""Sorts after every character used in dates, timestamps and ids (upper bound of a range)."""
_FILTERED_PAGE_SIZE = 100
"""Items evaluated per request when a FilterExpression may drop some (fewer round trips)."""


@dataclass(frozen=True)
class SortRange:
    """A sort-key condition: `begins_with(prefix)`, or `lower <= SK <= upper` (either end optional)."""

    prefix: str | None = None
    lower: str | None = None
    upper: str | None = None

    def condition(self, attr: Any) -> Condition | None:
        if self.prefix:
            return attr.startswith(self.prefix)  # type: ignore[no-any-return]
        if self.lower is not None and self.upper is not None:
            return attr.between(self.lower, self.upper)  # type: ignore[no-any-return]
        if self.lower is not None:
            return attr >= self.lower  # type: ignore[no-any-return]
        if self.upper is not None:
            return attr <= self.upper  # type: ignore[no-any-return]
        return None

    def contains(self, value: str) -> bool:
        if self.prefix and not value.startswith(self.prefix):
            return False
        if self.lower is not None and value < self.lower:
            return False
        return self.upper is None or value <= self.upper


@dataclass(frozen=True)
class QueryPlan:
    """One Query: a model (its discriminator filters other kinds), the table or a GSI, a partition
    value, a sort-key range and optional filters."""

    model: type[TableItem]
    index: str | None
    partition: str
    sort: SortRange
    filters: tuple[Condition, ...] = ()
    forward: bool = True
    consistent: bool = False
    empty: bool = False
    """True when the query can match nothing (an inverted range): answered without a request."""


def _and(conditions: list[Condition | None]) -> Condition | None:
    result: Condition | None = None
    for cond in conditions:
        if cond is not None:
            result = cond if result is None else result & cond
    return result


def run_page(plan: QueryPlan, tenant: str, page: PageRequest) -> Page[Any]:
    """Run a plan for `first` items after the `after` cursor; items are the plan's model items."""
    start = None
    if page.after:
        start = decode_cursor(
            page.after, tenant=tenant, index=plan.index, partition=plan.partition, sort_ok=plan.sort.contains
        )
    first = max(0, page.first)
    if plan.empty:
        return Page(items=[], end_cursor=None, has_next_page=False, cursors=[])
    sort_attr = getattr(TableItem, f"{plan.index}SK" if plan.index else "SK")
    filter_condition = _and(list(plan.filters))
    results = plan.model.query(
        plan.partition,
        range_key_condition=plan.sort.condition(sort_attr),
        filter_condition=filter_condition,
        index_name=plan.index,
        consistent_read=plan.consistent,
        scan_index_forward=plan.forward,
        limit=first + 1,
        page_size=max(first + 1, _FILTERED_PAGE_SIZE) if plan.filters else first + 1,
        last_evaluated_key=start,
    )
    found = list(results)
    items = found[:first]
    cursors = [encode_cursor(item, plan.index) for item in items]
    return Page(
        items=items,
        end_cursor=cursors[-1] if cursors else None,
        has_next_page=len(found) > first,
        cursors=cursors,
    )


def _state_range(
    prefix: str, state: DebtState | None, due_from: date | None, due_to: date | None
) -> SortRange:
    if state is None:
        return SortRange(prefix=prefix or None)
    base = f"{prefix}{state.value}#"
    if due_from is None and due_to is None:
        return SortRange(prefix=base)
    lower = base + (due_from.isoformat() if due_from else "")
    upper = base + (due_to.isoformat() if due_to else "") + _MAX_STRING
    return SortRange(lower=lower, upper=upper)


def debt_plan(tenant: str, q: DebtQuery) -> QueryPlan:
    """debtor → table; else portfolio → GSI1; agent → GSI3; currency → GSI4; else GSI2."""
    inverted = q.due_from is not None and q.due_to is not None and q.due_from > q.due_to
    filters: list[Condition] = []
    if q.debtor_id:
        index, partition = None, keys.debtor_pk(tenant, q.debtor_id)
        sort = SortRange(prefix=keys.DEBT_PREFIX)
        if q.portfolio_id:
            filters.append(DebtItem.portfolio_id == q.portfolio_id)
    elif q.portfolio_id:
        index, partition = "GSI1", keys.portfolio_debts_pk(tenant, q.portfolio_id)
        sort = _state_range("", q.state, q.due_from, q.due_to)
    elif q.agent_id:
        index, partition = "GSI3", keys.agent_pk(tenant, q.agent_id)
        sort = _state_range(keys.AGENT_DEBT_PREFIX, q.state, q.due_from, q.due_to)
    elif q.currency:
        index, partition = "GSI4", keys.currency_debts_pk(tenant, q.currency)
        sort = _state_range("", q.state, q.due_from, q.due_to)
    else:
        index, partition = "GSI2", keys.tenant_debts_pk(tenant)
        sort = _state_range("", q.state, q.due_from, q.due_to)
    if q.agent_id and index != "GSI3":
        filters.append(DebtItem.assigned_agent_id == q.agent_id)
    if q.currency and index not in ("GSI4",):
        filters.append(DebtItem.currency == q.currency)
    if q.in_plan is not None:
        filters.append(DebtItem.plan_id.exists() if q.in_plan else DebtItem.plan_id.does_not_exist())
    state_in_key = index is not None and q.state is not None
    if q.state is not None and not state_in_key:
        filters.append(DebtItem.state == q.state.value)
    if not state_in_key and not inverted:
        if q.due_from is not None:
            filters.append(DebtItem.due_date >= q.due_from)
        if q.due_to is not None:
            filters.append(DebtItem.due_date <= q.due_to)
    return QueryPlan(DebtItem, index, partition, sort, tuple(filters), empty=inverted)


def debtor_plan(tenant: str, q: DebtorQuery) -> QueryPlan:
    """document → GSI2; agent → GSI3 `DR#`; name prefix or nothing → GSI1 (external id: see repo)."""
    prefix = norm_name(q.name_prefix) if q.name_prefix else ""
    filters: list[Condition] = []
    if q.document_number:
        index, partition = "GSI2", keys.document_pk(tenant, q.document_number)
        sort = SortRange(prefix=keys.AGENT_DEBTOR_PREFIX)
        if q.agent_id:
            filters.append(DebtorItem.assigned_agent_id == q.agent_id)
        if prefix:
            filters.append(DebtorItem.GSI1SK.startswith(prefix))
    elif q.agent_id:
        index, partition = "GSI3", keys.agent_pk(tenant, q.agent_id)
        sort = SortRange(prefix=f"{keys.AGENT_DEBTOR_PREFIX}{prefix}")
    else:
        index, partition = "GSI1", keys.debtors_pk(tenant)
        sort = SortRange(prefix=prefix or None)
    return QueryPlan(DebtorItem, index, partition, sort, tuple(filters))


def _ts_range(paid_from: datetime | None, paid_to: datetime | None) -> SortRange:
    return SortRange(
        lower=iso_utc(paid_from) if paid_from else None,
        upper=iso_utc(paid_to) + _MAX_STRING if paid_to else None,
    )


def payment_plan(tenant: str, q: PaymentQuery) -> QueryPlan:
    """debtor → table partition `PAY#`; else GSI1 `T#t#PAYMENTS` by time. Newest first."""
    inverted = q.paid_from is not None and q.paid_to is not None and q.paid_from > q.paid_to
    filters: list[Condition] = []
    if q.debt_id:
        filters.append(PaymentItem.debt_ids.contains(q.debt_id))
    if q.debtor_id:
        index, partition = None, keys.debtor_pk(tenant, q.debtor_id)
        sort = SortRange(prefix=keys.PAYMENT_PREFIX)
        if not inverted:
            if q.paid_from is not None:
                filters.append(PaymentItem.paid_at >= q.paid_from)
            if q.paid_to is not None:
                filters.append(PaymentItem.paid_at <= q.paid_to)
    else:
        index, partition = "GSI1", keys.payments_pk(tenant)
        sort = SortRange() if inverted else _ts_range(q.paid_from, q.paid_to)
    return QueryPlan(PaymentItem, index, partition, sort, tuple(filters), forward=False, empty=inverted)


def audit_plan(tenant: str, entity_id: str) -> QueryPlan:
    """The audit trail of one entity, newest first."""
    return QueryPlan(AuditItem, None, keys.audit_pk(tenant, entity_id), SortRange(), forward=False)
