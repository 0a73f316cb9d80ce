"""The demo tenant's payment plan: one open debt of the demo agent's split into three monthly
instalments, the first due a week after seeding, so a newcomer sees a plan, its IN_PLAN debt and
the instalment reminders planned (the demo campaign has an INSTALMENT_DUE step). Idempotent: the
plan's idempotency key is fixed, and an existing one is returned as it is."""

from __future__ import annotations

from datetime import timedelta

from domain.clock import local_date
from domain.entities import DebtState
from domain.plans.model import Frequency, PaymentPlan
from domain.plans.service import PaymentPlans, PlanInput
from domain.ports import ClaimKind, DebtQuery, PageRequest
from domain.principal import Principal, Role
from infra.seed import TENANT

KEY = "demo-plan-1"
AGENT = "ag-lucia"


def seed_demo_plan(plans: PaymentPlans) -> PaymentPlan | None:
    """The demo plan (made once); None when the demo agent has no open debt to plan."""
    repo = plans.repo
    claim = repo.get_claim(TENANT, ClaimKind.PLAN_IDEMPOTENCY_KEY, KEY)
    if claim is not None:
        debtor_id, plan_id = claim.target.split("/", 1)
        return plans.store.get_plan(TENANT, debtor_id, plan_id)
    page = repo.list_debts(TENANT, DebtQuery(agent_id=AGENT, state=DebtState.OPEN), PageRequest(50))
    debt = next((d for d in page.items if d.plan_id is None and d.paused_until is None), None)
    if debt is None:
        return None
    debtor = repo.get_debtor(TENANT, debt.debtor_id)
    if debtor is None:
        return None
    supervisor = Principal(sub="seed", tenant=TENANT, role=Role.SUPERVISOR)
    first_due = local_date(plans.now(), debtor.time_zone) + timedelta(days=7)
    data = PlanInput(
        debtor_id=debtor.id,
        debt_ids=[debt.id],
        instalments=3,
        frequency=Frequency.MONTHLY,
        first_due_date=first_due,
        idempotency_key=KEY,
        note="Acordado por teléfono (demo)",
    )
    return plans.create(supervisor, data).plan
