"""Reading promises (by debtor, by status and date) and the tenant's promise settings."""

from __future__ import annotations

from dataclasses import replace

from domain.errors import DomainError, ErrorCode, NotFound
from domain.ports import Page, PageRequest
from domain.principal import Action, Principal
from domain.promises.base import PromiseBase
from domain.promises.model import Promise, PromiseSettings
from domain.promises.ports import PromiseQuery


class PromiseQueries(PromiseBase):
    def get(self, principal: Principal, debtor_id: str, promise_id: str) -> Promise | None:
        principal.require(Action.PROMISE_READ)
        promise = self.store.get_promise(principal.tenant, debtor_id, promise_id)
        if promise is None:
            return None
        if principal.is_agent:
            try:
                self._visible_debtor(principal, debtor_id)
            except NotFound:
                return None
        return promise

    def of_debtor(self, principal: Principal, debtor_id: str, page: PageRequest) -> Page[Promise]:
        """A debtor's promises, newest first (for the debtor's timeline)."""
        principal.require(Action.PROMISE_READ)
        self._visible_debtor(principal, debtor_id, "debtorId")
        return self.store.promises_of_debtor(principal.tenant, debtor_id, page)

    def search(self, principal: Principal, query: PromiseQuery, page: PageRequest) -> Page[Promise]:
        """By status and promised date; an AGENT sees only the promises of its own debtors."""
        principal.require(Action.PROMISE_READ)
        if principal.is_agent:
            if query.agent_id not in (None, principal.agent_id) or principal.agent_id is None:
                return Page([], None, False)
            query = PromiseQuery(
                query.status, query.due_from, query.due_to, principal.agent_id, query.portfolio_id
            )
        return self.store.list_promises(principal.tenant, query, page)

    def settings_of(self, principal: Principal) -> PromiseSettings:
        principal.require(Action.PROMISE_READ)
        return self.store.get_settings(principal.tenant)

    def update_settings(
        self,
        principal: Principal,
        *,
        horizon_days: int | None = None,
        grace_days: int | None = None,
        broken_threshold: int | None = None,
        broken_window_days: int | None = None,
    ) -> PromiseSettings:
        principal.require(Action.PROMISE_SETTINGS)
        current = self.store.get_settings(principal.tenant)
        checks = [
            ("horizonDays", horizon_days, 1, 365),
            ("graceDays", grace_days, 0, 30),
            ("brokenThreshold", broken_threshold, 0, 50),
            ("brokenWindowDays", broken_window_days, 1, 730),
        ]
        for field, value, low, high in checks:
            if value is not None and not low <= value <= high:
                raise DomainError(ErrorCode.INVALID, f"{field} is {low} to {high}", field)
        updated = PromiseSettings(
            horizon_days=current.horizon_days if horizon_days is None else horizon_days,
            grace_days=current.grace_days if grace_days is None else grace_days,
            broken_threshold=current.broken_threshold if broken_threshold is None else broken_threshold,
            broken_window_days=(
                current.broken_window_days if broken_window_days is None else broken_window_days
            ),
            version=current.version,
        )
        self.store.save_settings(principal.tenant, updated, current.version)
        return replace(updated, version=current.version + 1)
