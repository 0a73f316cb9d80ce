"""IN_PLAN debts leave the normal cadence: off the due index, dropped by the planner, refused by the
dispatcher for cadence steps (a job planned before the plan sends nothing); their INSTALMENT_DUE
step still goes, through a campaign that has it, whatever the debt's age."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from domain.campaigns.dispatch.loading import still_due
from domain.campaigns.model import Segment, Step, StepTrigger
from domain.campaigns.ports import SendClaim
from domain.templates import TemplateChannel
from infra.dynamodb.mapping import to_item
from tests.unit.campaigns.test_planner import MONDAY_10_LIMA, Store, campaign, debt, planner
from tests.unit.campaigns.test_triggers import TriggerStore, triggers

DUE = Step("due", 0, TemplateChannel.SMS, "tpl-due", trigger=StepTrigger.INSTALMENT_DUE)


def test_a_plan_debt_is_off_the_due_index_until_the_plan_closes() -> None:
    at = datetime(2026, 3, 15, tzinfo=UTC)
    open_debt = replace(debt(1, date(2026, 3, 1)), updated_at=at)
    assert to_item("acme", open_debt).GSI5PK  # an open debt without a schedule: "to evaluate"
    in_plan = replace(open_debt, plan_id="pl-1")
    item = to_item("acme", in_plan)
    assert item.GSI5PK is None and item.GSI5SK is None and item.plan_id == "pl-1"


def test_the_planner_drops_a_plan_debt_from_the_cadence() -> None:
    store = Store()
    store.campaigns = [campaign([0, 7])]
    store.versions = {"c1": 1}
    # indexed before its plan was made (a planner racing the plan's commit put it back)
    store.debts["d1"] = replace(
        debt(1, date(2026, 12, 7), action_at=MONDAY_10_LIMA - timedelta(hours=1)), plan_id="pl-1"
    )
    summary = planner(store, MONDAY_10_LIMA).run()
    assert summary.jobs == 0 and store.jobs == [] and store.debts["d1"].next_action is None
    # the plan closed (BROKEN or CANCELLED): the debt is evaluated again and its cadence resumes
    store.debts["d1"] = replace(debt(1, date(2026, 12, 7), action_at=MONDAY_10_LIMA), plan_id=None)
    assert planner(store, MONDAY_10_LIMA).run().jobs == 1


def test_the_dispatcher_refuses_cadence_steps_for_a_plan_debt_and_sends_its_instalment_step() -> None:
    c = campaign([0])
    c.steps.append(DUE)
    d = debt(1, date(2026, 12, 7))
    cadence = SendClaim(d.id, c.id, "s0", date(2026, 12, 7))
    instalment = SendClaim(d.id, c.id, "due", date(2026, 12, 6))
    assert still_due(d, c, cadence) and not still_due(d, c, instalment)  # not in a plan: no instalments
    in_plan = replace(d, plan_id="pl-1")
    assert not still_due(in_plan, c, cadence)  # planned before the plan: dropped at dispatch
    assert still_due(in_plan, c, instalment)
    assert not c.step("s0").fires_on(in_plan, date(2026, 12, 7))  # type: ignore[union-attr]


def test_instalment_due_goes_through_a_campaign_that_has_the_step_whatever_the_debts_age() -> None:
    store = TriggerStore()
    early = campaign([0, 3], cid="early")
    early.segment = Segment(max_days_past_due=30)
    early.steps.append(DUE)
    late = campaign([60], cid="late")  # matches the old debt, higher priority, but no instalment step
    late.priority = 9
    store.campaigns = [early, late]
    store.debts["d1"] = replace(debt(1, date(2026, 6, 1)), plan_id="pl-1")  # 189 days past due
    jobs = triggers(store).fire("acme", "dr1", ["d1"], StepTrigger.INSTALMENT_DUE, date(2026, 12, 6))
    assert jobs == 1
    [job] = store.jobs
    assert (job.campaign_id, job.step_id, job.debt_ids, job.occurrence) == (
        "early",
        "due",
        ("d1",),
        date(2026, 12, 6),
    )
