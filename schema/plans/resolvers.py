"""Queries and mutations of payment plans (composed into the root schema), `Debt.paymentPlan` and
`Debtor.paymentPlans` (per-request DataLoaders)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import strawberry
from strawberry.dataloader import DataLoader

from domain.campaigns.model import Campaign, CampaignStatus
from domain.clock import local_date
from domain.entities import Debt
from domain.errors import DomainError, ErrorCode
from domain.plans.model import PaymentPlan
from domain.plans.ports import PlanQuery
from domain.plans.reminders import PlannedReminder, next_reminder
from domain.plans.service import PaymentPlans, PlanInput
from domain.ports import PageRequest
from domain.principal import Action
from schema.common import Connection, configured, decode_one, decode_two, page_request, to_connection
from schema.errors import attempt, query
from schema.plans import inputs as i
from schema.plans import types as t


def plans_of(info: strawberry.Info) -> PaymentPlans:
    service: PaymentPlans | None = getattr(info.context, "plans", None)
    return configured(service, "payment plans are")


def _input(x: i.PaymentPlanCreateInput) -> PlanInput:
    debtor_id = decode_one(x.debtor_id, "Debtor", "debtorId")
    debt_ids = []
    for n, gid in enumerate(x.debt_ids):
        owner, debt_id = decode_two(gid, "Debt", f"debtIds[{n}]")
        if owner != debtor_id:
            raise DomainError(ErrorCode.NOT_FOUND, "the debt is not the debtor's", f"debtIds[{n}]")
        debt_ids.append(debt_id)
    return PlanInput(
        debtor_id=debtor_id,
        debt_ids=debt_ids,
        instalments=x.instalments,
        frequency=x.frequency,
        first_due_date=x.first_due_date,
        idempotency_key=x.idempotency_key,
        down_payment=x.down_payment,
        note=x.note,
    )


def _loader(info: strawberry.Info, name: str, make: Any) -> Any:
    cache = info.context.loaders_by_feature
    if name not in cache:
        cache[name] = make()
    return cache[name]


def _plans_by_key(info: strawberry.Info) -> DataLoader[tuple[str, str], PaymentPlan | None]:
    service, tenant = plans_of(info), info.context.principal.tenant

    def make() -> DataLoader[tuple[str, str], PaymentPlan | None]:
        async def load(keys: Sequence[tuple[str, str]]) -> list[PaymentPlan | None]:
            found = service.store.get_plans(tenant, list(dict.fromkeys(keys)))
            return [found.get(k) for k in keys]

        return DataLoader(load, max_batch_size=100)

    loader: DataLoader[tuple[str, str], PaymentPlan | None] = _loader(info, "plans_by_key", make)
    return loader


def _plans_of_debtor(info: strawberry.Info) -> DataLoader[str, list[PaymentPlan]]:
    service, tenant = plans_of(info), info.context.principal.tenant

    def make() -> DataLoader[str, list[PaymentPlan]]:
        async def load(debtor_ids: Sequence[str]) -> list[list[PaymentPlan]]:
            out = []
            for debtor_id in debtor_ids:
                page = service.store.plans_of_debtor(tenant, debtor_id, PageRequest(200))
                out.append(page.items)
            return out

        return DataLoader(load)

    loader: DataLoader[str, list[PaymentPlan]] = _loader(info, "plans_of_debtor", make)
    return loader


def plan_today(info: strawberry.Info, plan: PaymentPlan) -> date:
    return local_date(info.context.ledger.deps.clock.now(), plan.time_zone)


def _active_campaigns(info: strawberry.Info) -> list[Campaign]:
    cache = info.context.loaders_by_feature
    if "active_campaigns" not in cache:
        reminders = info.context.reminders
        cache["active_campaigns"] = (
            reminders.deps.campaigns.list_campaigns(info.context.principal.tenant, CampaignStatus.ACTIVE)
            if reminders is not None
            else []
        )
    campaigns: list[Campaign] = cache["active_campaigns"]
    return campaigns


async def plan_next_reminder(info: strawberry.Info, plan: PaymentPlan) -> PlannedReminder | None:
    if not plan.active:
        return None
    found = await info.context.loaders.debt.load_many([(plan.debtor_id, d) for d in plan.debt_ids])
    debts: list[Debt] = [d for d in found if d is not None]
    return next_reminder(plan, debts, _active_campaigns(info), plan_today(info, plan))


async def debt_payment_plan(info: strawberry.Info, debt: Debt) -> t.PaymentPlanNode | None:
    """The ACTIVE plan covering a debt (the caller already sees the debt)."""
    if debt.plan_id is None:
        return None
    query(lambda: info.context.principal.require(Action.PLAN_READ))
    plan = await _plans_by_key(info).load((debt.debtor_id, debt.plan_id))
    return t.PaymentPlanNode.of(plan) if plan else None


async def debtor_payment_plans(info: strawberry.Info, debtor_id: str) -> list[t.PaymentPlanNode]:
    """A debtor's plans, newest first (the caller already sees the debtor)."""
    query(lambda: info.context.principal.require(Action.PLAN_READ))
    return [t.PaymentPlanNode.of(p) for p in await _plans_of_debtor(info).load(debtor_id)]


