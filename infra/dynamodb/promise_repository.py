"""`DynamoPromiseRepository`: promise reads and the tenant's promise settings (writes go through the
ledger's TransactWrite with the debts and claims they change). GetItem, BatchGetItem or Query only."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pynamodb.expressions.condition import Condition

from domain.entities import Payment
from domain.ports import Page, PageRequest
from domain.promises.model import Promise, PromiseSettings
from domain.promises.ports import PromiseQuery
from infra.dynamodb import keys
from infra.dynamodb.campaign_repository import conditional_save
from infra.dynamodb.loading import payment_from_item
from infra.dynamodb.models import PaymentItem, TableItem
from infra.dynamodb.promise_items import (
    PROMISE_PREFIX,
    SETTINGS_SK,
    PromiseItem,
    PromiseSettingsItem,
    agent_promises_pk,
    promise_from_item,
    promise_sk,
    promises_pk,
    settings_from_item,
    settings_item,
)
from infra.dynamodb.queries import QueryPlan, SortRange, run_page

if TYPE_CHECKING:
    from domain.promises.ports import PromiseRepository

_MAX = "~"


def promise_plan(tenant: str, q: PromiseQuery) -> QueryPlan:
    """agent → GSI3 `T#t#AG#<agent>#PRM`; else GSI1 `T#t#PROMISES`; both `<status>#<date>#<id>`.
    Without a status every status is listed (grouped by status); a portfolio is a filter."""
    index, partition = (
        ("GSI3", agent_promises_pk(tenant, q.agent_id))
        if q.agent_id
        else (
            "GSI1",
            promises_pk(tenant),
        )
    )
    inverted = q.due_from is not None and q.due_to is not None and q.due_from > q.due_to
    sort = SortRange()
    if q.status is not None:
        base = f"{q.status.value}#"
        if q.due_from is None and q.due_to is None:
            sort = SortRange(prefix=base)
        else:
            lower = base + (q.due_from.isoformat() if q.due_from else "")
            upper = base + (q.due_to.isoformat() if q.due_to else "") + _MAX
            sort = SortRange(lower=lower, upper=upper)
    filters: list[Condition] = []
    if q.status is None and q.due_from is not None:
        filters.append(PromiseItem.promised_date >= q.due_from)
    if q.status is None and q.due_to is not None:
        filters.append(PromiseItem.promised_date <= q.due_to)
    if q.portfolio_id:
        filters.append(PromiseItem.portfolio_ids.contains(q.portfolio_id))
    return QueryPlan(PromiseItem, index, partition, sort, tuple(filters), empty=inverted)


class DynamoPromiseRepository:
    def get_promise(self, tenant: str, debtor_id: str, promise_id: str) -> Promise | None:
        try:
            item = PromiseItem.get(
                keys.debtor_pk(tenant, debtor_id), promise_sk(promise_id), consistent_read=True
            )
        except PromiseItem.DoesNotExist:
            return None
        return promise_from_item(item)

    def get_promises(self, tenant: str, keys_: list[tuple[str, str]]) -> dict[tuple[str, str], Promise]:
        pairs = list(dict.fromkeys((keys.debtor_pk(tenant, d), promise_sk(p)) for d, p in keys_))
        items = list(PromiseItem.batch_get(pairs)) if pairs else []
        return {(i.debtor_id, i.id): promise_from_item(i) for i in items}

    def promises_of_debtor(
        self, tenant: str, debtor_id: str, page: PageRequest, consistent: bool = False
    ) -> Page[Promise]:
        plan = QueryPlan(
            PromiseItem,
            None,
            keys.debtor_pk(tenant, debtor_id),
            SortRange(prefix=PROMISE_PREFIX),
            forward=False,
            consistent=consistent,
        )
        result = run_page(plan, tenant, page)
        return Page(
            [promise_from_item(i) for i in result.items],
            result.end_cursor,
            result.has_next_page,
            result.cursors,
        )

    def list_promises(self, tenant: str, query: PromiseQuery, page: PageRequest) -> Page[Promise]:
        result = run_page(promise_plan(tenant, query), tenant, page)
        return Page(
            [promise_from_item(i) for i in result.items],
            result.end_cursor,
            result.has_next_page,
            result.cursors,
        )

    def payments_since(self, tenant: str, debtor_id: str, since: datetime) -> list[Payment]:
        items = PaymentItem.query(
            keys.debtor_pk(tenant, debtor_id),
            TableItem.SK.startswith(keys.PAYMENT_PREFIX),
            filter_condition=PaymentItem.paid_at >= since,
            consistent_read=True,
        )
        return [payment_from_item(i) for i in items]

    def get_settings(self, tenant: str) -> PromiseSettings:
        try:
            item = PromiseSettingsItem.get(keys.tenant_pk(tenant), SETTINGS_SK, consistent_read=True)
        except PromiseSettingsItem.DoesNotExist:
            return PromiseSettings()
        return settings_from_item(item)

    def save_settings(self, tenant: str, settings: PromiseSettings, expected_version: int) -> None:
        conditional_save(settings_item(tenant, settings), expected_version)


if TYPE_CHECKING:
    _conforms: PromiseRepository = DynamoPromiseRepository()
