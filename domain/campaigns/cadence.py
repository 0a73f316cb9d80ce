"""The cadence: which campaign step a debt reaches when, and which one is due now (pure functions).

A step at offset `n` fires on the debtor-local day `due_date + n` at the step's send time (the
campaign's default otherwise), converted to UTC with the debtor's zone. Which campaign a debt belongs
to is decided per step moment: the highest-priority ACTIVE campaign whose segment matches the debt
with the days past due of that day. So a debt ageing out of an "early" campaign's range is picked up
by a "late" one without anybody moving it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.campaigns.model import Campaign, CampaignStatus, Segment, Step
from domain.entities import Debt, DebtState, NextAction


@dataclass(frozen=True)
class Moment:
    """One step of one campaign for one debt: the day it fires and the UTC instant."""

    campaign: Campaign
    step: Step
    occurrence: date
    at: datetime

    def next_action(self, time_zone: str, jurisdiction: str, at: datetime | None = None) -> NextAction:
        return NextAction(
            at=at or self.at,
            campaign_id=self.campaign.id,
            step_id=self.step.id,
            occurrence=self.occurrence,
            time_zone=time_zone,
            jurisdiction=jurisdiction,
        )


@dataclass(frozen=True)
class CadenceDecision:
    """What the planner does with a debt now: send `due` (or nothing), record `skipped`, move on to `next`."""

    due: Moment | None
    skipped: tuple[Moment, ...]
    next: Moment | None


def local_instant(day: date, at: time, time_zone: str) -> datetime:
    """The UTC instant of a local wall-clock time. In a DST gap the clock is read forward (zoneinfo's
    fold=0 rule), on a repeated hour the first occurrence counts."""
    local = datetime.combine(day, at).replace(tzinfo=ZoneInfo(time_zone), fold=0)
    return local.astimezone(UTC)


def static_match(segment: Segment, debt: Debt) -> bool:
    """The parts of a segment that do not depend on the day: portfolio, currency, balance, tags."""
    if segment.portfolio_ids and debt.portfolio_id not in segment.portfolio_ids:
        return False
    if segment.currency and debt.currency != segment.currency:
        return False
    balance = debt.balance
    if segment.min_balance is not None and balance < segment.min_balance:
        return False
    if segment.max_balance is not None and balance > segment.max_balance:
        return False
    if segment.tags and not set(segment.tags) & set(debt.tags):
        return False
    # The debtor's band is copied onto its debts when it changes (domain/queues/refresh.py), so the
    # planner filters on it without reading debtors; a debt not scored yet matches no band.
    return not segment.risk_bands or debt.risk_band in segment.risk_bands


def dpd_match(segment: Segment, days_past_due: int) -> bool:
    if segment.min_days_past_due is not None and days_past_due < segment.min_days_past_due:
        return False
    return segment.max_days_past_due is None or days_past_due <= segment.max_days_past_due


def owner(campaigns: Sequence[Campaign], debt: Debt, days_past_due: int) -> Campaign | None:
    """The campaign a debt belongs to on a day with `days_past_due`: highest priority, then oldest."""
    matching = [
        c
        for c in campaigns
        if c.status is CampaignStatus.ACTIVE
        and static_match(c.segment, debt)
        and dpd_match(c.segment, days_past_due)
    ]
    if not matching:
        return None
    return min(
        matching, key=lambda c: (-c.priority, c.activated_at or datetime.max.replace(tzinfo=UTC), c.id)
    )


def moments(campaigns: Sequence[Campaign], debt: Debt, time_zone: str) -> list[Moment]:
    """Every step moment the debt will go through, in time order, each owned by its campaign."""
    out: list[Moment] = []
    for campaign in campaigns:
        if campaign.status is not CampaignStatus.ACTIVE or not static_match(campaign.segment, debt):
            continue
        for step in campaign.scheduled_steps():
            if owner(campaigns, debt, step.offset_days) is not campaign:
                continue
            day = debt.due_date + timedelta(days=step.offset_days)
            at = local_instant(day, step.send_time or campaign.default_send_time, time_zone)
            out.append(Moment(campaign, step, day, at))
    out.sort(key=lambda m: (m.at, -m.campaign.priority, m.step.id))
    return out


def decide(
    debt: Debt, campaigns: Sequence[Campaign], time_zone: str, now: datetime, since: datetime
) -> CadenceDecision:
    """Which moments in `[since, now]` are pending: the latest is due unless it is stale (older than
    its campaign's `staleness_days`), every other one is skipped (catch-up never sends a burst)."""
    if debt.state is not DebtState.OPEN:
        return CadenceDecision(None, (), None)
    all_moments = moments(campaigns, debt, time_zone)
    pending = [m for m in all_moments if since <= m.at <= now]
    later = next((m for m in all_moments if m.at > now), None)
    if not pending:
        return CadenceDecision(None, (), later)
    latest = pending[-1]
    if now - latest.at > timedelta(days=latest.campaign.staleness_days):
        return CadenceDecision(None, tuple(pending), later)
    return CadenceDecision(latest, tuple(pending[:-1]), later)


def evaluation_floor(debt: Debt, campaigns: Iterable[Campaign]) -> datetime | None:
    """Where the pending window starts for a debt in the due index: the scheduled moment itself, or
    for a debt only marked "evaluate" (new, re-dated, campaign activated), that mark minus the
    longest staleness, so a fresh reminder inside the staleness window is still sent."""
    action = debt.next_action
    if action is None:
        return None
    if action.campaign_id:
        # A moment the planner deferred to the next lawful window is looked at later than it fires:
        # keep it pending from the day before its occurrence (claims make any overlap harmless).
        day_before = datetime.combine(action.occurrence - timedelta(days=1), time(0, 0), tzinfo=UTC)
        return min(action.at, day_before)
    staleness = max((c.staleness_days for c in campaigns), default=0)
    return action.at - timedelta(days=staleness)


def evaluate_marker(at: datetime, debt: Debt, time_zone: str = "", jurisdiction: str = "") -> NextAction:
    """The "evaluate me" next action: no campaign yet, picked up by the next planner cycle."""
    return NextAction(
        at=at,
        campaign_id="",
        step_id="",
        occurrence=debt.due_date,
        time_zone=time_zone,
        jurisdiction=jurisdiction,
    )
