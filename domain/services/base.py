"""What every use case shares: dependencies, the tenant's settings, audit and outbox helpers, retries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from domain.clock import Clock, local_date
from domain.entities import AuditEntry, Debt, DebtState, DomainEvent, Tenant
from domain.errors import ConcurrencyConflict, DomainError, ErrorCode, NotFound
from domain.ports import IdGenerator, LedgerRepository, Transaction
from domain.principal import Principal
from domain.snapshot import diff

R = TypeVar("R")

EVENT_SCHEMA_VERSION = 1
MAX_ATTEMPTS = 8


@dataclass
class Deps:
    repo: LedgerRepository
    clock: Clock
    ids: IdGenerator


class UseCase:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.repo = deps.repo

    def now(self) -> datetime:
        return self.deps.clock.now()

    def settings(self, principal: Principal) -> Tenant:
        tenant = self.repo.get_tenant(principal.tenant)
        if tenant is None:
            raise DomainError(
                ErrorCode.TENANT_NOT_CONFIGURED,
                "the tenant has no settings yet: an ADMIN runs tenantUpdate first",
                None,
            )
        return tenant

    def today(self, tenant: Tenant) -> date:
        """The calendar day in the tenant's time zone."""
        return local_date(self.now(), tenant.time_zone)

    def today_in(self, time_zone: str) -> date:
        return local_date(self.now(), time_zone)

    def audit(
        self,
        tx: Transaction,
        principal: Principal,
        entity_type: str,
        entity_id: str,
        action: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        if before is not None and after is not None:
            before, after = diff(before, after)
        tx.audits.append(
            AuditEntry(
                tenant=principal.tenant,
                id=self.deps.ids.new_id(),
                entity_type=entity_type,
                entity_id=entity_id,
                action=action,
                actor=principal.sub,
                actor_role=principal.role.value,
                at=self.now(),
                before=before,
                after=after,
            )
        )

    def event(
        self, tx: Transaction, tenant: str, event_type: str, aggregate_id: str, data: dict[str, Any]
    ) -> None:
        # Every event of one transaction carries the same instant: they happened together.
        occurred_at = tx.events[0].occurred_at if tx.events else self.now()
        tx.events.append(
            DomainEvent(
                tenant=tenant,
                id=self.deps.ids.new_id(),
                type=event_type,
                version=EVENT_SCHEMA_VERSION,
                occurred_at=occurred_at,
                aggregate_id=aggregate_id,
                data=data,
            )
        )

    def retrying(self, attempt: Callable[[], R]) -> R:
        """Run read-decide-commit again when a concurrent writer moved a version we read."""
        for _ in range(MAX_ATTEMPTS - 1):
            try:
                return attempt()
            except ConcurrencyConflict:
                continue
        try:
            return attempt()
        except ConcurrencyConflict:
            raise DomainError(
                ErrorCode.CONFLICT, "the record kept changing concurrently; try again", None
            ) from None


def clean_text(value: str | None, field: str, *, required: bool = False, max_len: int = 500) -> str | None:
    """Trim, refuse over-long text, and treat blank as absent (or an error when required)."""
    text = (value or "").strip()
    if not text:
        if required:
            raise DomainError(ErrorCode.REQUIRED, f"{field} is required", field)
        return None
    if len(text) > max_len:
        raise DomainError(ErrorCode.INVALID, f"{field} is longer than {max_len} characters", field)
    return text


def clean_tags(tags: list[str] | None) -> list[str]:
    seen: list[str] = []
    for tag in tags or []:
        t = tag.strip().lower()
        if t and t not in seen:
            seen.append(t)
    return seen


def named_open_debts(
    debt_ids: list[str],
    read: Callable[[list[str]], dict[str, Debt]],
    *,
    noun: str,
    most: int,
) -> list[tuple[str, Debt]]:
    """The OPEN debts `debt_ids` names (blanks and repeats dropped, order kept), each with its input
    field (`debtIds[n]`) for the caller's own checks. `read` maps ids to the debtor's debts; `noun`
    names what covers them in messages ("a promise"). REQUIRED, INVALID, NOT_FOUND, INVALID_STATE."""
    ids = list(dict.fromkeys(d.strip() for d in debt_ids if d and d.strip()))
    if not ids:
        raise DomainError(ErrorCode.REQUIRED, f"{noun} covers at least one debt", "debtIds")
    if len(ids) > most:
        raise DomainError(ErrorCode.INVALID, f"{noun} covers at most {most} debts", "debtIds")
    found = read(ids)
    named: list[tuple[str, Debt]] = []
    for n, debt_id in enumerate(ids):
        field = f"debtIds[{n}]"
        debt = found.get(debt_id)
        if debt is None:
            raise NotFound("debt", field)
        if debt.state is not DebtState.OPEN:
            raise DomainError(ErrorCode.INVALID_STATE, f"the debt is {debt.state.value}", field)
        named.append((field, debt))
    return named
