"""A tenant's tightening of a contact policy as plain, JSON-safe data (storage and API), and back."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from domain.entities import Channel
from domain.errors import DomainError, ErrorCode
from domain.policy.overlays import TenantOverlay
from domain.policy.rules import CapRule

MAX_CAPS = 10
MAX_BLOCKED_DATES = 366


def overlay_to_data(overlay: TenantOverlay) -> dict[str, Any]:
    return {
        "windows": {k: [list(pair) for pair in v] for k, v in (overlay.windows or {}).items()}
        if overlay.windows is not None
        else None,
        "caps": [_cap_to_data(c) for c in overlay.caps],
        "extraBlockedDates": sorted(d.isoformat() for d in overlay.extra_blocked_dates),
        "blockNonWorkingDays": overlay.block_non_working_days,
        "endBuffers": {str(k): int(v.total_seconds()) for k, v in (overlay.end_buffers or {}).items()},
        "requireConsent": overlay.require_consent,
        "forbiddenChannels": sorted(str(c) for c in overlay.forbidden_channels),
    }


def overlay_from_data(data: Mapping[str, Any], overlay_id: str, source: str) -> TenantOverlay:
    """The overlay `data` describes; DomainError(INVALID, field) when malformed."""
    windows = data.get("windows")
    caps = data.get("caps") or []
    blocked = data.get("extraBlockedDates") or []
    if len(caps) > MAX_CAPS:
        raise DomainError(ErrorCode.INVALID, f"at most {MAX_CAPS} caps", "caps")
    if len(blocked) > MAX_BLOCKED_DATES:
        raise DomainError(
            ErrorCode.INVALID, f"at most {MAX_BLOCKED_DATES} blocked dates", "extraBlockedDates"
        )
    return TenantOverlay(
        id=overlay_id,
        windows={str(k): [tuple(pair) for pair in v] for k, v in windows.items()}
        if windows is not None
        else None,
        caps=tuple(_cap_from_data(c, f"caps[{n}]", source) for n, c in enumerate(caps)),
        extra_blocked_dates=frozenset(_date(d, "extraBlockedDates") for d in blocked),
        block_non_working_days=bool(data.get("blockNonWorkingDays")),
        end_buffers={
            _channel(k, "endBuffers"): timedelta(seconds=_seconds(v, "endBuffers"))
            for k, v in (data.get("endBuffers") or {}).items()
        }
        or None,
        require_consent=bool(data.get("requireConsent")),
        forbidden_channels=frozenset(
            _channel(c, "forbiddenChannels") for c in data.get("forbiddenChannels") or []
        ),
    )


def _cap_to_data(cap: CapRule) -> dict[str, Any]:
    return {
        "id": cap.id,
        "max": cap.max,
        "windowSeconds": int(cap.window.total_seconds()) if cap.window else None,
        "calendarDay": cap.calendar_day,
        "minGapSeconds": int(cap.min_gap.total_seconds()) if cap.min_gap else None,
        "channels": sorted(str(c) for c in cap.channels),
    }


def _cap_from_data(raw: Mapping[str, Any], field: str, source: str) -> CapRule:
    cap_id = str(raw.get("id") or "").strip()
    if not cap_id or len(cap_id) > 40:
        raise DomainError(ErrorCode.INVALID, "a cap needs an id of 1 to 40 characters", f"{field}.id")
    window = raw.get("windowSeconds")
    gap = raw.get("minGapSeconds")
    calendar_day = bool(raw.get("calendarDay"))
    if (window is None) == (not calendar_day) and gap is None:
        raise DomainError(
            ErrorCode.INVALID, "a cap counts over a rolling window or the calendar day (one of them)", field
        )
    if window is not None and calendar_day:
        raise DomainError(ErrorCode.INVALID, "a rolling window or the calendar day, not both", field)
    channels = frozenset(_channel(c, f"{field}.channels") for c in raw.get("channels") or []) or frozenset(
        Channel
    )
    maximum = raw.get("max")
    if not isinstance(maximum, int) or maximum < 0:
        raise DomainError(ErrorCode.INVALID, "a cap's max is a whole number ≥ 0", f"{field}.max")
    return CapRule(
        id=cap_id,
        source=source,
        max=maximum,
        window=timedelta(seconds=_seconds(window, f"{field}.window")) if window is not None else None,
        calendar_day=calendar_day,
        min_gap=timedelta(seconds=_seconds(gap, f"{field}.minGap")) if gap is not None else None,
        channels=channels,
        count_channels=channels,
    )


def _seconds(value: Any, field: str) -> int:
    if not isinstance(value, int) or value <= 0 or value > 366 * 86400:
        raise DomainError(ErrorCode.INVALID, "a duration is a positive number of seconds up to a year", field)
    return value


def _channel(value: Any, field: str) -> Channel:
    try:
        return Channel(str(value))
    except ValueError:
        raise DomainError(ErrorCode.INVALID, f"unknown channel {value!r}", field) from None


def _date(value: Any, field: str) -> date:
    try:
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        raise DomainError(ErrorCode.INVALID, f"{value!r} is not an ISO date", field) from None
