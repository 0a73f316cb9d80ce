"""After a plan is made: payments fill the instalments in order (recomputed, never incremented),
paying everything completes it, an instalment unpaid past grace breaks it, cancelling ends it; the
debts go back to collection with their remaining balance."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from domain.entities import DebtState, DebtStatus
from domain.errors import DomainError
from domain.ledger import debt_status
from domain.plans.model import InstalmentStatus as S
from domain.plans.model import PlanStatus
from domain.plans.ports import PlanChange
from domain.ports import ClaimKind, PageRequest, PaymentQuery
from domain.principal import Principal
from tests.unit.plans.conftest import World

D = Decimal
# Instalment 1 is due 2026-04-01; with 5 grace days it is missed at the end of 2026-04-06 in Lima.
DEADLINE = datetime(2026, 4, 7, 5, 0, tzinfo=UTC)


def statuses(world: World, plan_id: str) -> list[tuple[str, S]]:
    plan = world.store.get_plan("acme", world.debtor.id, plan_id)
    assert plan is not None
    return [(str(i.paid), i.status) for i in plan.instalments]


def test_payments_fill_the_instalments_in_order(world: World, agent: Principal) -> None:
    plan = world.plans.create(agent, world.input()).plan
    world.pay(agent, "400.00", "p1", world.debt.id)
    assert statuses(world, plan.id) == [("333.33", S.PAID), ("66.67", S.PARTIALLY_PAID), ("0.00", S.PENDING)]
    assert world.reload(plan).paid == D("400.00") and world.reload(plan).status is PlanStatus.ACTIVE
    assert world.observer.changes[-1] == (plan.id, PlanChange.PAID)
    # a replayed payment request changes nothing more
    version = world.reload(plan).version
    world.pay(agent, "400.00", "p1", world.debt.id)
    world.plans.evaluate_debtor(agent, world.debtor.id)
    assert world.reload(plan).version == version


def test_an_unallocated_payment_goes_to_the_plan_before_older_debts(world: World, agent: Principal) -> None:
    plan = world.plans.create(agent, world.input(debt_ids=[world.other_debt.id])).plan  # due after X-1
    world.pay(agent, "100.00", "p1")
    assert world.debt_now(world.other_debt.id).paid_total == D("100.00")
    assert world.debt_now(world.debt.id).paid_total == 0
    assert world.reload(plan).paid == D("100.00")


def test_paying_everything_completes_the_plan_and_releases_the_debts(world: World, agent: Principal) -> None:
    plan = world.plans.create(agent, world.input()).plan
    world.pay(agent, "1000.00", "p1", world.debt.id)
    done = world.reload(plan)
    assert done.status is PlanStatus.COMPLETED and done.closed_at is not None
    assert [i.status for i in done.instalments] == [S.PAID] * 3
    debt = world.debt_now(world.debt.id)
    assert debt.plan_id is None and debt.state is DebtState.PAID
    assert world.repo.get_claim("acme", ClaimKind.PLAN_ACTIVE_DEBT, world.debt.id) is None
    assert [e.data["status"] for e in world.repo.events_of("acme", "PaymentPlanCompleted")] == ["COMPLETED"]
    assert world.observer.changes[-1] == (plan.id, PlanChange.COMPLETED)
    # a new plan may cover the other debt; the paid one is no longer open
    world.plans.create(agent, world.input("k-2", debt_ids=[world.other_debt.id]))


def test_an_instalment_unpaid_past_grace_breaks_the_plan_and_the_debt_returns_to_collection(
    world: World, agent: Principal, admin: Principal
) -> None:
    plan = world.plans.create(agent, world.input()).plan
    world.pay(agent, "300.00", "p1", world.debt.id)  # short of the first instalment
    world.clock.set(DEADLINE - timedelta(seconds=1))
    assert world.plans.evaluate(admin, world.debtor.id, plan.id) is None
    world.clock.set(DEADLINE)
    broken = world.plans.evaluate(admin, world.debtor.id, plan.id)
    assert broken is not None and broken.status is PlanStatus.BROKEN and broken.closed_at == DEADLINE
    assert [i.status for i in broken.instalments] == [S.MISSED, S.PENDING, S.PENDING]
    debt = world.debt_now(world.debt.id)
    assert debt.plan_id is None and debt.next_action is None and debt.updated_at == DEADLINE
    assert debt.balance == D("700.00") and debt_status(debt, date(2026, 4, 7)) is DebtStatus.OVERDUE
    assert world.repo.get_claim("acme", ClaimKind.PLAN_ACTIVE_DEBT, world.debt.id) is None
    [event] = world.repo.events_of("acme", "PaymentPlanBroken")
    assert event.data["paidAmount"] == "300.00" and event.data["instalments"][0]["status"] == "MISSED"
    assert world.observer.changes[-1] == (plan.id, PlanChange.BROKEN)
    # a closed plan is not evaluated again, and payments afterwards leave it as it is
    world.pay(agent, "100.00", "p2", world.debt.id)
    assert world.reload(plan).paid == D("300.00")


def test_a_late_payment_within_grace_keeps_the_plan(world: World, agent: Principal, admin: Principal) -> None:
    plan = world.plans.create(agent, world.input()).plan
    world.clock.set(DEADLINE - timedelta(days=2))
    world.pay(agent, "333.33", "p1", world.debt.id)
    world.clock.set(DEADLINE + timedelta(days=1))
    world.plans.evaluate_debtor(admin, world.debtor.id)
    assert world.reload(plan).status is PlanStatus.ACTIVE
    assert statuses(world, plan.id)[0] == ("333.33", S.PAID)


def test_a_reversal_unpays_the_instalments(world: World, agent: Principal, admin: Principal) -> None:
    plan = world.plans.create(agent, world.input()).plan
    world.pay(agent, "333.33", "p1", world.debt.id)
    [payment] = world.ledger.payments.list(
        admin, PaymentQuery(debtor_id=world.debtor.id), PageRequest()
    ).items
    world.ledger.payments.reverse(admin, world.debtor.id, payment.id, "bounced")
    assert statuses(world, plan.id)[0] == ("0.00", S.PENDING)


def test_cancelling_returns_the_debts_to_collection_once(world: World, agent: Principal) -> None:
    plan = world.plans.create(agent, world.input(debt_ids=[world.debt.id, world.other_debt.id])).plan
    world.pay(agent, "50.00", "p1", world.debt.id)
    cancelled = world.plans.cancel(agent, world.debtor.id, plan.id, "  debtor asked  ")
    assert cancelled.status is PlanStatus.CANCELLED and cancelled.cancel_reason == "debtor asked"
    assert cancelled.paid == D("50.00")
    for debt_id in plan.debt_ids:
        debt = world.debt_now(debt_id)
        assert debt.plan_id is None and debt.next_action is None
    [event] = world.repo.events_of("acme", "PaymentPlanCancelled")
    assert event.data["reason"] == "debtor asked"
    assert [a.action for a in world.repo.audits if a.entity_id == plan.id] == [
        "paymentPlanCreate",
        "paymentPlanCancel",
    ]
    with pytest.raises(DomainError) as err:
        world.plans.cancel(agent, world.debtor.id, plan.id, None)
    assert err.value.code.value == "INVALID_STATE"
