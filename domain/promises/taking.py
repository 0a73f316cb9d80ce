"""Taking a promise: validated, idempotent per key, pausing the promised debts' cadence."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from domain.clock import local_date
from domain.entities import Channel, Debt, Debtor
from domain.errors import DomainError, ErrorCode, FieldError, NotFound, UniquenessConflict
from domain.money import positive_amount, validate_currency
from domain.ports import Claim, ClaimKind, Transaction
from domain.principal import Action, Principal
from domain.promises import rules
from domain.promises.base import CHANGE_OF, PromiseBase
from domain.promises.model import Promise, PromiseSettings
from domain.promises.ports import PromiseChange
from domain.services.base import clean_text, named_open_debts
from domain.snapshot import snapshot

MAX_DEBTS = 20
MAX_OFFLINE_AGE = timedelta(days=7)
"""A promise taken offline is accepted up to this long after the device recorded it."""
CLOCK_SKEW = timedelta(minutes=10)
"""A device clock this far ahead of ours is still believed."""


@dataclass
class PromiseInput:
    debtor_id: str
    debt_ids: list[str]
    amount: Decimal | str
    currency: str
    promised_date: date
    channel: Channel
    idempotency_key: str
    recorded_at: datetime | None = None
    note: str | None = None


@dataclass
class PromiseResult:
    promise: Promise
    replayed: bool


def fingerprint(data: PromiseInput) -> str:
    canonical = json.dumps(
        [
            data.debtor_id,
            sorted(set(data.debt_ids)),
            str(data.amount),
            data.currency.strip().upper(),
            data.promised_date.isoformat(),
            data.channel.value,
            data.recorded_at.isoformat() if data.recorded_at else None,
            data.note,
        ],
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class PromiseTaking(PromiseBase):
    def create(self, principal: Principal, data: PromiseInput) -> PromiseResult:
        """Take a promise once per idempotency key; a replay returns the first result, writing nothing."""
        principal.require(Action.PROMISE_CREATE)
        key = clean_text(data.idempotency_key, "idempotencyKey", required=True, max_len=200) or ""
        result = self.retrying(lambda: self._create(principal, data, key, fingerprint(data)))
        if not result.replayed:
            change = PromiseChange.CREATED if result.promise.pending else CHANGE_OF[result.promise.status]
            self._tell(result.promise, change)
        return result

    def _replay(self, principal: Principal, claim: Claim, print_: str) -> PromiseResult:
        if claim.fingerprint != print_:
            raise DomainError(
                ErrorCode.IDEMPOTENCY_KEY_REUSED,
                "this idempotency key was used for a different promise",
                "idempotencyKey",
            )
        debtor_id, promise_id = claim.target.split("/", 1)
        self._visible_debtor(principal, debtor_id)
        promise = self.store.get_promise(principal.tenant, debtor_id, promise_id)
        if promise is None:
            raise NotFound("promise")
        return PromiseResult(promise, replayed=True)

    def _create(self, principal: Principal, data: PromiseInput, key: str, print_: str) -> PromiseResult:
        tenant = principal.tenant
        claim = self.repo.get_claim(tenant, ClaimKind.PROMISE_IDEMPOTENCY_KEY, key)
        if claim is not None:
            return self._replay(principal, claim, print_)
        debtor = self._visible_debtor(principal, data.debtor_id)
        settings = self.store.get_settings(tenant)
        currency = validate_currency(data.currency)
        amount = positive_amount(data.amount, currency)
        debts = self._debts(tenant, debtor, data.debt_ids, currency)
        balance = sum((d.balance for d in debts), Decimal(0))
        if amount > balance:
            raise DomainError(
                ErrorCode.PROMISE_AMOUNT_EXCEEDS_BALANCE,
                f"the promised debts owe {balance} {currency}",
                "amount",
            )
        now = self.now()
        recorded_at = self._recorded_at(data.recorded_at, now)
        taken_day = local_date(recorded_at, debtor.time_zone)
        last_day = taken_day + timedelta(days=settings.horizon_days)
        if not taken_day <= data.promised_date <= last_day:
            raise DomainError(
                ErrorCode.PROMISE_DATE_OUT_OF_RANGE,
                f"the promised date must be between {taken_day} and {last_day}",
                "promisedDate",
            )
        taken = self.repo.get_claims(tenant, ClaimKind.PROMISE_PENDING_DEBT, [d.id for d in debts])
        if taken:
            raise DomainError(
                ErrorCode.PROMISE_ALREADY_PENDING,
                f"debt {sorted(taken)[0]} already has a pending promise",
                "debtIds",
            )
        approved_by = self._approval(principal, debtor, settings, now)
        promise = Promise(
            tenant=tenant,
            id=self.deps.ids.new_id(),
            debtor_id=debtor.id,
            debt_ids=[d.id for d in debts],
            amount=amount,
            currency=currency,
            promised_date=data.promised_date,
            deadline=rules.deadline_of(data.promised_date, settings.grace_days, debtor.time_zone),
            channel=data.channel,
            agent_id=principal.agent_id if principal.is_agent else debtor.assigned_agent_id,
            created_by=principal.sub,
            approved_by=approved_by,
            note=clean_text(data.note, "note", max_len=2000),
            idempotency_key=key,
            recorded_at=recorded_at,
            time_zone=debtor.time_zone,
            portfolio_ids=sorted({d.portfolio_id for d in debts}),
            created_at=now,
            updated_at=now,
        )
        promise.kept_amount = rules.kept_amount(
            promise, self.store.payments_since(tenant, debtor.id, promise.taken_at)
        )
        promise.status = rules.verdict(promise, promise.kept_amount, now)
        tx = Transaction()
        tx.save(promise)
        tx.claims.append(Claim(ClaimKind.PROMISE_IDEMPOTENCY_KEY, key, f"{debtor.id}/{promise.id}", print_))
        if promise.pending:
            for debt in debts:
                tx.claims.append(Claim(ClaimKind.PROMISE_PENDING_DEBT, debt.id, f"{debtor.id}/{promise.id}"))
                self._pause(tx, debt, debtor, promise.deadline, now)
        else:
            promise.closed_at = now
        self.audit(tx, principal, "Promise", promise.id, "promiseCreate", None, snapshot(promise))
        self._emit(tx, promise, PromiseChange.CREATED)
        if not promise.pending:  # taken offline after payments already judged it
            self._emit(tx, promise, CHANGE_OF[promise.status])
        try:
            self.repo.commit(tenant, tx)
        except UniquenessConflict as conflict:
            if conflict.claim.startswith(ClaimKind.PROMISE_PENDING_DEBT.value):
                raise DomainError(
                    ErrorCode.PROMISE_ALREADY_PENDING, "a debt already has a pending promise", "debtIds"
                ) from None
            claim = self.repo.get_claim(tenant, ClaimKind.PROMISE_IDEMPOTENCY_KEY, key)
            if claim is None:
                raise
            return self._replay(principal, claim, print_)
        return PromiseResult(promise, replayed=False)

    def _debts(self, tenant: str, debtor: Debtor, debt_ids: list[str], currency: str) -> list[Debt]:
        def read(ids: list[str]) -> dict[str, Debt]:
            return {k[1]: d for k, d in self.repo.get_debts(tenant, [(debtor.id, i) for i in ids]).items()}

        debts = []
        for where, debt in named_open_debts(debt_ids, read, noun="a promise", most=MAX_DEBTS):
            if debt.plan_id is not None:  # its instalments are the promise already
                raise DomainError(ErrorCode.PLAN_ALREADY_ACTIVE, "the debt is in a payment plan", where)
            if debt.currency != currency:
                raise DomainError(ErrorCode.CURRENCY_MISMATCH, f"debt is in {debt.currency}", "currency")
            debts.append(debt)
        return debts

    def _recorded_at(self, recorded_at: datetime | None, now: datetime) -> datetime:
        if recorded_at is None:
            return now
        if recorded_at.tzinfo is None:
            raise DomainError(ErrorCode.INVALID_DATE, "recordedAt needs a UTC offset", "recordedAt")
        if recorded_at > now + CLOCK_SKEW:
            raise DomainError(ErrorCode.INVALID_DATE, "recordedAt is in the future", "recordedAt")
        if recorded_at < now - MAX_OFFLINE_AGE:
            raise DomainError(ErrorCode.INVALID_DATE, "recordedAt is more than 7 days ago", "recordedAt")
        return min(recorded_at, now)

    def _approval(
        self, principal: Principal, debtor: Debtor, settings: PromiseSettings, now: datetime
    ) -> str | None:
        if settings.broken_threshold <= 0:
            return None
        since = now - timedelta(days=settings.broken_window_days)
        broken = rules.broken_since(self._all_of_debtor(principal.tenant, debtor.id), since)
        if broken < settings.broken_threshold:
            return None
        if principal.is_agent:
            raise DomainError(
                ErrorCode.SUPERVISOR_APPROVAL_REQUIRED,
                f"the debtor broke {broken} promises in {settings.broken_window_days} days: "
                "a supervisor must take this one",
                "debtorId",
            )
        return principal.sub


class SyncOutcome(StrEnum):
    CREATED = "CREATED"
    EXISTING = "EXISTING"
    """The idempotency key was seen before: the promise it created is returned, nothing is written."""
    FAILED = "FAILED"


@dataclass
class SyncResult:
    idempotency_key: str
    outcome: SyncOutcome
    promise: Promise | None = None
    errors: list[FieldError] = field(default_factory=list)


MAX_SYNC_ITEMS = 50


class PromiseSync(PromiseTaking):
    def sync(self, principal: Principal, items: list[PromiseInput | DomainError]) -> list[SyncResult]:
        """A batch a phone took offline: each item is taken on its own (its own result, its own
        errors); a retried batch finds every key already used and writes nothing twice. An item
        the caller could not even read arrives as its DomainError and fails alone."""
        principal.require(Action.PROMISE_CREATE)
        if len(items) > MAX_SYNC_ITEMS:
            raise DomainError(ErrorCode.TOO_MANY_ROWS, f"at most {MAX_SYNC_ITEMS} promises per sync", "items")
        results: list[SyncResult] = []
        for n, item in enumerate(items):
            key = item.idempotency_key if isinstance(item, PromiseInput) else ""
            try:
                if isinstance(item, DomainError):
                    raise item
                result = self.create(principal, item)
            except DomainError as err:
                errors = [
                    FieldError(e.code, e.message, f"items[{n}].{e.field}" if e.field else f"items[{n}]")
                    for e in err.errors
                ]
                results.append(SyncResult(key, SyncOutcome.FAILED, None, errors))
                continue
            outcome = SyncOutcome.EXISTING if result.replayed else SyncOutcome.CREATED
            results.append(SyncResult(key, outcome, result.promise))
        return results
