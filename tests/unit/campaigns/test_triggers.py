"""Event-triggered steps and the promise pause, on the planner's in-memory stores: a trigger step is
never on the cadence, fires for the debts' owning campaign once per event day; a paused debt waits."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from domain.campaigns.cadence import moments
from domain.campaigns.deps import EngineDeps
from domain.campaigns.model import Step, StepTrigger
from domain.campaigns.triggers import StepTriggers
from domain.clock import FixedClock
from domain.entities import Debt, Debtor, PartyKind
from domain.ids import TimeOrderedIds
from domain.templates import TemplateChannel
from tests.unit.campaigns.test_planner import LIMA, MONDAY_10_LIMA, Store, campaign, debt, planner

THANKS = Step("thanks", 0, TemplateChannel.EMAIL, "tpl-thanks", trigger=StepTrigger.PAYMENT_RECEIVED)


class TriggerStore(Store):
    def get_debtor(self, tenant: str, debtor_id: str) -> Debtor:
        return Debtor("acme", debtor_id, "x", PartyKind.PERSON, "Ana", None, None, LIMA, "PE")

    def get_debts(self, tenant: str, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Debt]:
        return {(d.debtor_id, d.id): d for d in self.debts.values() if (d.debtor_id, d.id) in keys}


def triggers(store: Store) -> StepTriggers:
    clock = FixedClock(MONDAY_10_LIMA)
    deps = EngineDeps(store, store, store, store, clock, TimeOrderedIds(clock), queue=store)  # type: ignore[arg-type]
    return StepTriggers(deps)


def test_a_trigger_step_is_not_on_the_cadence() -> None:
    c = campaign([0, 3])
    c.steps.append(THANKS)
    found = moments([c], debt(1, date(2026, 12, 7)), LIMA)
    assert [m.step.id for m in found] == ["s0", "s3"]


def test_an_event_fires_the_owning_campaigns_step_with_the_event_day() -> None:
    store = TriggerStore()
    c = campaign([0, 3])
    c.steps.append(THANKS)
    store.campaigns = [c]
    for i in (1, 2):
        store.debts[f"d{i}"] = debt(i, date(2026, 12, 1))
    jobs = triggers(store).fire("acme", "dr1", ["d1", "d2"], StepTrigger.PAYMENT_RECEIVED, MONDAY_10_LIMA)
    assert jobs == 1
    [job] = store.jobs
    assert (job.campaign_id, job.step_id, job.debt_ids, job.occurrence) == (
        "c1",
        "thanks",
        ("d1", "d2"),
        date(2026, 12, 7),
    )
    # a step the campaigns lack fires nothing
    assert triggers(store).fire("acme", "dr1", ["d1"], StepTrigger.PROMISE_BROKEN, MONDAY_10_LIMA) == 0


def test_fires_on_a_trigger_step_any_day_a_cadence_step_only_on_its_day_and_unpaused() -> None:
    d = debt(1, date(2026, 12, 1))
    step = Step("s3", 3, TemplateChannel.SMS, "tpl")
    assert step.fires_on(d, date(2026, 12, 4)) and not step.fires_on(d, date(2026, 12, 5))
    paused = replace(d, paused_until=MONDAY_10_LIMA)
    assert not step.fires_on(paused, date(2026, 12, 4))
    assert THANKS.fires_on(paused, date(2026, 12, 9))


def test_the_planner_leaves_a_paused_debt_until_the_pause_ends() -> None:
    store = Store()
    store.campaigns = [campaign([0, 7])]
    store.versions = {"c1": 1}
    until = MONDAY_10_LIMA + timedelta(days=3)
    store.debts["d1"] = replace(
        debt(1, date(2026, 12, 7), action_at=MONDAY_10_LIMA - timedelta(hours=1)), paused_until=until
    )
    summary = planner(store, MONDAY_10_LIMA).run()
    assert summary.jobs == 0 and store.jobs == []
    action = store.debts["d1"].next_action
    assert action is not None and action.at == until and not action.campaign_id
    # the pause lifted (promise closed): the next cycle plans the step again
    store.debts["d1"] = replace(
        store.debts["d1"], paused_until=None, next_action=replace(action, at=MONDAY_10_LIMA)
    )
    assert planner(store, MONDAY_10_LIMA).run().jobs == 1
