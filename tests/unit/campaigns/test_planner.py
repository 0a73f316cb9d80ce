"""The planner on in-memory stores: due debts become jobs, consolidated per debtor and channel; the
contact policy's calendar holds a step until its window opens; catch-up; running twice plans nothing
twice; campaign changes put a segment up for evaluation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from domain.campaigns.deps import EngineDeps
from domain.campaigns.model import (
    Campaign,
    CampaignStats,
    CampaignStatus,
    Message,
    MessageStatus,
    Segment,
    Step,
)
from domain.campaigns.planner import Planner
from domain.campaigns.ports import SendClaim, SendJob
from domain.clock import FixedClock
from domain.entities import Debt, DebtKind, NextAction, Tenant
from domain.ids import TimeOrderedIds
from domain.ports import Page
from domain.templates import TemplateChannel

LIMA = "America/Lima"


@dataclass
class Store:
    """Just enough of the ledger, campaign, schedule and message stores for the planner."""

    debts: dict[str, Debt] = field(default_factory=dict)
    campaigns: list[Campaign] = field(default_factory=list)
    claims: dict[SendClaim, Message] = field(default_factory=dict)
    stats: dict[str, CampaignStats] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    jobs: list[SendJob] = field(default_factory=list)
    SHARDS: int = 2

    # ledger
    def list_tenants(self) -> list[str]:
        return ["acme"]

    def get_tenant(self, tenant: str) -> Tenant:
        return Tenant("acme", "Acme SAC", "PE", "PEN", LIMA, "es-PE")

    def list_debts(self, tenant: str, query: object, page: object) -> Page[Debt]:
        return Page([d for d in self.debts.values() if d.state.value == "OPEN"], None, False)

    # campaigns
    def list_campaigns(self, tenant: str, status: CampaignStatus | None = None) -> list[Campaign]:
        return [c for c in self.campaigns if status is None or c.status is status]

    # schedule
    def due_debts(self, tenant: str, shard: int, until: datetime, limit: int) -> list[Debt]:
        due = [
            d
            for d in self.debts.values()
            if d.next_action and d.next_action.at <= until and int(d.id[-1]) % self.SHARDS == shard
        ]
        return sorted(due, key=lambda d: d.next_action.at if d.next_action else until)[:limit]

    def move_next_action(self, debt: Debt, expected: NextAction | None, new: NextAction | None) -> bool:
        stored = self.debts[debt.id]
        if stored.next_action != expected:
            return False
        stored.next_action = new
        return True

    def campaign_versions(self, tenant: str) -> dict[str, int]:
        return dict(self.versions)

    def save_campaign_versions(self, tenant: str, versions: dict[str, int]) -> None:
        self.versions = dict(versions)

    # messages
    def claim_message(self, message: Message, claims: list[SendClaim]) -> list[SendClaim]:
        taken = [c for c in claims if c in self.claims]
        if not taken:
            self.claims.update({c: message for c in claims})
        return taken

    def add_stats(self, tenant: str, campaign_id: str, delta: CampaignStats) -> None:
        s = self.stats.setdefault(campaign_id, CampaignStats())
        s.planned += delta.planned
        s.skipped += delta.skipped

    # queue
    def enqueue(self, jobs: list[SendJob], delay_seconds: int = 0) -> None:
        self.jobs.extend(jobs)


def campaign(offsets: list[int], channel: TemplateChannel = TemplateChannel.SMS, cid: str = "c1") -> Campaign:
    return Campaign(
        tenant="acme",
        id=cid,
        name=cid,
        priority=1,
        status=CampaignStatus.ACTIVE,
        segment=Segment(),
        steps=[Step(f"s{o}", o, channel, "tpl") for o in offsets],
        locales=["es-PE"],
        version=1,
    )


def debt(i: int, due: date, debtor: str = "dr1", action_at: datetime | None = None) -> Debt:
    return Debt(
        tenant="acme",
        id=f"d{i}",
        debtor_id=debtor,
        portfolio_id="pf1",
        external_id=f"e{i}",
        kind=DebtKind.INVOICE,
        currency="PEN",
        original_amount=Decimal("100.00"),
        issue_date=due - timedelta(days=30),
        due_date=due,
        next_action=NextAction(action_at, "", "", due, LIMA, "PE") if action_at else None,
    )


@pytest.fixture
def store() -> Store:
    return Store()


def planner(store: Store, now: datetime) -> Planner:
    clock = FixedClock(now)
    deps = EngineDeps(
        ledger=store,  # type: ignore[arg-type]
        campaigns=store,  # type: ignore[arg-type]
        messages=store,  # type: ignore[arg-type]
        schedule=store,  # type: ignore[arg-type]
        clock=clock,
        ids=TimeOrderedIds(clock),
        queue=store,
    )
    return Planner(deps)


MONDAY_10_LIMA = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # Monday 7 Dec 2026, 10:00 in Lima


def test_due_debts_of_one_debtor_on_one_channel_become_one_job(store: Store) -> None:
    # GIVEN a campaign with a step on the due date (09:00 Lima) and two debts of one debtor due today,
    # plus a debt of another debtor
    store.campaigns = [campaign([0, 7])]
    store.versions = {"c1": 1}
    for i, debtor in ((1, "dr1"), (2, "dr1"), (3, "dr2")):
        store.debts[f"d{i}"] = debt(i, date(2026, 12, 7), debtor, MONDAY_10_LIMA - timedelta(days=3))
    # WHEN the planner runs at 10:00 Lima
    summary = planner(store, MONDAY_10_LIMA).run()
    # THEN two jobs: one listing both debts of dr1, one for dr2; the next action moves to +7 at 09:00
    assert summary.planned == 3 and summary.jobs == 2
    jobs = {j.debtor_id: j for j in store.jobs}
    assert sorted(jobs["dr1"].debt_ids) == ["d1", "d2"] and jobs["dr2"].debt_ids == ("d3",)
    assert {c.debt_id for c in jobs["dr1"].claims()} == {"d1", "d2"}
    nxt = store.debts["d1"].next_action
    assert nxt is not None and nxt.step_id == "s7" and nxt.at == datetime(2026, 12, 14, 14, 0, tzinfo=UTC)
    assert store.stats["c1"].planned == 2


def test_running_twice_at_the_same_instant_plans_nothing_twice(store: Store) -> None:
    store.campaigns, store.versions = [campaign([0])], {"c1": 1}
    store.debts["d1"] = debt(1, date(2026, 12, 7), action_at=MONDAY_10_LIMA - timedelta(hours=2))
    planner(store, MONDAY_10_LIMA).run()
    planner(store, MONDAY_10_LIMA).run()
    assert len(store.jobs) == 1
    assert store.debts["d1"].next_action is None  # no step ahead: out of the index


def test_a_step_on_a_sunday_waits_in_the_index_until_monday_07_00_lima(store: Store) -> None:
    store.campaigns, store.versions = [campaign([0])], {"c1": 1}
    sunday_10 = datetime(2026, 12, 6, 15, 0, tzinfo=UTC)
    store.debts["d1"] = debt(1, date(2026, 12, 6), action_at=sunday_10 - timedelta(days=1))
    summary = planner(store, sunday_10).run()
    assert summary.jobs == 0 and summary.deferred == 1
    action = store.debts["d1"].next_action
    assert action is not None and action.at == datetime(2026, 12, 7, 12, 0, tzinfo=UTC)  # 07:00 Lima
    # WHEN the planner runs on Monday after 07:00, the Sunday step goes out
    later = planner(store, datetime(2026, 12, 7, 12, 15, tzinfo=UTC)).run()
    assert later.jobs == 1 and store.jobs[0].occurrence == date(2026, 12, 6)


def test_at_20_00_lima_the_step_waits_for_the_next_working_morning(store: Store) -> None:
    store.campaigns, store.versions = [campaign([0], TemplateChannel.EMAIL)], {"c1": 1}
    friday = date(2026, 12, 4)
    store.debts["d1"] = debt(1, friday, action_at=datetime(2026, 12, 4, 10, tzinfo=UTC))
    at_19_59_59 = datetime(2026, 12, 5, 0, 59, 59, tzinfo=UTC)  # Friday 19:59:59 Lima
    assert planner(store, at_19_59_59).run().jobs == 1
    store.jobs.clear()
    store.debts["d2"] = debt(2, friday, action_at=datetime(2026, 12, 4, 10, tzinfo=UTC))
    at_20_00 = datetime(2026, 12, 5, 1, 0, 0, tzinfo=UTC)  # Friday 20:00:00 Lima
    summary = planner(store, at_20_00).run()
    assert summary.jobs == 0 and summary.deferred == 1
    action = store.debts["d2"].next_action
    assert action is not None and action.at == datetime(2026, 12, 7, 12, 0, tzinfo=UTC)  # Monday 07:00


def test_an_sms_must_arrive_before_the_window_closes(store: Store) -> None:
    # Peru's policy keeps SMS 5 minutes clear of 20:00 (queued at 19:59, delivered at 20:01)
    store.campaigns, store.versions = [campaign([0], TemplateChannel.SMS)], {"c1": 1}
    store.debts["d1"] = debt(1, date(2026, 12, 4), action_at=datetime(2026, 12, 4, 10, tzinfo=UTC))
    assert planner(store, datetime(2026, 12, 5, 0, 59, 59, tzinfo=UTC)).run().deferred == 1
    store.debts["d2"] = debt(2, date(2026, 12, 4), action_at=datetime(2026, 12, 4, 10, tzinfo=UTC))
    assert planner(store, datetime(2026, 12, 5, 0, 54, 59, tzinfo=UTC)).run().jobs == 1


def test_a_peruvian_holiday_defers_to_the_next_working_day(store: Store) -> None:
    store.campaigns, store.versions = [campaign([0])], {"c1": 1}
    immaculate = date(2026, 12, 8)  # Tuesday, Inmaculada Concepción; 9 Dec (Ayacucho) is one too
    store.debts["d1"] = debt(1, immaculate, action_at=datetime(2026, 12, 8, 10, tzinfo=UTC))
    summary = planner(store, datetime(2026, 12, 8, 15, tzinfo=UTC)).run()
    assert summary.deferred == 1
    action = store.debts["d1"].next_action
    assert action is not None and action.at == datetime(2026, 12, 10, 12, 0, tzinfo=UTC)


def test_catch_up_sends_the_latest_step_and_records_the_others_as_skipped(store: Store) -> None:
    store.campaigns, store.versions = [campaign([-3, -1, 0])], {"c1": 1}
    store.debts["d1"] = debt(1, date(2026, 12, 7), action_at=datetime(2026, 12, 1, tzinfo=UTC))
    summary = planner(store, MONDAY_10_LIMA).run()
    assert summary.jobs == 1 and store.jobs[0].step_id == "s0"
    skipped = sorted(c.step_id for c, m in store.claims.items() if m.status is MessageStatus.SKIPPED)
    assert skipped == ["s-1", "s-3"] and store.stats["c1"].skipped == 2


def test_an_activated_campaign_puts_its_open_debts_up_for_evaluation(store: Store) -> None:
    # GIVEN an open debt with no next action, and a campaign the planner has not seen yet
    store.debts["d1"] = debt(1, date(2026, 12, 7))
    store.campaigns = [campaign([0])]
    summary = planner(store, MONDAY_10_LIMA).run()
    # THEN it is marked, planned in the same cycle (its step is within the staleness) and recorded
    assert summary.marked == 1 and summary.jobs == 1 and store.versions == {"c1": 1}
    assert planner(store, MONDAY_10_LIMA).run().marked == 0
