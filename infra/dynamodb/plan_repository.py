"""`DynamoPlanRepository`: payment plan reads and the tenant's plan settings (writes go through the
ledger's TransactWrite with the debts and claims they change). GetItem or Query only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pynamodb.expressions.condition import Condition

from domain.plans.model import PaymentPlan, PlanSettings
from domain.plans.ports import PlanQuery
from domain.ports import Page, PageRequest
from infra.dynamodb import keys
from infra.dynamodb.campaign_repository import conditional_save
from infra.dynamodb.plan_items import (
    PLAN_PREFIX,
    SETTINGS_SK,
    PlanItem,
    PlanSettingsItem,
    agent_plans_pk,
    plan_from_item,
    plan_sk,
    plans_pk,
    settings_from_item,
    settings_item,
)
from infra.dynamodb.queries import QueryPlan, SortRange, run_page

if TYPE_CHECKING:
    from domain.plans.ports import PlanRepository

_MAX = "~"


def plan_query(tenant: str, q: PlanQuery) -> QueryPlan:
    """debtor → its partition `PLN#`, newest first; agent → GSI3 `T#t#AG#<agent>#PLN`; else GSI1
    `T#t#PLANS`; both `<status>#<day>#<id>` (`due_to`: up to that day). Portfolio is a filter."""
    filters: list[Condition] = []
    if q.portfolio_id:
        filters.append(PlanItem.portfolio_ids.contains(q.portfolio_id))
    if q.debtor_id:
        if q.status is not None:
            filters.append(PlanItem.status == q.status.value)
        partition = keys.debtor_pk(tenant, q.debtor_id)
        return QueryPlan(
            PlanItem, None, partition, SortRange(prefix=PLAN_PREFIX), tuple(filters), forward=False
        )
    index, partition = (
        ("GSI3", agent_plans_pk(tenant, q.agent_id)) if q.agent_id else ("GSI1", plans_pk(tenant))
    )
    sort = SortRange()
    if q.status is not None:
        base = f"{q.status.value}#"
        if q.due_to is None:
            sort = SortRange(prefix=base)
        else:
            sort = SortRange(lower=base, upper=f"{base}{q.due_to.isoformat()}{_MAX}")
    return QueryPlan(PlanItem, index, partition, sort, tuple(filters))


class DynamoPlanRepository:
    def get_plan(self, tenant: str, debtor_id: str, plan_id: str) -> PaymentPlan | None:
        try:
            item = PlanItem.get(keys.debtor_pk(tenant, debtor_id), plan_sk(plan_id), consistent_read=True)
        except PlanItem.DoesNotExist:
            return None
        return plan_from_item(item)

    def get_plans(self, tenant: str, keys_: list[tuple[str, str]]) -> dict[tuple[str, str], PaymentPlan]:
        pairs = list(dict.fromkeys((keys.debtor_pk(tenant, d), plan_sk(p)) for d, p in keys_))
        items = list(PlanItem.batch_get(pairs)) if pairs else []
        return {(i.debtor_id, i.id): plan_from_item(i) for i in items}

    def plans_of_debtor(
        self, tenant: str, debtor_id: str, page: PageRequest, consistent: bool = False
    ) -> Page[PaymentPlan]:
        plan = QueryPlan(
            PlanItem,
            None,
            keys.debtor_pk(tenant, debtor_id),
            SortRange(prefix=PLAN_PREFIX),
            forward=False,
            consistent=consistent,
        )
        return _page(run_page(plan, tenant, page))

    def list_plans(self, tenant: str, query: PlanQuery, page: PageRequest) -> Page[PaymentPlan]:
        return _page(run_page(plan_query(tenant, query), tenant, page))

    def get_settings(self, tenant: str) -> PlanSettings:
        try:
            item = PlanSettingsItem.get(keys.tenant_pk(tenant), SETTINGS_SK, consistent_read=True)
        except PlanSettingsItem.DoesNotExist:
            return PlanSettings()
        return settings_from_item(item)

    def save_settings(self, tenant: str, settings: PlanSettings, expected_version: int) -> None:
        conditional_save(settings_item(tenant, settings), expected_version)


def _page(result: Page[PlanItem]) -> Page[PaymentPlan]:
    return Page(
        [plan_from_item(i) for i in result.items], result.end_cursor, result.has_next_page, result.cursors
    )


if TYPE_CHECKING:
    _conforms: PlanRepository = DynamoPlanRepository()
