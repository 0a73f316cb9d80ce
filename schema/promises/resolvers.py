"""Queries and mutations of promises to pay (composed into the root schema), and `Debt.promises`."""

from __future__ import annotations

from collections.abc import Sequence

import strawberry
from strawberry.dataloader import DataLoader

from domain.errors import DomainError, ErrorCode
from domain.ports import PageRequest
from domain.principal import Action
from domain.promises.model import Promise
from domain.promises.ports import PromiseQuery
from domain.promises.service import PromiseInput, Promises
from schema.common import (
    Connection,
    UserError,
    configured,
    decode_one,
    decode_two,
    page_request,
    to_connection,
)
from schema.errors import attempt, query
from schema.promises import inputs as i
from schema.promises import types as t


def promises_of(info: strawberry.Info) -> Promises:
    service: Promises | None = getattr(info.context, "promises", None)
    return configured(service, "promises are")


def _input(x: i.PromiseCreateInput, prefix: str = "") -> PromiseInput:
    debtor_id = decode_one(x.debtor_id, "Debtor", f"{prefix}debtorId")
    debt_ids = []
    for n, gid in enumerate(x.debt_ids):
        owner, debt_id = decode_two(gid, "Debt", f"{prefix}debtIds[{n}]")
        if owner != debtor_id:
            raise DomainError(ErrorCode.NOT_FOUND, "the debt is not the debtor's", f"{prefix}debtIds[{n}]")
        debt_ids.append(debt_id)
    return PromiseInput(
        debtor_id=debtor_id,
        debt_ids=debt_ids,
        amount=x.amount,
        currency=x.currency,
        promised_date=x.promised_date,
        channel=x.channel,
        idempotency_key=x.idempotency_key,
        recorded_at=x.recorded_at,
        note=x.note,
    )


def _read(x: i.PromiseCreateInput) -> PromiseInput | DomainError:
    try:
        return _input(x)
    except DomainError as err:
        return err


def _debtor_promises(info: strawberry.Info) -> DataLoader[str, list[Promise]]:
    """Per request: every promise of a debtor in one Query (newest first), for `Debt.promises`."""
    cache = info.context.loaders_by_feature
    loader: DataLoader[str, list[Promise]] | None = cache.get("promises_of_debtor")
    if loader is None:
        service, principal = promises_of(info), info.context.principal

        async def load(debtor_ids: Sequence[str]) -> list[list[Promise]]:
            out = []
            for debtor_id in debtor_ids:
                promises: list[Promise] = []
                after: str | None = None
                while True:
                    page = service.store.promises_of_debtor(
                        principal.tenant, debtor_id, PageRequest(200, after)
                    )
                    promises.extend(page.items)
                    if not page.has_next_page:
                        break
                    after = page.end_cursor
                out.append(promises)
            return out

        loader = DataLoader(load)
        cache["promises_of_debtor"] = loader
    return loader


async def debt_promises(info: strawberry.Info, debtor_id: str, debt_id: str) -> list[t.PromiseNode]:
    """The promises covering one debt, newest first (the caller already sees the debt)."""
    query(lambda: info.context.principal.require(Action.PROMISE_READ))
    found = await _debtor_promises(info).load(debtor_id)
    return [t.PromiseNode.of(p) for p in found if debt_id in p.debt_ids]


@strawberry.type
class PromiseQueries:
    @strawberry.field(description="Promises by status and promised date (an agent sees its own).")
    def promises(
        self,
        info: strawberry.Info,
        filter: i.PromiseFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[t.PromiseNode]:
        f = filter or i.PromiseFilter()

        def run() -> Connection[t.PromiseNode]:
            portfolio = (
                decode_one(f.portfolio_id, "Portfolio", "filter.portfolioId") if f.portfolio_id else None
            )
            q = PromiseQuery(f.status, f.due_from, f.due_to, f.agent_id, portfolio)
            page = promises_of(info).search(info.context.principal, q, page_request(first, after))
            return to_connection(page, t.PromiseNode.of)

        return query(run)

    @strawberry.field(description="The tenant's promise rules (defaults until an ADMIN changes them).")
    def promise_settings(self, info: strawberry.Info) -> t.PromiseSettings:
        return query(lambda: t.PromiseSettings.of(promises_of(info).settings_of(info.context.principal)))


@strawberry.type
class PromiseMutations:
    @strawberry.mutation(
        description="Take a promise to pay; retrying with the same idempotencyKey is a no-op."
    )
    def promise_create(self, info: strawberry.Info, input: i.PromiseCreateInput) -> t.PromiseCreatePayload:
        result, errors = attempt(lambda: promises_of(info).create(info.context.principal, _input(input)))
        return t.PromiseCreatePayload(
            promise=t.PromiseNode.of(result.promise) if result else None,
            replayed=bool(result and result.replayed),
            errors=errors,
        )

    @strawberry.mutation(description="Upload promises taken offline; each item gets its own result.")
    def promises_sync(self, info: strawberry.Info, input: i.PromisesSyncInput) -> t.PromisesSyncPayload:
        items = [_read(x) for x in input.items]
        results, errors = attempt(lambda: promises_of(info).sync(info.context.principal, items))
        return t.PromisesSyncPayload(
            results=[
                t.PromiseSyncResult(
                    idempotency_key=x.idempotency_key,
                    outcome=r.outcome,
                    promise=t.PromiseNode.of(r.promise) if r.promise else None,
                    errors=[UserError(field=e.field, code=e.code, message=e.message) for e in r.errors],
                )
                for x, r in zip(input.items, results or [], strict=False)
            ],
            errors=errors,
        )

    @strawberry.mutation(description="Cancel a pending promise; its debts' reminders resume.")
    def promise_cancel(self, info: strawberry.Info, input: i.PromiseCancelInput) -> t.PromiseCancelPayload:
        def run() -> Promise:
            debtor_id, promise_id = decode_two(input.id, "Promise", "id")
            return promises_of(info).cancel(info.context.principal, debtor_id, promise_id, input.reason)

        promise, errors = attempt(run)
        return t.PromiseCancelPayload(promise=t.PromiseNode.of(promise) if promise else None, errors=errors)

    @strawberry.mutation(description="Change the tenant's promise rules (ADMIN).")
    def promise_settings_update(
        self, info: strawberry.Info, input: i.PromiseSettingsUpdateInput
    ) -> t.PromiseSettingsUpdatePayload:
        settings, errors = attempt(
            lambda: promises_of(info).update_settings(
                info.context.principal,
                horizon_days=input.horizon_days,
                grace_days=input.grace_days,
                broken_threshold=input.broken_threshold,
                broken_window_days=input.broken_window_days,
            )
        )
        return t.PromiseSettingsUpdatePayload(
            settings=t.PromiseSettings.of(settings) if settings else None, errors=errors
        )


__all__ = ["PromiseMutations", "PromiseQueries", "debt_promises"]
