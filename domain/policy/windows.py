"""Contact windows in local wall-clock time: holidays, end buffers and DST-safe conversions to UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from domain.entities import Channel
from domain.errors import DomainError, ErrorCode
from domain.policy.model import DAYS, HOLIDAY, DayTable, LocalWindow
from domain.policy.rules import Policy


@lru_cache(maxsize=512)
def zone(key: str) -> ZoneInfo:
    """The IANA zone `key`; DomainError(INVALID_TIME_ZONE) if unknown."""
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise DomainError(ErrorCode.INVALID_TIME_ZONE, f"unknown time zone {key!r}", "time_zones") from exc


@lru_cache(maxsize=64)
def holidays_supported(country: str) -> bool:
    """Whether the `holidays` package has a calendar for `country`."""
    try:
        holidays.country_holidays(country)
    except NotImplementedError:
        return False
    return True


@lru_cache(maxsize=1024)
def holiday_dates(country: str, subdiv: str | None, year: int) -> frozenset[date]:
    """Public holidays of `country` (and region `subdiv`) in `year`, cached per (country, subdiv, year)."""
    known = holidays.country_holidays(country).subdivisions
    if subdiv is not None and subdiv not in known:
        if known:  # a region code we cannot resolve could hide a regional holiday: refuse, don't guess
            raise DomainError(ErrorCode.INVALID, f"{country} has no subdivision {subdiv!r}", "subdivision")
        subdiv = None  # the country has no regional calendars at all
    return frozenset(holidays.country_holidays(country, subdiv=subdiv, years=year))


def wall_to_utc(day: date, second: int, tz: ZoneInfo, fold: int = 0) -> datetime:
    """The instant the wall clock in `tz` shows `day` + `second`.

    Ambiguous times (clocks set back) take `fold`. A time that does not exist (clocks set forward)
    maps to the end of the gap: the first real instant whose wall time is not earlier.
    """
    naive = datetime.combine(day, time()) + timedelta(seconds=second)
    instant = naive.replace(tzinfo=tz, fold=fold).astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) == naive:
        return instant
    a = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    b = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    lo, hi = int(min(a, b).timestamp()), int(max(a, b).timestamp())
    while lo < hi:  # binary search over whole seconds: transitions happen on whole seconds
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, tz).replace(tzinfo=None) >= naive:
            hi = mid
        else:
            lo = mid + 1
    return datetime.fromtimestamp(lo, UTC)


def wall_starts(day: date, second: int, tz: ZoneInfo) -> list[datetime]:
    """The instants a window starting at wall time `second` opens: two when that hour repeats."""
    naive = datetime.combine(day, time()) + timedelta(seconds=second)
    if naive.replace(tzinfo=tz, fold=0).utcoffset() == naive.replace(tzinfo=tz, fold=1).utcoffset():
        return [naive.replace(tzinfo=tz).astimezone(UTC)]  # the usual case: neither gap nor repeat
    return sorted({wall_to_utc(day, second, tz, 0), wall_to_utc(day, second, tz, 1)})


@dataclass(frozen=True)
class WindowPlan:
    """The windows that govern one request: which zones, which day table, which channel buffer."""

    policy: Policy
    channel: Channel
    zones: tuple[ZoneInfo, ...]
    table: DayTable
    subdiv: str | None
    rule_id: str  # reported when the plain hours are closed (the window rule, or the override's)

    @property
    def applies(self) -> bool:
        return self.channel in self.policy.windows.channels

    def _day(self, day: date) -> tuple[tuple[LocalWindow, ...], str | None]:
        """The untrimmed windows of a local date and the rule that made it special, if any."""
        calendar = self.policy.calendar
        if day in calendar.extra_blocked_dates:
            return (), calendar.extra_blocked_id
        if calendar.block_non_working_days and day in calendar.non_working_days:
            return (), calendar.non_working_id
        if (
            HOLIDAY in self.table
            and calendar.country
            and day in holiday_dates(calendar.country, self.subdiv, day.year)
        ):
            return self.table[HOLIDAY], self.policy.windows.holiday_id
        return self.table.get(DAYS[day.weekday()], ()), None

    def _trimmed(self, windows: tuple[LocalWindow, ...]) -> list[LocalWindow]:
        buffer = self.policy.windows.end_buffers.get(self.channel, 0)
        return [w for w in (window.trimmed(buffer) for window in windows) if w is not None]

    def _closed_in(self, instant: datetime, tz: ZoneInfo) -> str | None:
        local = instant.astimezone(tz)
        windows, special = self._day(local.date())
        second = local.hour * 3600 + local.minute * 60 + local.second
        if any(w.start <= second < w.end for w in self._trimmed(windows)):
            return None
        if any(w.start <= second < w.end for w in windows):
            return self.policy.windows.end_buffer_id
        return special or self.rule_id

    def closed_by(self, instant: datetime) -> str | None:
        """None if every zone allows `instant`, else the id of the rule that closes it."""
        for tz in self.zones:
            rule = self._closed_in(instant, tz)
            if rule is not None:
                return rule
        return None

    def next_open(self, start: datetime, until: datetime) -> datetime | None:
        """The earliest instant in `[start, until]` that every zone allows, or None.

        The allowed set is an intersection of half-open spans, so it opens at some zone's window
        start. Starts are generated day by day and checked once no later day can precede them.
        """
        if self.closed_by(start) is None:
            return start
        firsts = [start.astimezone(tz).date() for tz in self.zones]
        pending: list[datetime] = []
        for offset in range((until - start).days + 2):
            for tz, first in zip(self.zones, firsts, strict=True):
                day = first + timedelta(days=offset)
                for window in self._trimmed(self._day(day)[0]):
                    pending += [i for i in wall_starts(day, window.start, tz) if start < i <= until]
            # Every start still to come is on a later local day in its zone, so not before this frontier.
            frontier = min(
                wall_to_utc(f + timedelta(days=offset + 1), 0, tz)
                for tz, f in zip(self.zones, firsts, strict=True)
            )
            pending.sort()
            while pending and pending[0] < frontier:
                candidate = pending.pop(0)
                if self.closed_by(candidate) is None:
                    return candidate
        return next((c for c in pending if self.closed_by(c) is None), None)
