"""Every plan event a partner receives matches its published schema (schema/events/PaymentPlan*)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from domain.event_catalogue import EVENT_TYPES, envelope
from domain.principal import Principal
from tests.unit.plans.conftest import World
from tests.unit.test_event_schemas import errors_of


def test_created_completed_broken_and_cancelled_plans_emit_valid_events(
    world: World, agent: Principal, admin: Principal
) -> None:
    completed = world.plans.create(agent, world.input("a", down_payment="100.00")).plan
    world.pay(agent, "1000.00", "p1", world.debt.id)
    cancelled = world.plans.create(agent, world.input("b", debt_ids=[world.other_debt.id])).plan
    world.plans.cancel(agent, world.debtor.id, cancelled.id, None)
    broken = world.plans.create(agent, world.input("c", debt_ids=[world.other_debt.id])).plan
    world.clock.set(datetime(2026, 5, 1, tzinfo=UTC))
    world.plans.evaluate_debtor(admin, world.debtor.id)

    events = [e for e in world.repo.events if e.type.startswith("PaymentPlan")]
    assert {e.type for e in events} == {t for t in EVENT_TYPES if t.startswith("PaymentPlan")}
    assert [(e.type, e.aggregate_id) for e in events if e.type != "PaymentPlanCreated"] == [
        ("PaymentPlanCompleted", completed.id),
        ("PaymentPlanCancelled", cancelled.id),
        ("PaymentPlanBroken", broken.id),
    ]
    problems = []
    for event in events:
        wire = json.loads(json.dumps(envelope(event)))
        problems += [f"{event.type}: {m}" for m in errors_of(event.type, wire, event.version)]
    assert problems == []
    [cancel] = [e for e in events if e.type == "PaymentPlanCancelled"]
    assert cancel.data["reason"] is None
