"""Overlays on a statutory policy: statutory ones from the data files (a US state, a pending bill) and
a tenant's own settings. Both only ever tighten: windows intersect, caps add up, the strictest wins."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import reduce

from domain.entities import Channel
from domain.errors import DomainError, ErrorCode
from domain.policy.model import (
    DAYS,
    HOLIDAY,
    DayTable,
    LocalWindow,
    ThirdPartyAccess,
    intersect,
    parse_day_table,
)
from domain.policy.rules import CapRule, ChannelBan, ConsentRule, Policy, StopRule, ThirdPartyRule, WindowRule

_STRICTNESS = {ThirdPartyAccess.ALLOW: 0, ThirdPartyAccess.LOCATION_ONCE: 1, ThirdPartyAccess.FORBID: 2}


@dataclass(frozen=True)
class TenantOverlay:
    """A tenant's own settings for one jurisdiction. They may tighten the law, never loosen it.

    `windows` replaces the hours of the day kinds given (mon..sun, holiday or ranges like "mon-fri",
    `[("09:00", "18:00")]`), each window inside the statutory ones. `block_non_working_days` blocks
    the decreed non-working days of the policy's calendar (Peru's "días no laborables").
    """

    id: str = "TENANT"
    windows: Mapping[str, Sequence[tuple[str, str]]] | None = None
    caps: Sequence[CapRule] = ()
    extra_blocked_dates: frozenset[date] = frozenset()
    block_non_working_days: bool = False
    end_buffers: Mapping[Channel, timedelta] | None = None
    require_consent: bool = False
    forbidden_channels: frozenset[Channel] = frozenset()


@dataclass(frozen=True)
class PolicyOverlay:
    """A statutory overlay from a data file; disabled ones (pending bills) apply only when enabled."""

    id: str
    version: str
    jurisdiction: str
    subdivision: str | None  # None: the whole jurisdiction
    enabled: bool
    effective_from: date | None
    effective_to: date | None
    sources: tuple[str, ...]
    windows: WindowRule | None = None
    caps: tuple[CapRule, ...] = ()
    third_party: tuple[ThirdPartyRule, ...] = ()
    channel_bans: tuple[ChannelBan, ...] = ()
    stop_events: tuple[StopRule, ...] = ()
    consent: ConsentRule | None = None
    content_forbid: tuple[str, ...] = ()
    content_require: tuple[str, ...] = ()

    def in_force(self, day: date) -> bool:
        starts = self.effective_from is None or self.effective_from <= day
        return starts and (self.effective_to is None or day < self.effective_to)


def base_windows(days: DayTable, kind: str) -> tuple[LocalWindow, ...]:
    """The windows a day kind has; a holiday without its own entry may fall on any weekday."""
    if kind in days:
        return days[kind]
    if kind == HOLIDAY:
        return reduce(intersect, (days.get(day, ()) for day in DAYS))
    return ()


def _union(first: tuple[str, ...], second: Sequence[str]) -> tuple[str, ...]:
    return first + tuple(item for item in second if item not in first)


def apply_overlay(policy: Policy, overlay: PolicyOverlay) -> Policy:
    """`policy` with a statutory overlay merged in, strictest wins."""
    windows = policy.windows
    if overlay.windows is not None:
        days = dict(windows.days)
        for kind, spans in overlay.windows.days.items():
            days[kind] = intersect(base_windows(windows.days, kind), spans)
        buffers = dict(windows.end_buffers)
        for channel, seconds in overlay.windows.end_buffers.items():
            buffers[channel] = max(seconds, buffers.get(channel, 0))
        windows = replace(
            windows,
            id=f"{windows.id}+{overlay.windows.id}",
            source=f"{windows.source}; {overlay.windows.source}",
            days=days,
            end_buffers=buffers,
        )
    third_party = {rule.recipient: rule for rule in policy.third_party}
    for rule in overlay.third_party:
        current = third_party.get(rule.recipient)
        if current is None or _STRICTNESS[rule.access] > _STRICTNESS[current.access]:
            third_party[rule.recipient] = rule
    consent = policy.consent
    if overlay.consent is not None and overlay.consent.required and not consent.required:
        consent = overlay.consent
    known_events = {rule.event for rule in policy.stop_events}
    return replace(
        policy,
        sources=_union(policy.sources, overlay.sources),
        windows=windows,
        caps=policy.caps + overlay.caps,
        third_party=tuple(third_party.values()),
        channel_bans=policy.channel_bans + overlay.channel_bans,
        stop_events=policy.stop_events + tuple(r for r in overlay.stop_events if r.event not in known_events),
        consent=consent,
        content_forbid=_union(policy.content_forbid, overlay.content_forbid),
        content_require=_union(policy.content_require, overlay.content_require),
        overlays=(*policy.overlays, overlay.id),
    )


def _loosened(message: str, field: str) -> DomainError:
    return DomainError(ErrorCode.POLICY_LOOSENED, message, field)


def _tightened_windows(policy: Policy, overlay: TenantOverlay) -> WindowRule:
    rule = policy.windows
    days = dict(rule.days)
    holiday_id, holiday_source = rule.holiday_id, rule.holiday_source
    for kind, spans in parse_day_table(overlay.windows or {}, "windows").items():
        allowed = base_windows(rule.days, kind)
        for span in spans:
            if not any(window.contains(span) for window in allowed):
                statutory = ", ".join(map(str, allowed)) or "no contact"
                raise _loosened(
                    f"{kind} {span} lies outside the statutory hours ({statutory})", f"windows.{kind}"
                )
        days[kind] = spans
        if kind == HOLIDAY and holiday_id is None:
            holiday_id, holiday_source = f"{overlay.id}-holidays", f"Tenant overlay {overlay.id}"
    buffers = dict(rule.end_buffers)
    for channel, delta in (overlay.end_buffers or {}).items():
        seconds = int(delta.total_seconds())
        if seconds < buffers.get(channel, 0):
            raise _loosened(
                f"the {channel} end buffer may not shrink below the statutory one", f"end_buffers.{channel}"
            )
        buffers[channel] = seconds
    narrowed = overlay.windows is not None or buffers != dict(rule.end_buffers)
    return replace(
        rule,
        id=f"{rule.id}+{overlay.id}" if narrowed else rule.id,
        days=days,
        end_buffers=buffers,
        holiday_id=holiday_id,
        holiday_source=holiday_source,
    )


def tighten(policy: Policy, overlay: TenantOverlay) -> Policy:
    """`policy` narrowed by a tenant overlay.

    Raises DomainError(POLICY_LOOSENED, field=...) if the overlay would allow anything the policy
    forbids, DomainError(INVALID) if it is malformed.
    """
    known = {cap.id for cap in policy.caps}
    for index, cap in enumerate(overlay.caps):
        if cap.id in known:
            raise DomainError(ErrorCode.INVALID, f"cap id {cap.id!r} is already used", f"caps[{index}].id")
        if cap.max < 0:
            raise DomainError(ErrorCode.INVALID, "a cap's max may not be negative", f"caps[{index}].max")
        known.add(cap.id)
    calendar = policy.calendar
    if overlay.extra_blocked_dates:
        calendar = replace(
            calendar,
            extra_blocked_dates=calendar.extra_blocked_dates | overlay.extra_blocked_dates,
            extra_blocked_id=f"{overlay.id}-blocked-dates",
        )
    if overlay.block_non_working_days:
        calendar = replace(calendar, block_non_working_days=True)
    consent = policy.consent
    if overlay.require_consent and not consent.required:
        consent = ConsentRule(f"{overlay.id}-consent", f"Tenant overlay {overlay.id}", required=True)
    banned = {ban.channel for ban in policy.channel_bans}
    bans = tuple(
        ChannelBan(f"{overlay.id}-no-{channel.lower()}", f"Tenant overlay {overlay.id}", channel)
        for channel in sorted(overlay.forbidden_channels - banned)
    )
    return replace(
        policy,
        windows=_tightened_windows(policy, overlay),
        calendar=calendar,
        caps=policy.caps + tuple(overlay.caps),
        consent=consent,
        channel_bans=policy.channel_bans + bans,
        overlays=(*policy.overlays, overlay.id),
    )
