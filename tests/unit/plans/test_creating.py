"""Making a plan: exact instalments, the debts IN_PLAN and off the cadence, once per idempotency key,
rules answered with codes, agents limited to their own debtors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.entities import Channel, DebtStatus
from domain.errors import DomainError, ErrorCode
from domain.ledger import debt_status
from domain.plans.model import InstalmentKind, InstalmentStatus, PlanStatus
from domain.plans.ports import PlanChange
from domain.ports import ClaimKind
from domain.principal import Principal, Role
from domain.promises.service import PromiseInput, Promises
from domain.services.portfolios import PortfolioInput
from tests.plan_fakes import InMemoryPlanRepository
from tests.promise_fakes import InMemoryPromiseRepository
from tests.unit.plans.conftest import World, add_debt

D = Decimal


def codes(err: DomainError) -> list[tuple[str, str | None]]:
    return [(e.code.value, e.field) for e in err.errors]


def test_a_supervisor_splits_a_debt_into_exact_instalments_and_the_debt_goes_in_plan(
    world: World, supervisor: Principal
) -> None:
    result = world.plans.create(supervisor, world.input())
    plan = result.plan
    assert not result.replayed and plan.status is PlanStatus.ACTIVE
    assert [(i.number, i.due_date, str(i.amount)) for i in plan.instalments] == [
        (1, date(2026, 4, 1), "333.33"),
        (2, date(2026, 5, 1), "333.33"),
        (3, date(2026, 6, 1), "333.34"),
    ]
    assert plan.total == D("1000.00") and plan.agent_id == "ag-1" and plan.grace_days == 5
    debt = world.debt_now(world.debt.id)
    assert debt.plan_id == plan.id and debt.next_action is None
    assert debt_status(debt, date(2026, 3, 15)) is DebtStatus.IN_PLAN
    assert world.repo.get_claim("acme", ClaimKind.PLAN_ACTIVE_DEBT, world.debt.id) is not None
    assert world.debt_now(world.other_debt.id).plan_id is None
    [audit] = [a for a in world.repo.audits if a.entity_type == "PaymentPlan"]
    assert audit.action == "paymentPlanCreate" and audit.actor == supervisor.sub
    [event] = world.repo.events_of("acme", "PaymentPlanCreated")
    assert event.data["totalAmount"] == "1000.00" and len(event.data["instalments"]) == 3
    assert world.observer.changes == [(plan.id, PlanChange.CREATED)]


def test_a_down_payment_is_due_today_and_both_debts_are_covered(world: World, admin: Principal) -> None:
    data = world.input(debt_ids=[world.debt.id, world.other_debt.id], down_payment="300.00", instalments=4)
    plan = world.plans.create(admin, data).plan
    assert plan.total == D("1500.00") and plan.down_payment == D("300.00")
    assert [(i.kind, i.due_date, str(i.amount)) for i in plan.instalments] == [
        (InstalmentKind.DOWN_PAYMENT, date(2026, 3, 15), "300.00"),
        (InstalmentKind.INSTALMENT, date(2026, 4, 1), "300.00"),
        (InstalmentKind.INSTALMENT, date(2026, 5, 1), "300.00"),
        (InstalmentKind.INSTALMENT, date(2026, 6, 1), "300.00"),
        (InstalmentKind.INSTALMENT, date(2026, 7, 1), "300.00"),
    ]
    assert {world.debt_now(d).plan_id for d in plan.debt_ids} == {plan.id}


def test_a_retry_with_the_same_key_creates_once_and_another_payload_is_refused(
    world: World, agent: Principal
) -> None:
    first = world.plans.create(agent, world.input())
    commits = world.repo.commits
    again = world.plans.create(agent, world.input())
    assert again.replayed and again.plan.id == first.plan.id and world.repo.commits == commits
    assert len(world.repo.events_of("acme", "PaymentPlanCreated")) == 1
    with pytest.raises(DomainError) as err:
        world.plans.create(agent, world.input(instalments=4))
    assert codes(err.value) == [("IDEMPOTENCY_KEY_REUSED", "idempotencyKey")]


def test_an_agent_plans_only_for_its_own_debtors(world: World, admin: Principal) -> None:
    stranger = Principal(sub="rita", tenant="acme", role=Role.AGENT, agent_id="ag-2")
    with pytest.raises(DomainError) as err:
        world.plans.create(stranger, world.input())
    assert codes(err.value) == [("NOT_FOUND", "debtorId")]
    plan = world.plans.create(admin, world.input()).plan
    assert world.plans.get(stranger, world.debtor.id, plan.id) is None
    with pytest.raises(DomainError):
        world.plans.cancel(stranger, world.debtor.id, plan.id, None)


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"instalments": 25}, "PLAN_TOO_MANY_INSTALMENTS", "instalments"),
        ({"instalments": 0}, "PLAN_TOO_MANY_INSTALMENTS", "instalments"),
        ({"first_due_date": date(2026, 3, 14)}, "PLAN_DATE_OUT_OF_RANGE", "firstDueDate"),
        ({"first_due_date": date(2026, 5, 15)}, "PLAN_DATE_OUT_OF_RANGE", "firstDueDate"),
        ({"down_payment": "1000.00"}, "PLAN_DOWN_PAYMENT_TOO_LARGE", "downPayment"),
        ({"down_payment": "-1.00"}, "INVALID_AMOUNT", "downPayment"),
        ({"down_payment": "1.001"}, "INVALID_AMOUNT", "downPayment"),
        ({"debt_ids": []}, "REQUIRED", "debtIds"),
        ({"debt_ids": ["nope"]}, "NOT_FOUND", "debtIds[0]"),
        ({"idempotency_key": " "}, "REQUIRED", "idempotencyKey"),
    ],
)
def test_rules_answer_with_codes_and_write_nothing(
    world: World, agent: Principal, change: dict[str, object], code: str, field: str
) -> None:
    commits = world.repo.commits
    with pytest.raises(DomainError) as err:
        world.plans.create(agent, world.input(**change))
    assert codes(err.value) == [(code, field)]
    assert world.repo.commits == commits and world.debt_now(world.debt.id).plan_id is None


def test_one_active_plan_per_debt_and_no_plan_over_a_pending_promise(
    world: World, agent: Principal, admin: Principal
) -> None:
    world.plans.create(agent, world.input("a"))
    with pytest.raises(DomainError) as err:
        world.plans.create(agent, world.input("b", debt_ids=[world.other_debt.id, world.debt.id]))
    assert codes(err.value) == [("PLAN_ALREADY_ACTIVE", "debtIds[1]")]
    promises = Promises(world.ledger.deps, InMemoryPromiseRepository(world.repo))
    promise = PromiseInput(
        world.debtor.id, [world.other_debt.id], "50.00", "PEN", date(2026, 3, 20), Channel.CALL, "pr-1"
    )
    promises.create(agent, promise)
    with pytest.raises(DomainError) as err:
        world.plans.create(agent, world.input("c", debt_ids=[world.other_debt.id]))
    assert codes(err.value) == [("PROMISE_ALREADY_PENDING", "debtIds[0]")]
    # and a promise cannot be taken on a debt already in a plan
    with pytest.raises(DomainError) as err:
        promises.create(
            agent,
            PromiseInput(**{**promise.__dict__, "debt_ids": [world.debt.id], "idempotency_key": "pr-2"}),
        )
    assert codes(err.value) == [("PLAN_ALREADY_ACTIVE", "debtIds[0]")]


def test_awkward_currencies_split_exactly(world: World, admin: Principal) -> None:
    for currency, amount, expected in (
        ("JPY", "10000", ["3333", "3333", "3334"]),
        ("CLP", "100000", ["33333", "33333", "33334"]),
    ):
        pf = world.ledger.portfolios.create(admin, PortfolioInput(name=currency, currency=currency))
        debt = add_debt(world.ledger, admin, world.debtor, pf, amount, date(2026, 3, 1), f"{currency}-1")
        plan = world.plans.create(admin, world.input(currency, debt_ids=[debt.id])).plan
        assert plan.currency == currency
        assert [str(i.amount) for i in plan.instalments] == expected
        assert sum((i.amount for i in plan.instalments), D(0)) == D(amount)


def test_too_small_to_split_and_mixed_currencies_are_refused(world: World, admin: Principal) -> None:
    pf = world.ledger.portfolios.create(admin, PortfolioInput(name="yen", currency="JPY"))
    tiny = add_debt(world.ledger, admin, world.debtor, pf, "2", date(2026, 3, 1), "J-1")
    with pytest.raises(DomainError) as err:
        world.plans.create(admin, world.input("t", debt_ids=[tiny.id]))
    assert codes(err.value) == [("PLAN_INSTALMENT_TOO_SMALL", "instalments")]
    with pytest.raises(DomainError) as err:
        world.plans.create(admin, world.input("m", debt_ids=[world.debt.id, tiny.id]))
    assert codes(err.value) == [("CURRENCY_MISMATCH", "debtIds[1]")]


def test_settings_are_the_admins_and_a_plan_keeps_the_grace_it_was_made_with(
    world: World, admin: Principal, supervisor: Principal
) -> None:
    from domain.errors import Forbidden

    with pytest.raises(Forbidden):
        world.plans.update_settings(supervisor, grace_days=1)
    with pytest.raises(DomainError) as err:
        world.plans.update_settings(admin, max_instalments=0)
    assert codes(err.value) == [("INVALID", "maxInstalments")]
    updated = world.plans.update_settings(admin, grace_days=1, max_instalments=6)
    assert (updated.grace_days, updated.max_instalments, updated.version) == (1, 6, 1)
    plan = world.plans.create(admin, world.input()).plan
    assert plan.grace_days == 1
    world.plans.update_settings(admin, grace_days=10)
    assert world.reload(plan).grace_days == 1
    with pytest.raises(DomainError) as err:
        world.plans.create(admin, world.input("k-7", debt_ids=[world.other_debt.id], instalments=7))
    assert err.value.code is ErrorCode.PLAN_TOO_MANY_INSTALMENTS


def test_the_in_memory_store_lists_by_status(world: World, admin: Principal) -> None:
    plan = world.plans.create(admin, world.input()).plan
    store: InMemoryPlanRepository = world.store
    from domain.plans.ports import PlanQuery
    from domain.ports import PageRequest

    listed = world.plans.search(admin, PlanQuery(status=PlanStatus.ACTIVE), PageRequest())
    assert [p.id for p in listed.items] == [plan.id]
    assert world.plans.search(admin, PlanQuery(status=PlanStatus.BROKEN), PageRequest()).items == []
    assert store.get_plans("acme", [(world.debtor.id, plan.id)])
    assert plan.instalments[0].status is InstalmentStatus.PENDING
