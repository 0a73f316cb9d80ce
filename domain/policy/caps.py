"""Frequency caps: which past contacts count, whether a cap allows a contact at an instant, when it frees."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.entities import Channel
from domain.policy.model import CapMetric, ContactRecord, ContactRequest
from domain.policy.rules import CapRule
from domain.policy.windows import wall_to_utc


def cap_applies(cap: CapRule, request: ContactRequest) -> bool:
    """Whether `cap` limits this request at all (its channel; requested information is exempt)."""
    return request.channel in cap.channels and not (cap.exempt_requested and request.requested_information)


def _same_person(record: ContactRecord, request: ContactRequest) -> bool:
    if record.person is not None and request.person is not None:
        return record.person == request.person
    return record.recipient == request.recipient


@dataclass(frozen=True)
class CapCheck:
    """One cap bound to one request and its counted history."""

    cap: CapRule
    channel: Channel
    groups: tuple[tuple[ContactRecord, ...], ...]  # one group per debt when the cap is per debt
    tz: ZoneInfo  # the debtor's own zone: calendar-day caps follow their local date

    @classmethod
    def build(
        cls, cap: CapRule, request: ContactRequest, history: Sequence[ContactRecord], tz: ZoneInfo
    ) -> CapCheck:
        records = tuple(
            r
            for r in history
            if r.channel in cap.count_channels
            and r.kind in cap.kinds
            and r.direction in cap.directions
            and _same_person(r, request)
            and (not cap.per_channel or r.channel == request.channel)
            and not (cap.exempt_requested and r.requested_by_debtor)
        )
        if not cap.per_debt or not request.debt_ids:
            return cls(cap, request.channel, (records,), tz)
        # A contact about several debts (or about none in particular) counts against each of them.
        groups = tuple(
            tuple(r for r in records if not r.debt_ids or d in r.debt_ids) for d in request.debt_ids
        )
        return cls(cap, request.channel, groups, tz)

    def _inside(self, group: tuple[ContactRecord, ...], t: datetime) -> list[ContactRecord]:
        if self.cap.calendar_day:
            day = t.astimezone(self.tz).date()
            return [r for r in group if r.at.astimezone(self.tz).date() == day]
        window = self.cap.window or timedelta(0)
        # Rolling window (t - window, t]: a contact exactly `window` ago has just left it. Contacts
        # stamped after t (clock skew between workers) are kept, which errs on the safe side.
        return [r for r in group if r.at > t - window]

    def _group_allows(self, group: tuple[ContactRecord, ...], t: datetime) -> bool:
        cap = self.cap
        if cap.min_gap is not None and any(r.at > t - cap.min_gap for r in group):
            return False
        inside = self._inside(group, t)
        if cap.metric is CapMetric.QUIET_AFTER:
            return not inside
        if cap.metric is CapMetric.DISTINCT_CHANNELS:
            return len({r.channel for r in inside} | {self.channel}) <= cap.max
        return len(inside) + 1 <= cap.max

    def allows(self, t: datetime) -> bool:
        """Whether a contact at `t` stays within the cap."""
        return all(self._group_allows(group, t) for group in self.groups)

    def frees_at(self, t: datetime, until: datetime) -> datetime | None:
        """The earliest instant in `(t, until]` at which the cap allows the contact, or None."""
        cap = self.cap
        candidates: set[datetime] = set()
        for group in self.groups:
            for record in group:
                if cap.window is not None:
                    candidates.add(record.at + cap.window)
                if cap.min_gap is not None:
                    candidates.add(record.at + cap.min_gap)
        if cap.calendar_day:
            today = t.astimezone(self.tz).date()
            for offset in range(1, (until - t).days + 3):
                candidates.add(wall_to_utc(today + timedelta(days=offset), 0, self.tz))
        return next((c for c in sorted(candidates) if t < c <= until and self.allows(c)), None)
