"""Reading plans (one, a debtor's, by status and next due date) and the tenant's plan settings."""

from __future__ import annotations

from dataclasses import replace

from domain.errors import DomainError, ErrorCode, NotFound
from domain.plans.base import PlanBase
from domain.plans.model import PaymentPlan, PlanSettings
from domain.plans.ports import PlanQuery
from domain.ports import Page, PageRequest
from domain.principal import Action, Principal


class PlanQueries(PlanBase):
    def get(self, principal: Principal, debtor_id: str, plan_id: str) -> PaymentPlan | None:
        principal.require(Action.PLAN_READ)
        if principal.is_agent:
            try:
                self._visible_debtor(principal, debtor_id)
            except NotFound:
                return None
        return self.store.get_plan(principal.tenant, debtor_id, plan_id)

    def of_debtor(self, principal: Principal, debtor_id: str, page: PageRequest) -> Page[PaymentPlan]:
        """A debtor's plans, newest first (the caller must see the debtor)."""
        principal.require(Action.PLAN_READ)
        self._visible_debtor(principal, debtor_id)
        return self.store.plans_of_debtor(principal.tenant, debtor_id, page)

    def search(self, principal: Principal, query: PlanQuery, page: PageRequest) -> Page[PaymentPlan]:
        """A debtor's plans (its partition), or the tenant's by status and next due date; an AGENT
        sees only the plans of its own debtors."""
        principal.require(Action.PLAN_READ)
        if query.debtor_id is not None:
            try:
                self._visible_debtor(principal, query.debtor_id, "filter.debtorId")
            except NotFound:
                return Page([], None, False)
        elif principal.is_agent:
            if principal.agent_id is None or query.agent_id not in (None, principal.agent_id):
                return Page([], None, False)
            query = replace(query, agent_id=principal.agent_id)
        return self.store.list_plans(principal.tenant, query, page)

    def settings_of(self, principal: Principal) -> PlanSettings:
        principal.require(Action.PLAN_READ)
        return self.store.get_settings(principal.tenant)

    def update_settings(
        self,
        principal: Principal,
        *,
        grace_days: int | None = None,
        max_instalments: int | None = None,
        max_first_due_days: int | None = None,
    ) -> PlanSettings:
        principal.require(Action.PLAN_SETTINGS)
        current = self.store.get_settings(principal.tenant)
        checks = [
            ("graceDays", grace_days, 0, 60),
            ("maxInstalments", max_instalments, 1, 120),
            ("maxFirstDueDays", max_first_due_days, 0, 365),
        ]
        for field, value, low, high in checks:
            if value is not None and not low <= value <= high:
                raise DomainError(ErrorCode.INVALID, f"{field} is {low} to {high}", field)
        updated = PlanSettings(
            grace_days=current.grace_days if grace_days is None else grace_days,
            max_instalments=current.max_instalments if max_instalments is None else max_instalments,
            max_first_due_days=(
                current.max_first_due_days if max_first_due_days is None else max_first_due_days
            ),
            version=current.version,
        )
        self.store.save_settings(principal.tenant, updated, current.version)
        return replace(updated, version=current.version + 1)
