"""Payments keep promises at once; the deadline breaks them; reversals reopen them; races converge."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from domain.entities import Payment, PaymentMethod
from domain.errors import DomainError
from domain.ports import ClaimKind
from domain.principal import Principal
from domain.promises.listeners import PromisePaymentListener
from domain.promises.model import Promise, PromiseStatus
from domain.promises.ports import PromiseChange
from domain.services.payment_events import NoPaymentObserver
from domain.services.payments import AllocationInput, PaymentInput
from tests.fakes import InMemoryLedgerRepository
from tests.unit.promises.conftest import World


@pytest.fixture(autouse=True)
def listening(world: World) -> None:
    world.ledger.payments.observer = PromisePaymentListener(world.promises)


def pay(world: World, who: Principal, amount: str, key: str, debt_id: str | None = None) -> str:
    data = PaymentInput(
        debtor_id=world.debtor.id,
        amount=amount,
        currency="PEN",
        method=PaymentMethod.CASH,
        idempotency_key=key,
        allocations=[AllocationInput(debt_id or world.debt.id, amount)],
    )
    return world.ledger.payments.record(who, data).payment.id


def reload(world: World, promise: Promise) -> Promise:
    found = world.store.get_promise("acme", promise.debtor_id, promise.id)
    assert found is not None
    return found


def test_a_payment_reaching_the_amount_keeps_the_promise_at_once(
    world: World, agent: Principal, repo: InMemoryLedgerRepository
) -> None:
    promise = world.promises.create(agent, world.input()).promise
    pay(world, agent, "100.00", "p1")
    assert reload(world, promise).status is PromiseStatus.PENDING
    assert reload(world, promise).kept_amount == Decimal("100.00")
    pay(world, agent, "200.00", "p2")
    kept = reload(world, promise)
    assert kept.status is PromiseStatus.KEPT and kept.kept_amount == Decimal("300.00")
    debt = repo.get_debt("acme", world.debtor.id, world.debt.id)
    assert debt is not None and debt.paused_until is None
    assert repo.get_claim("acme", ClaimKind.PROMISE_PENDING_DEBT, world.debt.id) is None
    assert world.observer.changes[-1] == (promise.id, PromiseChange.KEPT)
    # a replayed payment request changes nothing more
    pay(world, agent, "200.00", "p2")
    assert reload(world, promise).version == kept.version


def test_payments_to_other_debts_do_not_count(world: World, agent: Principal) -> None:
    promise = world.promises.create(agent, world.input()).promise
    pay(world, agent, "300.00", "p1", world.other_debt.id)
    assert reload(world, promise).kept_amount == 0


def test_the_deadline_breaks_an_unpaid_promise_and_judges_a_partial_one(
    world: World, agent: Principal, admin: Principal, repo: InMemoryLedgerRepository
) -> None:
    unpaid = world.promises.create(agent, world.input("a")).promise
    partial = world.promises.create(agent, world.input("b", debt_ids=[world.other_debt.id])).promise
    pay(world, agent, "120.00", "p1", world.other_debt.id)
    world.clock.set(unpaid.deadline - timedelta(seconds=1))
    assert world.promises.evaluate(admin, world.debtor.id, unpaid.id) is None
    world.clock.set(unpaid.deadline)
    assert world.promises.evaluate_debtor(admin, world.debtor.id)
    assert reload(world, unpaid).status is PromiseStatus.BROKEN
    assert reload(world, partial).status is PromiseStatus.PARTIALLY_KEPT
    assert reload(world, partial).kept_amount == Decimal("120.00")
    debt = repo.get_debt("acme", world.debtor.id, world.debt.id)
    assert debt is not None and debt.paused_until is None
    # a payment after the deadline does not mend a broken promise
    pay(world, agent, "300.00", "late")
    assert reload(world, unpaid).status is PromiseStatus.BROKEN


def test_a_reversal_reopens_a_kept_promise_before_its_deadline(
    world: World, agent: Principal, supervisor: Principal, repo: InMemoryLedgerRepository
) -> None:
    promise = world.promises.create(agent, world.input()).promise
    payment_id = pay(world, agent, "300.00", "p1")
    assert reload(world, promise).status is PromiseStatus.KEPT
    world.ledger.payments.reverse(supervisor, world.debtor.id, payment_id, "bounced")
    reopened = reload(world, promise)
    assert reopened.status is PromiseStatus.PENDING and reopened.kept_amount == 0
    debt = repo.get_debt("acme", world.debtor.id, world.debt.id)
    assert debt is not None and debt.paused_until == promise.deadline
    assert world.observer.changes[-1] == (promise.id, PromiseChange.REOPENED)


def test_a_reversal_after_the_deadline_breaks_the_kept_promise(
    world: World, agent: Principal, supervisor: Principal
) -> None:
    promise = world.promises.create(agent, world.input()).promise
    payment_id = pay(world, agent, "300.00", "p1")
    world.clock.set(promise.deadline + timedelta(days=1))
    world.ledger.payments.reverse(supervisor, world.debtor.id, payment_id, "bounced")
    assert reload(world, promise).status is PromiseStatus.BROKEN


def test_too_many_broken_promises_need_a_supervisor(
    world: World, agent: Principal, supervisor: Principal, admin: Principal
) -> None:
    for n in range(2):
        p = world.promises.create(agent, world.input(f"k{n}", day=world.clock.now().date())).promise
        world.clock.set(p.deadline)
        world.promises.evaluate_debtor(admin, world.debtor.id)
        assert reload(world, p).status is PromiseStatus.BROKEN
    day = world.clock.now().date() + timedelta(days=3)
    with pytest.raises(DomainError) as err:
        world.promises.create(agent, world.input("k3", day=day))
    assert err.value.code.value == "SUPERVISOR_APPROVAL_REQUIRED"
    accepted = world.promises.create(supervisor, world.input("k3", day=day)).promise
    assert accepted.approved_by == "u-super" and accepted.agent_id == "ag-1"
    world.promises.update_settings(admin, broken_threshold=0)
    world.promises.cancel(supervisor, world.debtor.id, accepted.id, None)
    assert world.promises.create(agent, world.input("k4", day=day)).promise.pending


def test_a_payment_committed_during_an_evaluation_leaves_the_right_state(
    world: World, agent: Principal, admin: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a pending promise, and the sweeper's evaluation at the deadline reading the payments
    promise = world.promises.create(agent, world.input()).promise
    world.clock.set(promise.deadline)
    original = world.store.payments_since
    reads: list[int] = []

    def racing(tenant: str, debtor_id: str, since: datetime) -> list[Payment]:
        seen = original(tenant, debtor_id, since)
        reads.append(len(seen))
        if len(reads) == 1:
            # WHEN a payment paid before the deadline commits right after that read (its own
            # evaluation not run yet: the observer is off for it)
            world.ledger.payments.observer = NoPaymentObserver()
            data = PaymentInput(
                world.debtor.id,
                "300.00",
                "PEN",
                PaymentMethod.TRANSFER,
                "racing",
                paid_at=promise.deadline - timedelta(minutes=5),
                allocations=[AllocationInput(world.debt.id, "300.00")],
            )
            world.ledger.payments.record(agent, data)
        return seen

    monkeypatch.setattr(world.store, "payments_since", racing)
    world.promises.evaluate(admin, world.debtor.id, promise.id)
    # THEN the stale "broken" verdict could not commit; the retry saw the payment: kept
    final = reload(world, promise)
    assert reads == [0, 1]
    assert final.status is PromiseStatus.KEPT and final.kept_amount == Decimal("300.00")
