"""The policy data: contact hours, calendar, caps, consent, third parties, opt-out and stop rules.

Every rule carries its `id` and legal `source`, so a decision can name the rules behind it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from domain.entities import Channel
from domain.policy.model import (
    AttemptKind,
    CapMetric,
    DayTable,
    Direction,
    OverrideInstrument,
    Recipient,
    ThirdPartyAccess,
    TimeBasis,
)


@dataclass(frozen=True)
class WindowRule:
    """Contact hours per day kind; a day kind absent from `days` falls back to its weekday."""

    id: str
    source: str
    days: DayTable
    channels: frozenset[Channel]
    holiday_id: str | None = None  # set when `days` has a "holiday" entry
    holiday_source: str = ""
    end_buffers: Mapping[Channel, int] = field(default_factory=dict)  # seconds before a window's end
    end_buffer_id: str = ""
    end_buffer_source: str = ""


@dataclass(frozen=True)
class CalendarRule:
    """Which local dates are holidays or blocked outright."""

    country: str | None  # `holidays` country code; "*" = the jurisdiction's own code (DEFAULT policy)
    subdiv: str | None = None
    non_working_days: frozenset[date] = frozenset()  # decreed days that are not legal holidays (PE)
    non_working_id: str = ""
    non_working_source: str = ""
    block_non_working_days: bool = False
    extra_blocked_dates: frozenset[date] = frozenset()
    extra_blocked_id: str = ""


@dataclass(frozen=True)
class CapRule:
    """A frequency limit over a rolling window or the debtor's local calendar day."""

    id: str
    source: str
    max: int
    metric: CapMetric = CapMetric.COUNT
    window: timedelta | None = None  # rolling `(t - window, t]`; None with calendar_day
    calendar_day: bool = False
    min_gap: timedelta | None = None
    channels: frozenset[Channel] = frozenset(Channel)  # the requests it limits
    count_channels: frozenset[Channel] = frozenset(Channel)  # the history it counts
    kinds: frozenset[AttemptKind] = frozenset(AttemptKind)
    directions: frozenset[Direction] = frozenset({Direction.OUTBOUND})
    per_debt: bool = False
    exempt_requested: bool = False
    per_channel: bool = False  # count only past contacts on the request's own channel

    def span(self) -> timedelta:
        """How far back this cap looks."""
        # A local calendar day can reach up to ~26 h back in UTC; two days covers any zone.
        reach = timedelta(days=2) if self.calendar_day else self.window or timedelta(0)
        return max(reach, self.min_gap or timedelta(0))


@dataclass(frozen=True)
class ConsentRule:
    id: str
    source: str
    required: bool


@dataclass(frozen=True)
class OverrideRule:
    id: str
    source: str
    accepts: frozenset[OverrideInstrument] = frozenset()
    after_contract: bool = False  # the instrument must be signed after the contract


@dataclass(frozen=True)
class ThirdPartyRule:
    id: str
    source: str
    recipient: Recipient
    access: ThirdPartyAccess


@dataclass(frozen=True)
class ChannelBan:
    id: str
    source: str
    channel: Channel


@dataclass(frozen=True)
class OptOutRule:
    id: str
    source: str
    notice_channels: frozenset[Channel] = frozenset()
    keywords: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ("address", "medium", "all")


@dataclass(frozen=True)
class StopRule:
    id: str
    source: str
    event: str


@dataclass(frozen=True)
class Policy:
    """The statutory policy in force for one jurisdiction over one period, overlays applied."""

    id: str
    version: str
    jurisdiction: str
    time_zone: str
    effective_from: date | None
    effective_to: date | None  # exclusive
    sources: tuple[str, ...]
    time_basis: TimeBasis
    windows: WindowRule
    calendar: CalendarRule
    caps: tuple[CapRule, ...]
    consent: ConsentRule
    hours_override: OverrideRule
    third_party: tuple[ThirdPartyRule, ...]
    channel_bans: tuple[ChannelBan, ...]
    opt_out: OptOutRule
    stop_events: tuple[StopRule, ...]
    content_forbid: tuple[str, ...] = ()
    content_require: tuple[str, ...] = ()
    overlays: tuple[str, ...] = ()

    @property
    def opt_out_keywords(self) -> tuple[str, ...]:
        """Words that, anywhere in a reply, mean "stop contacting me" (lower case)."""
        return self.opt_out.keywords

    def requires_opt_out_notice(self, channel: Channel) -> bool:
        """Whether a message on `channel` must carry a clear opt-out instruction."""
        return channel in self.opt_out.notice_channels

    def is_opt_out_message(self, text: str) -> bool:
        """True if a free-text reply contains an opt-out keyword as a whole word ("Please STOP")."""
        words = f" {' '.join(_words(text))} "
        return any(f" {' '.join(_words(keyword))} " in words for keyword in self.opt_out.keywords)

    def third_party_access(self, recipient: Recipient) -> ThirdPartyRule | None:
        """The rule for contacting `recipient` (None: allowed like the debtor)."""
        return next((rule for rule in self.third_party if rule.recipient == recipient), None)

    def lookback(self) -> timedelta:
        """How much contact history the caps need."""
        return max((cap.span() for cap in self.caps), default=timedelta(0))

    def in_force(self, day: date) -> bool:
        starts = self.effective_from is None or self.effective_from <= day
        return starts and (self.effective_to is None or day < self.effective_to)


def _words(text: str) -> list[str]:
    # Accents and case are folded so "BAJA", "baja" and "bajá" match alike.
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.findall(r"[a-z0-9]+", folded)
