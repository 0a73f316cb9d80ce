"""Agent directory, assignment, queue order and paging, and the promise/interaction hooks, against
in-memory stores."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from domain.agents.directory import AgentInput, AgentPatch
from domain.campaigns.cadence import static_match
from domain.campaigns.model import Segment
from domain.clock import FixedClock
from domain.entities import Debtor, Portfolio
from domain.errors import DomainError, ErrorCode, Forbidden, NotFound
from domain.ids import TimeOrderedIds
from domain.policy import Decision, Outcome
from domain.ports import PageRequest
from domain.principal import Principal
from domain.services import Ledger
from domain.services.debtors import DebtorInput
from domain.services.debts import DebtInput
from domain.workforce import Workforce, WorkforceDeps
from tests.fakes import InMemoryLedgerRepository
from tests.unit.agents.fakes import MemoryAgents, MemoryWorkStore


class AllowAll:
    def __init__(self) -> None:
        self.asked: list[str] = []

    def check_calls(self, tenant: str, debtors: Sequence[Debtor], at: datetime) -> dict[str, Decision]:
        self.asked += [d.id for d in debtors]
        return {d.id: Decision(Outcome.SEND, (), "PE", "1") for d in debtors}


@pytest.fixture
def store() -> MemoryWorkStore:
    return MemoryWorkStore()


@pytest.fixture
def team(repo: InMemoryLedgerRepository, clock: FixedClock, store: MemoryWorkStore) -> Workforce:
    return Workforce.build(
        WorkforceDeps(repo, MemoryAgents(), store, clock, TimeOrderedIds(clock), AllowAll())
    )


@pytest.fixture
def lucia(agent: Principal) -> Principal:
    return agent  # agent id ag-1


def owe(ledger: Ledger, admin: Principal, pf: Portfolio, name: str, amount: str, days_late: int) -> str:
    debtor = ledger.debtors.create(admin, DebtorInput(name=name, external_id=name))
    due = date(2026, 3, 15) - timedelta(days=days_late)
    ledger.debts.create(admin, DebtInput(debtor.id, pf.id, Decimal(amount), due, external_id=f"{name}-1"))
    return debtor.id


def test_agents_are_created_updated_and_listed_by_supervisors_only(
    team: Workforce, supervisor: Principal, lucia: Principal
) -> None:
    made = team.directory.create(supervisor, AgentInput(name=" Lucía ", agent_id="ag-1", email="L@Acme.pe"))
    assert (made.name, made.email, made.active, made.version) == ("Lucía", "L@acme.pe", True, 1)
    with pytest.raises(DomainError) as dup:
        team.directory.create(supervisor, AgentInput(name="x", agent_id="ag-1"))
    assert dup.value.code is ErrorCode.DUPLICATE
    with pytest.raises(DomainError) as bad:
        team.directory.create(supervisor, AgentInput(name="x", agent_id="ag#1"))
    assert bad.value.code is ErrorCode.INVALID
    team.directory.update(supervisor, "ag-1", AgentPatch(active=False))
    assert [a.active for a in team.directory.list(supervisor)] == [False]
    assert team.directory.get(lucia, "ag-1") is not None and team.directory.get(lucia, "ag-2") is None
    with pytest.raises(Forbidden):
        team.directory.create(lucia, AgentInput(name="me"))


def test_the_queue_ranks_by_priority_and_pages_without_gaps_or_repeats(
    team: Workforce, ledger: Ledger, admin: Principal, configured: Portfolio, lucia: Principal
) -> None:
    team.directory.create(admin, AgentInput(name="Lucía", agent_id="ag-1"))
    ids = [owe(ledger, admin, configured, f"D{n}", str(100 * (n + 1)), 10 * n) for n in range(7)]
    result = team.assignments.set(admin, ids, "ag-1")
    assert sorted(result.moved) == sorted(ids)

    seen: list[str] = []
    scores: list[int] = []
    after = None
    while True:
        page = team.queues.my_queue(lucia, PageRequest(3, after))
        seen += [e.debtor_id for e in page.items]
        scores += [e.priority.score for e in page.items]
        if not page.has_next_page:
            break
        after = page.end_cursor
    assert sorted(seen) == sorted(ids) and len(seen) == len(ids)
    assert scores == sorted(scores, reverse=True)
    assert seen[0] == ids[-1]  # the oldest and largest debt first


def test_a_due_callback_and_a_promise_due_today_lift_an_entry_at_read_time(
    team: Workforce,
    ledger: Ledger,
    admin: Principal,
    configured: Portfolio,
    lucia: Principal,
    clock: FixedClock,
) -> None:
    team.directory.create(admin, AgentInput(name="Lucía", agent_id="ag-1"))
    ids = [owe(ledger, admin, configured, f"D{n}", str(100 * (n + 1)), 10 * n) for n in range(4)]
    team.assignments.set(admin, ids, "ag-1")
    low = ids[0]
    now = clock.now()
    team.signals.interaction_logged(
        "acme", low, now - timedelta(hours=1), "NO_ANSWER", now - timedelta(minutes=5)
    )
    team.signals.interaction_logged(
        "acme", low, now - timedelta(hours=1), "NO_ANSWER", now - timedelta(minutes=5)
    )
    team.signals.promise_changed("acme", low, "pr-1", "CREATED", date(2026, 3, 15), now)
    page = team.queues.my_queue(lucia, PageRequest(10))
    assert page.items[0].debtor_id == low
    factors = {f.name: f.points for f in page.items[0].priority.factors}
    assert factors["callbackDue"] == 200 and factors["promiseDueToday"] == 100
    assert factors["contactAllowedNow"] == 0
    assert sorted(e.debtor_id for e in page.items) == sorted(ids)  # listed once, not twice

    second = team.queues.my_queue(lucia, PageRequest(1, page.items[0].cursor))
    assert second.items[0].debtor_id == page.items[1].debtor_id


def test_broken_promises_raise_risk_and_priority_once_per_promise(
    team: Workforce, ledger: Ledger, admin: Principal, configured: Portfolio, clock: FixedClock
) -> None:
    team.directory.create(admin, AgentInput(name="Lucía", agent_id="ag-1"))
    debtor = owe(ledger, admin, configured, "D1", "300", 20)
    before = team.assignments.set(admin, [debtor], "ag-1") and team.deps.work.get_work("acme", debtor)
    assert before and before.risk
    team.signals.promise_changed("acme", debtor, "pr-1", "CREATED", date(2026, 3, 20), clock.now())
    for _ in range(2):  # a retried hook changes nothing more
        after = team.signals.promise_changed("acme", debtor, "pr-1", "BROKEN", None, clock.now())
    assert after and after.risk and after.priority and before.priority
    assert {f.name: f.value for f in after.risk.factors}["brokenPromises"] == 1
    assert after.risk.score > before.risk.score and after.priority.score > before.priority.score
    assert after.promises == {}


def test_assignment_validates_everything_before_moving_anything(
    team: Workforce, ledger: Ledger, admin: Principal, configured: Portfolio, lucia: Principal
) -> None:
    debtor = owe(ledger, admin, configured, "D1", "300", 20)
    with pytest.raises(NotFound):
        team.assignments.set(admin, [debtor], "ag-9")
    team.directory.create(admin, AgentInput(name="Lucía", agent_id="ag-1"))
    with pytest.raises(NotFound):
        team.assignments.set(admin, [debtor, "nope"], "ag-1")
    with pytest.raises(DomainError) as many:
        team.assignments.set(admin, [f"d{n}" for n in range(501)], "ag-1")
    assert many.value.code is ErrorCode.TOO_MANY_ROWS
    with pytest.raises(Forbidden):
        team.assignments.set(lucia, [debtor], "ag-1")
    assert ledger.deps.repo.get_debtor("acme", debtor).assigned_agent_id is None  # type: ignore[union-attr]
    team.assignments.set(admin, [debtor], "ag-1")
    assert [d.assigned_agent_id for d in ledger.deps.repo.debts_of_debtor("acme", debtor)] == ["ag-1"]
    team.assignments.set(admin, [debtor], None)
    assert team.queues.my_queue(lucia, PageRequest(10)).items == []


def test_another_agents_queue_is_not_found_and_a_token_without_agent_sees_nothing(
    team: Workforce, lucia: Principal
) -> None:
    with pytest.raises(NotFound):
        team.queues.agent_queue(lucia, "ag-2", PageRequest(10))
    nobody = Principal(sub="x", tenant="acme", role=lucia.role)
    assert team.queues.my_queue(nobody, PageRequest(10)).items == []
    with pytest.raises(DomainError) as bad:
        team.queues.my_queue(lucia, PageRequest(10, "not-a-cursor"))
    assert bad.value.code is ErrorCode.INVALID_CURSOR


def test_the_band_reaches_the_debts_and_segments_filter_on_it(
    team: Workforce, ledger: Ledger, admin: Principal, configured: Portfolio, store: MemoryWorkStore
) -> None:
    debtor = owe(ledger, admin, configured, "D1", "300", 20)
    state = team.signals.debtor_changed("acme", debtor)
    assert state and state.risk
    debt = ledger.deps.repo.debts_of_debtor("acme", debtor)[0]
    assert store.bands[("acme", debt.id)] == state.risk.band.value
    debt.risk_band = "HIGH"
    assert static_match(Segment(risk_bands=("HIGH",)), debt)
    assert not static_match(Segment(risk_bands=("LOW", "MEDIUM")), debt)
    debt.risk_band = None
    assert not static_match(Segment(risk_bands=("HIGH",)), debt)
    assert static_match(Segment(), debt)