@strawberry.type
class PaymentPlanQueries:
    @strawberry.field(description="One payment plan by id (null when not found or not yours).")
    def payment_plan(self, info: strawberry.Info, id: strawberry.ID) -> t.PaymentPlanNode | None:
        def run() -> t.PaymentPlanNode | None:
            try:
                debtor_id, plan_id = decode_two(id, "PaymentPlan")
            except DomainError:
                return None
            plan = plans_of(info).get(info.context.principal, debtor_id, plan_id)
            return t.PaymentPlanNode.of(plan) if plan else None

        return query(run)

    @strawberry.field(
        description="Payment plans: one debtor's (newest first), or by status and next due date; an "
        "agent sees those of its own debtors."
    )
    def payment_plans(
        self,
        info: strawberry.Info,
        filter: i.PaymentPlanFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[t.PaymentPlanNode]:
        f = filter or i.PaymentPlanFilter()

        def run() -> Connection[t.PaymentPlanNode]:
            portfolio = (
                decode_one(f.portfolio_id, "Portfolio", "filter.portfolioId") if f.portfolio_id else None
            )
            debtor = decode_one(f.debtor_id, "Debtor", "filter.debtorId") if f.debtor_id else None
            q = PlanQuery(status=f.status, debtor_id=debtor, portfolio_id=portfolio, agent_id=f.agent_id)
            page = plans_of(info).search(info.context.principal, q, page_request(first, after))
            return to_connection(page, t.PaymentPlanNode.of)

        return query(run)

    @strawberry.field(description="The tenant's payment plan rules (defaults until an ADMIN changes them).")
    def payment_plan_settings(self, info: strawberry.Info) -> t.PaymentPlanSettings:
        return query(lambda: t.PaymentPlanSettings.of(plans_of(info).settings_of(info.context.principal)))


@strawberry.type
class PaymentPlanMutations:
    @strawberry.mutation(
        description="Split some debts' balance into a down payment and instalments (exact to the cent; "
        "the last instalment absorbs the rounding). The debts become IN_PLAN and leave the normal "
        "cadence. Retrying with the same idempotencyKey is a no-op."
    )
    def payment_plan_create(
        self, info: strawberry.Info, input: i.PaymentPlanCreateInput
    ) -> t.PaymentPlanCreatePayload:
        result, errors = attempt(lambda: plans_of(info).create(info.context.principal, _input(input)))
        return t.PaymentPlanCreatePayload(
            payment_plan=t.PaymentPlanNode.of(result.plan) if result else None,
            replayed=bool(result and result.replayed),
            errors=errors,
        )

    @strawberry.mutation(description="Cancel an ACTIVE plan; its debts return to collection.")
    def payment_plan_cancel(
        self, info: strawberry.Info, input: i.PaymentPlanCancelInput
    ) -> t.PaymentPlanCancelPayload:
        def run() -> PaymentPlan:
            debtor_id, plan_id = decode_two(input.id, "PaymentPlan", "id")
            return plans_of(info).cancel(info.context.principal, debtor_id, plan_id, input.reason)

        plan, errors = attempt(run)
        return t.PaymentPlanCancelPayload(
            payment_plan=t.PaymentPlanNode.of(plan) if plan else None, errors=errors
        )

    @strawberry.mutation(description="Change the tenant's payment plan rules (ADMIN).")
    def payment_plan_settings_update(
        self, info: strawberry.Info, input: i.PaymentPlanSettingsUpdateInput
    ) -> t.PaymentPlanSettingsUpdatePayload:
        settings, errors = attempt(
            lambda: plans_of(info).update_settings(
                info.context.principal,
                grace_days=input.grace_days,
                max_instalments=input.max_instalments,
                max_first_due_days=input.max_first_due_days,
            )
        )
        return t.PaymentPlanSettingsUpdatePayload(
            settings=t.PaymentPlanSettings.of(settings) if settings else None, errors=errors
        )


__all__ = ["PaymentPlanMutations", "PaymentPlanQueries", "debt_payment_plan", "debtor_payment_plans"]
