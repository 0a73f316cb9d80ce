"""GraphQL for a tenant's own tightening of the contact policies: `contactPolicySettings`,
`contactPolicyTighten`, `contactPolicyTighteningRemove` (ADMIN). The law is the floor: a setting that
would allow anything a statute forbids is refused with POLICY_LOOSENED and the field at fault."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry

from domain.campaigns.policy_settings import PolicySetting
from domain.errors import DomainError, ErrorCode
from schema.campaigns import types as t
from schema.campaigns.resolvers import reminders
from schema.common import UserError
from schema.errors import attempt, query
from schema.types import Channel

HOUR, DAY = 3600, 86400


@strawberry.input(description='Hours allowed on some days, e.g. days "mon-fri", windows ["09:00-18:00"].')
class PolicyWindowInput:
    days: str = strawberry.field(description="mon … sun, holiday, or a range like mon-fri.")
    windows: list[str] = strawberry.field(description='Local [start, end) windows "HH:MM-HH:MM"; [] = none.')


@strawberry.input(description="A frequency cap of the tenant's own, on top of the statutory ones.")
class PolicyCapInput:
    id: str
    max: int = strawberry.field(description="At most this many contacts (this one included).")
    window_days: int | None = strawberry.field(default=None, description="Over a rolling window of days.")
    calendar_day: bool = strawberry.field(default=False, description="Over the debtor's local calendar day.")
    min_gap_hours: int | None = strawberry.field(default=None, description="At least this many hours apart.")
    channels: list[Channel] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="The channels it limits and counts; default all."
    )


@strawberry.input(description="Stop this long before the end of each allowed window on a channel.")
class EndBufferInput:
    channel: Channel  # type: ignore[valid-type]
    minutes: int


@strawberry.input(description="Replaces the tenant's whole setting for the jurisdiction.")
class ContactPolicyTightenInput:
    jurisdiction: str = strawberry.field(description='PE, CO, MX, CL, US …, or "*" for every other one.')
    windows: list[PolicyWindowInput] | None = None
    caps: list[PolicyCapInput] | None = None
    extra_blocked_dates: list[date] | None = strawberry.field(default=None, description="No contact at all.")
    block_non_working_days: bool = strawberry.field(
        default=False, description="Also no contact on decreed non-working days (Peru's días no laborables)."
    )
    require_consent: bool = strawberry.field(default=False, description="Only contact points with consent.")
    forbidden_channels: list[Channel] | None = None  # type: ignore[valid-type]
    end_buffers: list[EndBufferInput] | None = None
    expected_version: int | None = strawberry.field(
        default=None,
        description="Refuse with CONFLICT unless the stored setting is at this version (0: none).",
    )


@strawberry.type(description="A frequency cap of the tenant's own.")
class PolicyCapSetting:
    id: str
    max: int
    window_days: int | None
    calendar_day: bool
    min_gap_hours: int | None
    channels: list[str]


@strawberry.type(description="One channel's end-of-window buffer.")
class EndBuffer:
    channel: str
    minutes: int


@strawberry.type(description="How the tenant tightened the law for one jurisdiction (or * for the rest).")
class ContactPolicySetting:
    jurisdiction: str
    version: int = strawberry.field(description="Rule ids of decisions under it end in +TENANT-v<version>.")
    updated_at: datetime
    updated_by: str
    windows: list[t.PolicyWindow] | None
    caps: list[PolicyCapSetting]
    extra_blocked_dates: list[date]
    block_non_working_days: bool
    require_consent: bool
    forbidden_channels: list[str]
    end_buffers: list[EndBuffer]

    @classmethod
    def of(cls, s: PolicySetting) -> ContactPolicySetting:
        d = s.data
        windows = d.get("windows")
        return cls(
            jurisdiction=s.jurisdiction,
            version=s.version,
            updated_at=s.updated_at,
            updated_by=s.updated_by,
            windows=[t.PolicyWindow(day=k, windows=[f"{a}-{b}" for a, b in v]) for k, v in windows.items()]
            if windows is not None
            else None,
            caps=[
                PolicyCapSetting(
                    id=c["id"],
                    max=c["max"],
                    window_days=c["windowSeconds"] // DAY if c.get("windowSeconds") else None,
                    calendar_day=bool(c.get("calendarDay")),
                    min_gap_hours=c["minGapSeconds"] // HOUR if c.get("minGapSeconds") else None,
                    channels=list(c.get("channels") or []),
                )
                for c in d.get("caps") or []
            ],
            extra_blocked_dates=[date.fromisoformat(x) for x in d.get("extraBlockedDates") or []],
            block_non_working_days=bool(d.get("blockNonWorkingDays")),
            require_consent=bool(d.get("requireConsent")),
            forbidden_channels=list(d.get("forbiddenChannels") or []),
            end_buffers=[
                EndBuffer(channel=k, minutes=v // 60) for k, v in (d.get("endBuffers") or {}).items()
            ],
        )


@strawberry.type
class ContactPolicyTightenPayload:
    policies: list[t.ContactPolicy] | None = strawberry.field(
        description="The effective policies the change shapes (the law with the tenant's setting)."
    )
    errors: list[UserError]


def _window(text: str, field: str) -> list[str]:
    start, sep, end = text.partition("-")
    if not sep:
        raise DomainError(ErrorCode.INVALID, f'{text!r} is not "HH:MM-HH:MM"', field)
    return [start.strip(), end.strip()]


def _data(value: ContactPolicyTightenInput) -> dict[str, Any]:
    windows = None
    if value.windows is not None:
        windows = {
            w.days: [_window(x, f"windows[{n}].windows") for x in w.windows]
            for n, w in enumerate(value.windows)
        }
    return {
        "windows": windows,
        "caps": [
            {
                "id": c.id,
                "max": c.max,
                "windowSeconds": c.window_days * DAY if c.window_days is not None else None,
                "calendarDay": c.calendar_day,
                "minGapSeconds": c.min_gap_hours * HOUR if c.min_gap_hours is not None else None,
                "channels": [str(x.value) for x in c.channels or []],
            }
            for c in value.caps or []
        ],
        "extraBlockedDates": [d.isoformat() for d in value.extra_blocked_dates or []],
        "blockNonWorkingDays": value.block_non_working_days,
        "requireConsent": value.require_consent,
        "forbiddenChannels": [str(c.value) for c in value.forbidden_channels or []],
        "endBuffers": {str(b.channel.value): b.minutes * 60 for b in value.end_buffers or []},
    }


@strawberry.type
class PolicyQueries:
    @strawberry.field(
        description="How this tenant tightened the statutory contact policies, per jurisdiction."
    )
    def contact_policy_settings(self, info: strawberry.Info) -> list[ContactPolicySetting]:
        found = query(lambda: reminders(info).policy_settings.settings(info.context.principal))
        return [ContactPolicySetting.of(s) for s in found]


@strawberry.type
class PolicyMutations:
    @strawberry.mutation(
        description="Tighten a statutory contact policy for this tenant (shorter hours, more blocked days, "
        "caps of its own, consent, banned channels). Never loosens: POLICY_LOOSENED names the field. ADMIN."
    )
    def contact_policy_tighten(
        self, info: strawberry.Info, input: ContactPolicyTightenInput
    ) -> ContactPolicyTightenPayload:
        result, errors = attempt(
            lambda: reminders(info).policy_settings.tighten(
                info.context.principal, input.jurisdiction, _data(input), input.expected_version
            )
        )
        return _payload(result, errors)

    @strawberry.mutation(
        description="Drop the tenant's setting for a jurisdiction: the statute alone applies."
    )
    def contact_policy_tightening_remove(
        self, info: strawberry.Info, jurisdiction: str
    ) -> ContactPolicyTightenPayload:
        result, errors = attempt(
            lambda: reminders(info).policy_settings.remove(info.context.principal, jurisdiction)
        )
        return _payload(result, errors)


def _payload(result: Any, errors: list[UserError]) -> ContactPolicyTightenPayload:
    policies = [t.ContactPolicy.of(p) for p in result] if result is not None else None
    return ContactPolicyTightenPayload(policies=policies, errors=errors)
