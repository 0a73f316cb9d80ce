"""The daily sweep: instalments are reminded (INSTALMENT_DUE) the day before their due date, once per
instalment however often the sweep runs; a plan with an instalment unpaid past grace is broken."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from domain.campaigns.model import StepTrigger
from domain.plans.model import Frequency, PlanStatus
from domain.plans.sweeper import PlanSweeper
from domain.principal import Principal
from tests.unit.plans.conftest import World

MORNING = timedelta(hours=15)  # 10:00 in Lima


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + MORNING


@dataclass
class RecordingTriggers:
    fired: list[tuple[str, tuple[str, ...], StepTrigger, date]] = field(default_factory=list)

    def fire(
        self,
        tenant: str,
        debtor_id: str,
        debt_ids: Sequence[str],
        trigger: StepTrigger,
        occurrence: date | datetime,
    ) -> int:
        assert isinstance(occurrence, date)
        self.fired.append((debtor_id, tuple(debt_ids), trigger, occurrence))
        return 1


def test_each_instalment_is_reminded_the_day_before_once_per_occurrence(
    world: World, supervisor: Principal, agent: Principal
) -> None:
    plan = world.plans.create(supervisor, world.input(frequency=Frequency.WEEKLY)).plan  # Apr 1, 8, 15
    triggers = RecordingTriggers()
    sweeper = PlanSweeper(world.plans, triggers)
    day = date(2026, 3, 15)
    while day <= date(2026, 4, 16):
        world.clock.set(at(day))
        if day == date(2026, 4, 3):
            world.pay(agent, "333.33", "p1", world.debt.id)  # the first instalment, late within grace
        if day == date(2026, 4, 10):
            world.pay(agent, "333.33", "p2", world.debt.id)  # the second, before the third is reminded
        sweeper.run()
        day += timedelta(days=1)
    occurrences = [f[3] for f in triggers.fired]
    assert all(
        f[:3] == (world.debtor.id, (world.debt.id,), StepTrigger.INSTALMENT_DUE) for f in triggers.fired
    )
    # queued on the day before and on the due day, both as the day before: one send claim each
    assert sorted(set(occurrences)) == [date(2026, 3, 31), date(2026, 4, 7), date(2026, 4, 14)]
    assert [occurrences.count(d) for d in sorted(set(occurrences))] == [2, 2, 2]
    assert world.reload(plan).status is PlanStatus.ACTIVE


def test_a_paid_instalment_is_not_reminded_and_a_far_plan_is_not_read(
    world: World, supervisor: Principal, agent: Principal
) -> None:
    world.plans.create(supervisor, world.input())
    world.pay(agent, "333.33", "p1", world.debt.id)
    triggers = RecordingTriggers()
    world.clock.set(at(date(2026, 3, 31)))
    summary = PlanSweeper(world.plans, triggers).run()
    assert triggers.fired == [] and summary.evaluated == 0  # next unpaid is due May 1
    world.clock.set(at(date(2026, 4, 30)))
    summary = PlanSweeper(world.plans, triggers).run()
    assert (summary.evaluated, summary.instalments_due, summary.jobs) == (1, 1, 1)
    assert [f[3] for f in triggers.fired] == [date(2026, 4, 30)]


def test_the_sweep_breaks_a_plan_past_grace_and_reminds_nothing_for_it(
    world: World, supervisor: Principal
) -> None:
    plan = world.plans.create(supervisor, world.input()).plan
    triggers = RecordingTriggers()
    world.clock.set(at(date(2026, 4, 6)))
    assert PlanSweeper(world.plans, triggers).run().outcomes == {}
    world.clock.set(at(date(2026, 4, 7)))
    summary = PlanSweeper(world.plans, triggers).run()
    assert summary.outcomes == {"BROKEN": 1} and summary.jobs == 0
    assert world.reload(plan).status is PlanStatus.BROKEN
    assert world.debt_now(world.debt.id).plan_id is None
    # the broken plan is no longer listed as due: a second sweep reads nothing
    assert PlanSweeper(world.plans, triggers).run().evaluated == 0


def test_without_a_job_queue_the_sweep_still_judges(world: World, supervisor: Principal) -> None:
    plan = world.plans.create(supervisor, world.input()).plan
    world.clock.set(at(date(2026, 4, 9)))
    summary = PlanSweeper(world.plans).run(["acme"])
    assert summary.outcomes == {"BROKEN": 1} and world.reload(plan).status is PlanStatus.BROKEN
