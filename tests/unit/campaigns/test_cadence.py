"""The cadence: step moments in the debtor's zone, campaign ownership by priority and days past due,
catch-up (only the latest due step, stale ones skipped), and the evaluation floor."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from domain.campaigns.cadence import decide, evaluation_floor, local_instant, moments, owner
from domain.campaigns.model import Campaign, CampaignStatus, Segment, Step
from domain.entities import Debt, DebtKind, NextAction
from domain.templates import TemplateChannel

LIMA = "America/Lima"


def debt(due: date, **kw: object) -> Debt:
    base: dict[str, object] = dict(
        tenant="acme",
        id="d1",
        debtor_id="dr1",
        portfolio_id="pf1",
        external_id="e1",
        kind=DebtKind.INVOICE,
        currency="PEN",
        original_amount=Decimal("100.00"),
        issue_date=due - timedelta(days=30),
        due_date=due,
    )
    base.update(kw)
    return Debt(**base)  # type: ignore[arg-type]


def campaign(cid: str, offsets: list[int], priority: int = 1, segment: Segment | None = None) -> Campaign:
    steps = [Step(f"s{i}", o, TemplateChannel.SMS, "tpl") for i, o in enumerate(offsets, 1)]
    return Campaign(
        tenant="acme",
        id=cid,
        name=cid,
        priority=priority,
        status=CampaignStatus.ACTIVE,
        segment=segment or Segment(),
        steps=steps,
        locales=["es-PE"],
    )


def test_a_step_fires_at_the_send_time_in_the_debtors_zone() -> None:
    # GIVEN a debt due on 1 Dec and a campaign with steps -1, 0, +7 at 09:00
    d, c = debt(date(2026, 12, 1)), campaign("c1", [-1, 0, 7])
    # WHEN its moments are listed for a debtor in Lima (UTC-5)
    got = moments([c], d, LIMA)
    # THEN each step fires at 09:00 Lima = 14:00 UTC on its day
    assert [(m.step.offset_days, m.at) for m in got] == [
        (-1, datetime(2026, 11, 30, 14, 0, tzinfo=UTC)),
        (0, datetime(2026, 12, 1, 14, 0, tzinfo=UTC)),
        (7, datetime(2026, 12, 8, 14, 0, tzinfo=UTC)),
    ]


def test_local_instant_reads_a_dst_gap_forward() -> None:
    # 02:30 does not exist in New York on 2025-03-09; zoneinfo's fold=0 reads it as 03:30 EDT
    assert local_instant(date(2025, 3, 9), time(2, 30), "America/New_York") == datetime(
        2025, 3, 9, 7, 30, tzinfo=UTC
    )


def test_the_highest_priority_matching_campaign_owns_each_step() -> None:
    # GIVEN an early campaign (dpd <= 30, priority 1) and a late one (dpd >= 31, priority 1), and a
    # catch-all with priority 0
    early = campaign("early", [0, 7, 30], segment=Segment(max_days_past_due=30))
    late = campaign("late", [31, 60], segment=Segment(min_days_past_due=31))
    catch_all = campaign("all", [0, 31, 90], priority=0)
    d = debt(date(2026, 12, 1))
    # WHEN the debt's moments are listed
    got = [(m.campaign.id, m.step.offset_days) for m in moments([early, late, catch_all], d, LIMA)]
    # THEN each day belongs to the best campaign for that day's days past due; on day 90 the debt is
    # still in the late campaign (it matches and outranks the catch-all), which has no step then
    assert got == [("early", 0), ("early", 7), ("early", 30), ("late", 31), ("late", 60)]
    assert owner([early, late, catch_all], d, 45) is late


def test_segments_filter_by_portfolio_currency_balance_and_tags() -> None:
    seg = Segment(portfolio_ids=("pf1",), currency="PEN", min_balance=Decimal("50"), tags=("vip", "retail"))
    c = campaign("c", [0], segment=seg)
    assert moments([c], debt(date(2026, 12, 1), tags=["retail"]), LIMA)
    assert not moments([c], debt(date(2026, 12, 1), tags=["other"]), LIMA)
    assert not moments([c], debt(date(2026, 12, 1), tags=["vip"], currency="COP"), LIMA)
    assert not moments([c], debt(date(2026, 12, 1), tags=["vip"], paid_total=Decimal("60")), LIMA)
    assert not moments([c], debt(date(2026, 12, 1), tags=["vip"], portfolio_id="pf2"), LIMA)


def test_catch_up_sends_only_the_latest_due_step_and_skips_the_others() -> None:
    # GIVEN steps at -1, 0, +1 and a planner that last ran before the -1 step
    c = campaign("c", [-1, 0, 1, 7])
    d = debt(date(2026, 12, 1))
    since = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
    now = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # the +1 step fired an hour ago
    # WHEN the cadence decides
    decision = decide(d, [c], LIMA, now, since)
    # THEN only +1 is due, -1 and 0 are skipped, and +7 is next
    assert decision.due is not None and decision.due.step.offset_days == 1
    assert [m.step.offset_days for m in decision.skipped] == [-1, 0]
    assert decision.next is not None and decision.next.step.offset_days == 7


def test_a_step_older_than_the_staleness_is_skipped_not_sent() -> None:
    c = campaign("c", [0, 30])
    c.staleness_days = 3
    d = debt(date(2026, 12, 1))
    now = datetime(2026, 12, 5, 15, 0, tzinfo=UTC)  # step 0 fired 4 days and 1 hour ago
    decision = decide(d, [c], LIMA, now, datetime(2026, 11, 30, tzinfo=UTC))
    assert decision.due is None
    assert [m.step.offset_days for m in decision.skipped] == [0]


def test_paid_or_disputed_debts_have_nothing_due_and_nothing_next() -> None:
    c = campaign("c", [0, 7])
    paid = debt(date(2026, 12, 1), paid_total=Decimal("100.00"))
    disputed = debt(date(2026, 12, 1), disputed=True)
    for d in (paid, disputed):
        decision = decide(
            d, [c], LIMA, datetime(2026, 12, 1, 15, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
        )
        assert decision.due is None and decision.next is None and not decision.skipped


def test_evaluation_floor_of_a_mark_reaches_back_by_the_staleness() -> None:
    c = campaign("c", [0])
    c.staleness_days = 3
    at = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
    d = debt(date(2026, 12, 1), next_action=NextAction(at, "", "", date(2026, 12, 1)))
    assert evaluation_floor(d, [c]) == at - timedelta(days=3)
    # a scheduled (possibly deferred) moment stays pending from the day before its occurrence
    deferred = NextAction(datetime(2026, 12, 7, 12, 0, tzinfo=UTC), "c", "s1", date(2026, 12, 5))
    d.next_action = deferred
    assert evaluation_floor(d, [c]) == datetime(2026, 12, 4, 0, 0, tzinfo=UTC)
