"""The planner's due index (GSI5) on moto: what enters it, what leaves it, conditional moves."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from domain.clock import FixedClock
from domain.entities import NextAction, PaymentMethod
from domain.ids import TimeOrderedIds
from domain.ports import DebtorQuery, PageRequest
from domain.principal import Principal, Role
from domain.services import Deps, Ledger
from domain.services.debtors import DebtorInput
from domain.services.debts import DebtInput, DebtPatch
from domain.services.payments import PaymentInput
from domain.services.portfolios import PortfolioInput
from domain.services.tenants import TenantPatch
from infra.dynamodb import keys
from infra.dynamodb.models import DebtItem
from infra.dynamodb.repository import DynamoLedgerRepository
from infra.dynamodb.schedule import DynamoScheduleRepository

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
ACME = Principal("ana", "acme", Role.ADMIN)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def ledger(repo: DynamoLedgerRepository, clock: FixedClock) -> Ledger:
    return Ledger.build(Deps(repo, clock, TimeOrderedIds(clock)))


@pytest.fixture
def schedule(table: str) -> DynamoScheduleRepository:
    return DynamoScheduleRepository()


def new_debt(ledger: Ledger, due: date, ext: str = "F-1") -> tuple[str, str]:
    ledger.tenants.update(ACME, TenantPatch(name="Acme", country="PE"))
    pfs = ledger.portfolios.list(ACME)
    pf = pfs[0] if pfs else ledger.portfolios.create(ACME, PortfolioInput(name="Retail", currency="PEN"))
    found = ledger.debtors.list(ACME, DebtorQuery(), PageRequest()).items
    debtor = found[0] if found else ledger.debtors.create(ACME, DebtorInput(name="Ana", external_id="C-1"))
    debt = ledger.debts.create(ACME, DebtInput(debtor.id, pf.id, "100.00", due, external_id=ext))
    return debtor.id, debt.id


def due_ids(schedule: DynamoScheduleRepository, until: datetime) -> list[str]:
    return sorted(
        d.id for shard in range(schedule.SHARDS) for d in schedule.due_debts("acme", shard, until, 100)
    )


def test_a_new_debt_is_up_for_evaluation_with_the_debtors_zone(
    ledger: Ledger, schedule: DynamoScheduleRepository
) -> None:
    _, debt_id = new_debt(ledger, date(2026, 12, 10))
    due = [d for shard in range(schedule.SHARDS) for d in schedule.due_debts("acme", shard, NOW, 100)]
    assert [d.id for d in due] == [debt_id]
    action = due[0].next_action
    assert action is not None and action.campaign_id == "" and action.at == NOW
    assert (action.time_zone, action.jurisdiction) == ("America/Lima", "PE")
    # nothing is due before its instant
    assert due_ids(schedule, NOW - timedelta(seconds=1)) == []


def test_moving_is_conditional_and_never_bumps_the_version(
    ledger: Ledger, schedule: DynamoScheduleRepository
) -> None:
    debtor_id, debt_id = new_debt(ledger, date(2026, 12, 10))
    debt = ledger.deps.repo.get_debt("acme", debtor_id, debt_id)
    assert debt is not None and debt.next_action is not None
    version, marker = debt.version, debt.next_action
    later = NextAction(NOW + timedelta(days=9), "c1", "s1", date(2026, 12, 10), "America/Lima", "PE")

    assert schedule.move_next_action(debt, marker, later)
    # a second planner holding the old value loses
    assert not schedule.move_next_action(debt, marker, None)

    stored = ledger.deps.repo.get_debt("acme", debtor_id, debt_id)
    assert stored is not None and stored.next_action == later and stored.version == version
    item = DebtItem.get(keys.debtor_pk("acme", debtor_id), keys.debt_sk(debt_id))
    assert keys.due_pk("acme", keys.due_shard(debt_id)) == item.GSI5PK
    assert due_ids(schedule, NOW) == [] and due_ids(schedule, later.at) == [debt_id]

    # a ledger write after the move keeps the moved action (the entity it read carries it)
    ledger.debts.update(ACME, debtor_id, debt_id, DebtPatch(description="x"))
    assert due_ids(schedule, later.at) == [debt_id]


def test_paying_a_debt_takes_it_out_of_the_index_in_the_same_write(
    ledger: Ledger, schedule: DynamoScheduleRepository
) -> None:
    debtor_id, debt_id = new_debt(ledger, date(2026, 12, 10))
    ledger.payments.record(
        ACME, PaymentInput(debtor_id, Decimal("100.00"), "PEN", PaymentMethod.CASH, idempotency_key="k1")
    )
    assert due_ids(schedule, NOW + timedelta(days=365)) == []
    item = DebtItem.get(keys.debtor_pk("acme", debtor_id), keys.debt_sk(debt_id))
    assert item.GSI5PK is None and item.GSI5SK is None


def test_a_new_due_date_puts_the_debt_up_for_evaluation_again(
    ledger: Ledger, schedule: DynamoScheduleRepository, clock: FixedClock
) -> None:
    debtor_id, debt_id = new_debt(ledger, date(2026, 12, 10))
    debt = ledger.deps.repo.get_debt("acme", debtor_id, debt_id)
    assert debt is not None
    later = NextAction(NOW + timedelta(days=9), "c1", "s1", date(2026, 12, 10), "America/Lima", "PE")
    assert schedule.move_next_action(debt, debt.next_action, later)

    clock.advance(timedelta(hours=1))
    ledger.debts.update(ACME, debtor_id, debt_id, DebtPatch(due_date=date(2026, 12, 20)))

    stored = ledger.deps.repo.get_debt("acme", debtor_id, debt_id)
    assert stored is not None and stored.next_action is not None
    assert stored.next_action.campaign_id == "" and stored.next_action.at == NOW + timedelta(hours=1)
    assert stored.next_action.occurrence == date(2026, 12, 20)
    assert due_ids(schedule, NOW + timedelta(hours=1)) == [debt_id]


def test_an_open_debt_without_a_schedule_is_indexed_at_its_last_write(
    ledger: Ledger, schedule: DynamoScheduleRepository, clock: FixedClock
) -> None:
    # GIVEN a debt the planner took out of the index (no step ahead)
    debtor_id, debt_id = new_debt(ledger, date(2026, 12, 10))
    debt = ledger.deps.repo.get_debt("acme", debtor_id, debt_id)
    assert debt is not None
    assert schedule.move_next_action(debt, debt.next_action, None)
    assert due_ids(schedule, NOW + timedelta(days=365)) == []
    # WHEN the ledger writes it again
    clock.advance(timedelta(minutes=30))
    ledger.debts.update(ACME, debtor_id, debt_id, DebtPatch(description="new"))
    # THEN it is back, as "to evaluate" at that write, and the planner can move it
    due = [d for shard in range(schedule.SHARDS) for d in schedule.due_debts("acme", shard, clock.now(), 100)]
    assert [d.id for d in due] == [debt_id]
    assert due[0].next_action is not None and due[0].next_action.at == clock.now()
    assert schedule.move_next_action(due[0], due[0].next_action, None)
    assert due_ids(schedule, NOW + timedelta(days=365)) == []


def test_campaign_versions_round_trip(schedule: DynamoScheduleRepository) -> None:
    assert schedule.campaign_versions("acme") == {}
    schedule.save_campaign_versions("acme", {"c1": 3})
    assert schedule.campaign_versions("acme") == {"c1": 3}
