"""Every promise event a partner receives matches its published schema (schema/events/Promise*), and
each change emits its event exactly once: written with the change, never by a replay or a re-run."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from domain.entities import DomainEvent, PaymentMethod
from domain.errors import DomainError, ErrorCode
from domain.event_catalogue import EVENT_TYPES, envelope
from domain.principal import Principal
from domain.promises.events import PROMISE_EVENT_TYPES
from domain.promises.listeners import PromisePaymentListener
from domain.promises.model import PromiseStatus
from domain.promises.service import Promises, SyncOutcome
from domain.promises.sweeper import PromiseSweeper
from domain.services.base import Deps
from domain.services.payments import AllocationInput, PaymentInput
from tests.fakes import InMemoryLedgerRepository
from tests.unit.promises.conftest import World
from tests.unit.test_event_schemas import ConflictingRepo, errors_of


@pytest.fixture(autouse=True)
def listening(world: World) -> None:
    world.ledger.payments.observer = PromisePaymentListener(world.promises)


def pay(world: World, who: Principal, amount: str, key: str, debt_id: str) -> str:
    data = PaymentInput(
        debtor_id=world.debtor.id,
        amount=amount,
        currency="PEN",
        method=PaymentMethod.CASH,
        idempotency_key=key,
        allocations=[AllocationInput(debt_id, amount)],
    )
    return world.ledger.payments.record(who, data).payment.id


def promise_events(repo: InMemoryLedgerRepository) -> list[DomainEvent]:
    return [e for e in repo.events if e.type in PROMISE_EVENT_TYPES]


def schema_problems(events: list[DomainEvent]) -> list[str]:
    problems = []
    for event in events:
        wire = json.loads(json.dumps(envelope(event)))  # what the publisher puts on the bus
        problems += [f"{event.type}: {m}" for m in errors_of(event.type, wire, event.version)]
    return problems


def test_every_promise_change_emits_one_valid_event(
    world: World, agent: Principal, supervisor: Principal, admin: Principal, repo: InMemoryLedgerRepository
) -> None:
    debt, other = world.debt.id, world.other_debt.id
    # kept by a payment, reopened by its reversal before the deadline, kept again
    kept = world.promises.create(agent, world.input("a")).promise
    bounced = pay(world, agent, "300.00", "p1", debt)
    world.ledger.payments.reverse(supervisor, world.debtor.id, bounced, "Check bounced")
    pay(world, agent, "300.00", "p2", debt)
    # cancelled with a reason
    cancelled = world.promises.create(agent, world.input("b", debt_ids=[other], amount="50.00")).promise
    world.promises.cancel(agent, world.debtor.id, cancelled.id, "Asked for a plan instead")
    # partly paid, and unpaid: the sweep judges both at the deadline
    partial = world.promises.create(agent, world.input("c", debt_ids=[other])).promise
    pay(world, agent, "120.00", "p3", other)  # keptAmount moves; no event until it is judged
    world.clock.advance(timedelta(minutes=1))  # after the payments to the debt
    broken = world.promises.create(agent, world.input("d")).promise
    world.clock.set(broken.deadline)
    summary = PromiseSweeper(world.promises).run(["acme"])
    assert summary.outcomes == {"PARTIALLY_KEPT": 1, "BROKEN": 1}

    events = promise_events(repo)
    assert {e.type for e in events} == PROMISE_EVENT_TYPES <= EVENT_TYPES
    assert [(e.type, e.aggregate_id) for e in events] == [
        ("PromiseCreated", kept.id),
        ("PromiseKept", kept.id),
        ("PromiseReopened", kept.id),
        ("PromiseKept", kept.id),
        ("PromiseCreated", cancelled.id),
        ("PromiseCancelled", cancelled.id),
        ("PromiseCreated", partial.id),
        ("PromiseCreated", broken.id),
        ("PromisePartiallyKept", partial.id),
        ("PromiseBroken", broken.id),
    ]
    assert schema_problems(events) == []
    data = [(e.type, e.data["status"], e.data["keptAmount"], e.data["closedAt"] is None) for e in events]
    assert data == [
        ("PromiseCreated", "PENDING", "0.00", True),
        ("PromiseKept", "KEPT", "300.00", False),
        ("PromiseReopened", "PENDING", "0.00", True),
        ("PromiseKept", "KEPT", "300.00", False),
        ("PromiseCreated", "PENDING", "0.00", True),
        ("PromiseCancelled", "CANCELLED", "0.00", False),
        ("PromiseCreated", "PENDING", "0.00", True),
        ("PromiseCreated", "PENDING", "0.00", True),
        ("PromisePartiallyKept", "PARTIALLY_KEPT", "120.00", False),
        ("PromiseBroken", "BROKEN", "0.00", False),
    ]
    [cancel] = [e for e in events if e.type == "PromiseCancelled"]
    assert cancel.data["reason"] == "Asked for a plan instead"
    assert all("reason" not in e.data for e in events if e.type != "PromiseCancelled")
    first = events[0].data
    assert first == {
        "promiseId": kept.id,
        "debtorId": world.debtor.id,
        "debtIds": [debt],
        "amount": "300.00",
        "currency": "PEN",
        "promisedDate": "2026-03-20",
        "deadline": "2026-03-23T05:00:00.000000Z",
        "status": "PENDING",
        "keptAmount": "0.00",
        "channel": "CALL",
        "agentId": "ag-1",
        "createdAt": "2026-03-15T15:00:00.000000Z",
        "recordedAt": "2026-03-15T15:00:00.000000Z",
        "closedAt": None,
    }

    # a re-run sweep, and evaluating again, judge nothing twice
    assert PromiseSweeper(world.promises).run(["acme"]).judged == 0
    world.clock.advance(timedelta(days=1))
    assert PromiseSweeper(world.promises).run(["acme"]).judged == 0
    assert world.promises.evaluate_debtor(admin, world.debtor.id) == []
    assert len(promise_events(repo)) == len(events)


def test_a_replayed_create_and_a_retried_sync_emit_nothing_more(
    world: World, agent: Principal, repo: InMemoryLedgerRepository
) -> None:
    first = world.promises.create(agent, world.input("k-1")).promise
    assert world.promises.create(agent, world.input("k-1")).replayed
    items = [world.input("k-1"), world.input("k-2", debt_ids=[world.other_debt.id], amount="50.00")]
    runs = [world.promises.sync(agent, items) for _ in range(3)]
    assert [r.outcome for r in runs[0]] == [SyncOutcome.EXISTING, SyncOutcome.CREATED]
    assert {r.outcome for run in runs[1:] for r in run} == {SyncOutcome.EXISTING}
    synced = runs[0][1].promise
    assert synced is not None
    events = promise_events(repo)
    assert [(e.type, e.aggregate_id) for e in events] == [
        ("PromiseCreated", first.id),
        ("PromiseCreated", synced.id),
    ]
    assert schema_problems(events) == []


def test_a_promise_taken_offline_after_the_payment_is_created_and_kept_in_one_change(
    world: World, agent: Principal, repo: InMemoryLedgerRepository
) -> None:
    # GIVEN an agent who took a promise on a phone, offline, and the debtor paid before it synced
    taken = world.clock.now() - timedelta(hours=2)
    pay(world, agent, "300.00", "p1", world.debt.id)
    world.clock.advance(timedelta(hours=1))
    commits = repo.commits
    # WHEN the promise syncs
    [result] = world.promises.sync(agent, [world.input("phone-1", recorded_at=taken)])
    # THEN it is created kept, and the one commit carries both events with the same instant
    assert result.promise is not None and result.promise.status is PromiseStatus.KEPT
    assert repo.commits == commits + 1
    events = promise_events(repo)
    assert [e.type for e in events] == ["PromiseCreated", "PromiseKept"]
    assert events[0].occurred_at == events[1].occurred_at
    assert events[0].data == events[1].data
    assert (events[0].data["status"], events[0].data["keptAmount"]) == ("KEPT", "300.00")
    assert events[0].data["recordedAt"] == "2026-03-15T13:00:00.000000Z"
    assert events[0].data["createdAt"] == "2026-03-15T16:00:00.000000Z"
    assert schema_problems(events) == []


def test_a_change_whose_commit_fails_leaves_no_promise_event(
    world: World, agent: Principal, admin: Principal, repo: InMemoryLedgerRepository
) -> None:
    # GIVEN use cases whose commits always lose a race (each attempt must carry its event)
    conflicting = ConflictingRepo(repo)
    deps = world.ledger.deps
    failing = Promises(Deps(conflicting, deps.clock, deps.ids), world.store)
    before = list(repo.events)
    # WHEN a promise is taken, one cancelled and one judged at its deadline
    with pytest.raises(DomainError) as exc:
        failing.create(agent, world.input("c"))
    assert exc.value.code is ErrorCode.CONFLICT
    judged = world.promises.create(agent, world.input("a")).promise
    cancelled = world.promises.create(agent, world.input("b", debt_ids=[world.other_debt.id])).promise
    before = list(repo.events)
    world.clock.set(judged.deadline)
    attempts = [
        lambda: failing.cancel(agent, world.debtor.id, cancelled.id, None),
        lambda: failing.evaluate(admin, world.debtor.id, judged.id),
    ]
    for attempt in attempts:
        with pytest.raises(DomainError) as exc:
            attempt()
        assert exc.value.code is ErrorCode.CONFLICT
    # THEN each tried to commit its event with its change, and none was written
    assert conflicting.attempts >= 3
    assert repo.events == before
