"""Making a payment plan: validated, idempotent per key, holding the covered debts IN_PLAN."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from domain.clock import local_date
from domain.entities import Debt, Debtor
from domain.errors import DomainError, ErrorCode, NotFound, UniquenessConflict
from domain.money import to_amount
from domain.plans import rules
from domain.plans.base import EVENT_OF, PlanBase, plan_event_data
from domain.plans.model import Frequency, Instalment, PaymentPlan, PlanSettings
from domain.plans.ports import PlanChange
from domain.ports import Claim, ClaimKind, Transaction
from domain.principal import Action, Principal
from domain.services.base import clean_text, named_open_debts
from domain.snapshot import snapshot

MAX_DEBTS = 20


@dataclass
class PlanInput:
    debtor_id: str
    debt_ids: list[str]
    instalments: int
    frequency: Frequency
    first_due_date: date
    idempotency_key: str
    down_payment: Decimal | str | None = None
    note: str | None = None


@dataclass
class PlanResult:
    plan: PaymentPlan
    replayed: bool


def fingerprint(data: PlanInput) -> str:
    canonical = json.dumps(
        [
            data.debtor_id,
            sorted(set(data.debt_ids)),
            data.instalments,
            data.frequency.value,
            data.first_due_date.isoformat(),
            str(data.down_payment) if data.down_payment is not None else None,
            data.note,
        ],
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class PlanCreation(PlanBase):
    def create(self, principal: Principal, data: PlanInput) -> PlanResult:
        """Make a plan once per idempotency key; a replay returns the first result, writing nothing."""
        principal.require(Action.PLAN_CREATE)
        key = clean_text(data.idempotency_key, "idempotencyKey", required=True, max_len=200) or ""
        result = self.retrying(lambda: self._create(principal, data, key, fingerprint(data)))
        if not result.replayed:
            self._tell(result.plan, PlanChange.CREATED)
        return result

    def _replay(self, principal: Principal, claim: Claim, print_: str) -> PlanResult:
        if claim.fingerprint != print_:
            raise DomainError(
                ErrorCode.IDEMPOTENCY_KEY_REUSED,
                "this idempotency key was used for a different plan",
                "idempotencyKey",
            )
        debtor_id, plan_id = claim.target.split("/", 1)
        self._visible_debtor(principal, debtor_id)
        plan = self.store.get_plan(principal.tenant, debtor_id, plan_id)
        if plan is None:
            raise NotFound("plan")
        return PlanResult(plan, replayed=True)

    def _create(self, principal: Principal, data: PlanInput, key: str, print_: str) -> PlanResult:
        tenant = principal.tenant
        claim = self.repo.get_claim(tenant, ClaimKind.PLAN_IDEMPOTENCY_KEY, key)
        if claim is not None:
            return self._replay(principal, claim, print_)
        debtor = self._visible_debtor(principal, data.debtor_id)
        settings = self.store.get_settings(tenant)
        debts = self._debts(tenant, debtor, data.debt_ids)
        currency = debts[0].currency
        now = self.now()
        today = local_date(now, debtor.time_zone)
        plan = PaymentPlan(
            tenant=tenant,
            id=self.deps.ids.new_id(),
            debtor_id=debtor.id,
            debt_ids=[d.id for d in debts],
            currency=currency,
            total=sum((d.balance for d in debts), Decimal(0)),
            down_payment=to_amount(data.down_payment or 0, currency, "downPayment"),
            frequency=data.frequency,
            first_due_date=data.first_due_date,
            instalments=[],
            grace_days=settings.grace_days,
            time_zone=debtor.time_zone,
            baseline_paid={d.id: d.paid_total for d in debts},
            agent_id=principal.agent_id if principal.is_agent else debtor.assigned_agent_id,
            created_by=principal.sub,
            idempotency_key=key,
            portfolio_ids=sorted({d.portfolio_id for d in debts}),
            note=clean_text(data.note, "note", max_len=2000),
            created_at=now,
            updated_at=now,
        )
        plan.instalments = self._schedule(plan, data.instalments, settings, today)
        tx = Transaction()
        tx.save(plan)
        tx.claims.append(Claim(ClaimKind.PLAN_IDEMPOTENCY_KEY, key, f"{debtor.id}/{plan.id}", print_))
        for debt in debts:
            tx.claims.append(Claim(ClaimKind.PLAN_ACTIVE_DEBT, debt.id, f"{debtor.id}/{plan.id}"))
            self._hold(tx, debt, plan)
        self.audit(tx, principal, "PaymentPlan", plan.id, "paymentPlanCreate", None, snapshot(plan))
        self.event(tx, tenant, EVENT_OF[plan.status], plan.id, plan_event_data(plan))
        try:
            self.repo.commit(tenant, tx)
        except UniquenessConflict as conflict:
            if conflict.claim.startswith(ClaimKind.PLAN_ACTIVE_DEBT.value):
                raise DomainError(
                    ErrorCode.PLAN_ALREADY_ACTIVE, "a debt is already in an active plan", "debtIds"
                ) from None
            claim = self.repo.get_claim(tenant, ClaimKind.PLAN_IDEMPOTENCY_KEY, key)
            if claim is None:
                raise
            return self._replay(principal, claim, print_)
        return PlanResult(plan, replayed=False)

    def _schedule(
        self, plan: PaymentPlan, count: int, settings: PlanSettings, today: date
    ) -> list[Instalment]:
        if not 1 <= count <= settings.max_instalments:
            raise DomainError(
                ErrorCode.PLAN_TOO_MANY_INSTALMENTS,
                f"a plan has 1 to {settings.max_instalments} instalments",
                "instalments",
            )
        last_day = today + timedelta(days=settings.max_first_due_days)
        if not today <= plan.first_due_date <= last_day:
            raise DomainError(
                ErrorCode.PLAN_DATE_OUT_OF_RANGE,
                f"the first due date must be between {today} and {last_day}",
                "firstDueDate",
            )
        if plan.down_payment < 0:
            raise DomainError(ErrorCode.INVALID_AMOUNT, "the down payment cannot be negative", "downPayment")
        if plan.down_payment >= plan.total:
            raise DomainError(
                ErrorCode.PLAN_DOWN_PAYMENT_TOO_LARGE,
                f"the down payment must be below the balance of {plan.total} {plan.currency}",
                "downPayment",
            )
        instalments = rules.schedule(
            plan.total, plan.down_payment, count, plan.frequency, plan.first_due_date, today, plan.currency
        )
        if any(i.amount <= 0 for i in instalments):
            raise DomainError(
                ErrorCode.PLAN_INSTALMENT_TOO_SMALL,
                f"{plan.total - plan.down_payment} {plan.currency} cannot be split into {count} instalments",
                "instalments",
            )
        return instalments

    def _debts(self, tenant: str, debtor: Debtor, debt_ids: list[str]) -> list[Debt]:
        """The covered debts, read strongly consistent (their versions guard the plan's commit)."""

        def read(ids: list[str]) -> dict[str, Debt]:
            return {d.id: d for d in self.repo.debts_of_debtor(tenant, debtor.id)}

        debts: list[Debt] = []
        for field, debt in named_open_debts(debt_ids, read, noun="a plan", most=MAX_DEBTS):
            if debt.plan_id is not None:
                raise DomainError(
                    ErrorCode.PLAN_ALREADY_ACTIVE, "the debt is already in an active plan", field
                )
            if debt.paused_until is not None:
                raise DomainError(
                    ErrorCode.PROMISE_ALREADY_PENDING,
                    "the debt has a pending promise: cancel it first",
                    field,
                )
            if debts and debt.currency != debts[0].currency:
                raise DomainError(ErrorCode.CURRENCY_MISMATCH, f"debt is in {debt.currency}", field)
            debts.append(debt)
        return debts
