"""Taking promises: rules with their error codes, idempotency, offline sync, the cadence pause."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.errors import DomainError
from domain.ports import ClaimKind, PageRequest
from domain.principal import Principal, Role
from domain.promises.model import PromiseStatus
from domain.promises.ports import PromiseChange, PromiseQuery
from domain.promises.service import SyncOutcome
from tests.fakes import InMemoryLedgerRepository
from tests.unit.promises.conftest import World


def codes(err: pytest.ExceptionInfo[DomainError]) -> list[tuple[str, str | None]]:
    return [(e.code.value, e.field) for e in err.value.errors]


def test_an_agent_takes_a_promise_for_its_debtor_and_the_debt_pauses(world: World, agent: Principal) -> None:
    # GIVEN the agent's debtor with an open debt; WHEN the agent takes a promise of 300.00 by Mar 20
    result = world.promises.create(agent, world.input())
    promise = result.promise
    # THEN it is pending until the end of Mar 22 in Lima (2 grace days), taken by the agent
    assert not result.replayed
    assert promise.status is PromiseStatus.PENDING
    assert promise.deadline == datetime(2026, 3, 23, 5, 0, tzinfo=UTC)
    assert (promise.agent_id, promise.created_by, str(promise.amount)) == ("ag-1", "u-agent", "300.00")
    assert promise.recorded_at == promise.created_at == world.clock.now()
    # AND the debt's cadence is paused until then, with the planner told to look again at that instant
    debt = world.ledger.deps.repo.get_debt("acme", world.debtor.id, world.debt.id)
    assert debt is not None and debt.paused_until == promise.deadline
    assert debt.next_action is not None and debt.next_action.at == promise.deadline
    assert not debt.next_action.campaign_id
    # AND the other debt is untouched, and the observer heard of it
    other = world.ledger.deps.repo.get_debt("acme", world.debtor.id, world.other_debt.id)
    assert other is not None and other.paused_until is None
    assert world.observer.changes == [(promise.id, PromiseChange.CREATED)]


def test_a_flaky_retry_creates_nothing_twice(
    world: World, agent: Principal, repo: InMemoryLedgerRepository
) -> None:
    first = world.promises.create(agent, world.input())
    commits = repo.commits
    again = world.promises.create(agent, world.input())
    assert again.replayed and again.promise.id == first.promise.id
    assert repo.commits == commits
    assert len(world.promises.of_debtor(agent, world.debtor.id, PageRequest()).items) == 1
    with pytest.raises(DomainError) as err:
        world.promises.create(agent, world.input(amount="250.00"))
    assert codes(err) == [("IDEMPOTENCY_KEY_REUSED", "idempotencyKey")]


def test_offline_sync_retried_three_times_creates_each_promise_once(
    world: World, agent: Principal, repo: InMemoryLedgerRepository
) -> None:
    recorded = world.clock.now() - timedelta(hours=20)
    items = [
        world.input("phone-1", recorded_at=recorded),
        world.input("phone-2", debt_ids=[world.other_debt.id], amount="50.00", recorded_at=recorded),
        world.input("phone-3", debt_ids=[world.other_debt.id], amount="9999.00"),
    ]
    runs = [world.promises.sync(agent, items) for _ in range(3)]
    assert [r.outcome for r in runs[0]] == [SyncOutcome.CREATED, SyncOutcome.CREATED, SyncOutcome.FAILED]
    for retry in runs[1:]:
        assert [r.outcome for r in retry] == [SyncOutcome.EXISTING, SyncOutcome.EXISTING, SyncOutcome.FAILED]
        assert [r.promise.id for r in retry[:2] if r.promise] == [
            r.promise.id for r in runs[0][:2] if r.promise
        ]
    assert [(e.code.value, e.field) for e in runs[2][2].errors] == [
        ("PROMISE_AMOUNT_EXCEEDS_BALANCE", "items[2].amount")
    ]
    stored = world.promises.of_debtor(agent, world.debtor.id, PageRequest()).items
    assert len(stored) == 2
    assert {p.recorded_at for p in stored} == {recorded}
    assert {p.created_at for p in stored} == {world.clock.now()}


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"amount": "0"}, "INVALID_AMOUNT", "amount"),
        ({"amount": "1000.01"}, "PROMISE_AMOUNT_EXCEEDS_BALANCE", "amount"),
        ({"promised_date": date(2026, 3, 14)}, "PROMISE_DATE_OUT_OF_RANGE", "promisedDate"),
        ({"promised_date": date(2026, 4, 15)}, "PROMISE_DATE_OUT_OF_RANGE", "promisedDate"),
        ({"currency": "USD"}, "CURRENCY_MISMATCH", "currency"),
        ({"debt_ids": []}, "REQUIRED", "debtIds"),
        ({"debt_ids": ["nope"]}, "NOT_FOUND", "debtIds[0]"),
        ({"recorded_at": datetime(2026, 3, 15, 16, 0, tzinfo=UTC)}, "INVALID_DATE", "recordedAt"),
        ({"recorded_at": datetime(2026, 3, 1, 16, 0, tzinfo=UTC)}, "INVALID_DATE", "recordedAt"),
        ({"idempotency_key": "  "}, "REQUIRED", "idempotencyKey"),
    ],
)
def test_bad_input_gets_a_clear_code_and_changes_nothing(
    world: World,
    agent: Principal,
    repo: InMemoryLedgerRepository,
    change: dict[str, object],
    code: str,
    field: str,
) -> None:
    commits = repo.commits
    with pytest.raises(DomainError) as err:
        world.promises.create(agent, world.input(**change))
    assert codes(err) == [(code, field)]
    assert repo.commits == commits


def test_the_horizon_is_a_tenant_setting(world: World, admin: Principal, agent: Principal) -> None:
    world.promises.update_settings(admin, horizon_days=45)
    assert world.promises.create(agent, world.input(day=date(2026, 4, 29))).promise.pending
    with pytest.raises(DomainError) as err:
        world.promises.update_settings(admin, grace_days=-1)
    assert codes(err) == [("INVALID", "graceDays")]


def test_one_pending_promise_per_debt(world: World, agent: Principal) -> None:
    world.promises.create(agent, world.input("a"))
    with pytest.raises(DomainError) as err:
        world.promises.create(
            agent, world.input("b", debt_ids=[world.other_debt.id, world.debt.id], amount="10.00")
        )
    assert codes(err) == [("PROMISE_ALREADY_PENDING", "debtIds")]
    # the other debt alone is free
    assert world.promises.create(agent, world.input("c", debt_ids=[world.other_debt.id])).promise.pending


def test_an_agent_cannot_promise_or_read_on_a_debtor_not_assigned_to_it(
    world: World, agent: Principal, admin: Principal
) -> None:
    stranger = Principal(sub="u-other", tenant="acme", role=Role.AGENT, agent_id="ag-2")
    with pytest.raises(DomainError) as err:
        world.promises.create(stranger, world.input())
    assert codes(err) == [("NOT_FOUND", "debtorId")]
    promise = world.promises.create(agent, world.input()).promise
    assert world.promises.get(stranger, world.debtor.id, promise.id) is None
    assert world.promises.search(stranger, PromiseQuery(), PageRequest()).items == []
    assert world.promises.search(stranger, PromiseQuery(agent_id="ag-1"), PageRequest()).items == []
    assert [p.id for p in world.promises.search(agent, PromiseQuery(), PageRequest()).items] == [promise.id]
    assert [
        p.id for p in world.promises.search(admin, PromiseQuery(agent_id="ag-1"), PageRequest()).items
    ] == [promise.id]
    with pytest.raises(DomainError):
        world.promises.of_debtor(stranger, world.debtor.id, PageRequest())
    # a replay of someone else's key does not reveal the promise either
    with pytest.raises(DomainError) as replay:
        world.promises.create(stranger, world.input())
    assert codes(replay) == [("NOT_FOUND", "debtorId")]


def test_cancelling_releases_the_debt_and_resumes_its_cadence(
    world: World, agent: Principal, repo: InMemoryLedgerRepository
) -> None:
    promise = world.promises.create(agent, world.input()).promise
    cancelled = world.promises.cancel(agent, world.debtor.id, promise.id, "changed their mind")
    assert cancelled.status is PromiseStatus.CANCELLED and cancelled.closed_at == world.clock.now()
    debt = repo.get_debt("acme", world.debtor.id, world.debt.id)
    assert debt is not None and debt.paused_until is None and debt.next_action is None
    assert repo.get_claim("acme", ClaimKind.PROMISE_PENDING_DEBT, world.debt.id) is None
    with pytest.raises(DomainError) as err:
        world.promises.cancel(agent, world.debtor.id, promise.id, None)
    assert codes(err) == [("INVALID_STATE", "id")]
    assert world.promises.create(agent, world.input("again")).promise.pending
    assert world.observer.changes[1] == (promise.id, PromiseChange.CANCELLED)
