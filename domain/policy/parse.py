"""Parses one policy data file into `Policy` versions or a `PolicyOverlay`, validating every field.

A jurisdiction file (`PE.yaml`) holds `jurisdiction`, `time_zone` and a list of `versions`, each in
force over `effective: {from, to}` (`to` exclusive, local dates). An overlay file (`US-MA.yaml`)
holds `jurisdiction` and one `overlay`. Errors raise `PolicyFileError` naming the file and field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from domain.entities import Channel
from domain.policy.model import (
    DAYS,
    HOLIDAY,
    AttemptKind,
    CapMetric,
    Direction,
    LocalWindow,
    OverrideInstrument,
    Recipient,
    ThirdPartyAccess,
    TimeBasis,
    expand_day_keys,
)
from domain.policy.overlays import PolicyOverlay
from domain.policy.reader import Node, PolicyFileError
from domain.policy.rules import (
    CalendarRule,
    CapRule,
    ChannelBan,
    ConsentRule,
    OptOutRule,
    OverrideRule,
    Policy,
    StopRule,
    ThirdPartyRule,
    WindowRule,
)
from domain.policy.windows import holidays_supported


def _windows(node: Node, complete: bool) -> WindowRule:
    rule_id, source = node.rule()
    days_node = node.child("days")
    days: dict[str, tuple[LocalWindow, ...]] = {}
    for key in list(days_node.data):
        spans = days_node.get(key)
        try:
            windows = tuple(sorted(LocalWindow.parse(*pair) for pair in spans))
            for day in expand_day_keys(str(key)):
                if day in days or day == HOLIDAY:
                    raise ValueError(f"{day} is given twice" if day in days else "use the `holiday` block")
                days[day] = windows
        except (TypeError, ValueError) as exc:
            raise days_node.error(str(key), str(exc)) from None
    if complete and (missing := [d for d in DAYS if d not in days]):
        raise days_node.error(missing[0], "every weekday needs an entry ([] = no contact)")
    holiday_id, holiday_source = None, ""
    if node.get("holiday") is not None:
        holiday = node.child("holiday")
        holiday_id, holiday_source = holiday.rule()
        try:
            days[HOLIDAY] = tuple(sorted(LocalWindow.parse(*pair) for pair in holiday.get("windows", [])))
        except (TypeError, ValueError) as exc:
            raise holiday.error("windows", str(exc)) from None
        holiday.close()
    buffers: dict[Channel, int] = {}
    buffer_id = buffer_source = ""
    if node.get("end_buffer") is not None:
        buffer = node.child("end_buffer")
        buffer_id, buffer_source = buffer.rule()
        for key in [k for k in buffer.data if k not in ("id", "source")]:
            channel = buffer.member(key, Channel, key)
            buffers[channel] = int((buffer.duration(key) or timedelta(0)).total_seconds())
        buffer.close()
    channels = node.enums("channels", Channel, frozenset(Channel))
    days_node.close()
    node.close()
    return WindowRule(
        rule_id, source, days, channels, holiday_id, holiday_source, buffers, buffer_id, buffer_source
    )


def _calendar(node: Node) -> CalendarRule:
    country = node.get("holidays")
    if country is not None and (
        not isinstance(country, str) or not (country == "*" or holidays_supported(country))
    ):
        raise node.error("holidays", "expected a country code the `holidays` package knows, '*' or null")
    calendar = CalendarRule(country=country)
    if node.get("non_working_days") is not None:
        days = node.child("non_working_days")
        rule_id, source = days.rule()
        dates = days.get("dates", [])
        if not isinstance(dates, list) or not all(isinstance(d, date) for d in dates):
            raise days.error("dates", "expected a list of dates")
        calendar = CalendarRule(country, None, frozenset(dates), rule_id, source, days.flag("block", False))
        days.close()
    node.close()
    return calendar


def _cap(node: Node) -> CapRule:
    rule_id, source = node.rule()
    metric = node.one("metric", CapMetric) if node.get("metric") is not None else CapMetric.COUNT
    quiet = metric is CapMetric.QUIET_AFTER  # "none while an event is in the window": no max needed
    limit = node.get("max", 0 if quiet else None)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < (0 if quiet else 1):
        raise node.error("max", "expected a positive integer")
    calendar_day = node.get("window") == "calendar_day"
    window = None if calendar_day else node.duration("window")
    if window is None and not calendar_day:
        raise node.error("window", "expected a duration like 7d or calendar_day")
    per = node.strings("per") or ("person",)
    if not set(per) <= {"person", "debt", "channel"} or "person" not in per:
        raise node.error("per", "expected person, optionally with debt and/or channel")
    channels = node.enums("channels", Channel, frozenset(Channel))
    cap = CapRule(
        id=rule_id,
        source=source,
        max=limit,
        metric=metric,
        window=window,
        calendar_day=calendar_day,
        min_gap=node.duration("min_gap"),
        channels=channels,
        count_channels=node.enums("count_channels", Channel, channels),
        kinds=node.enums("kinds", AttemptKind, frozenset(AttemptKind)),
        directions=node.enums("directions", Direction, frozenset({Direction.OUTBOUND})),
        per_debt="debt" in per,
        exempt_requested=node.flag("exempt_requested", False),
        per_channel="channel" in per,
    )
    node.close()
    return cap


def _third_party(node: Node) -> ThirdPartyRule:
    rule = ThirdPartyRule(
        *node.rule(), node.one("recipient", Recipient), node.one("access", ThirdPartyAccess)
    )
    node.close()
    return rule


def _ban(node: Node) -> ChannelBan:
    ban = ChannelBan(*node.rule(), node.one("channel", Channel))
    node.close()
    return ban


def _stop(node: Node) -> StopRule:
    stop = StopRule(*node.rule(), node.text("event"))
    node.close()
    return stop


def _sections(node: Node) -> dict[str, Any]:
    """The rule lists shared by versions and overlays."""
    sections: dict[str, Any] = {
        "caps": tuple(_cap(child) for child in node.children("caps")),
        "third_party": tuple(_third_party(child) for child in node.children("third_party")),
        "channel_bans": tuple(_ban(child) for child in node.children("channel_bans")),
        "stop_events": tuple(_stop(child) for child in node.children("stop_events")),
    }
    if node.get("content") is not None:
        content = node.child("content")
        sections["content_forbid"] = content.strings("forbid")
        sections["content_require"] = content.strings("require")
        content.close()
    return sections


def _versioning(node: Node) -> dict[str, Any]:
    effective = node.child("effective")
    start, end = effective.day("from"), effective.day("to")
    if start is not None and end is not None and end <= start:
        raise effective.error("to", "must come after `from`")
    effective.close()
    return {
        "id": node.text("id"),
        "version": str(node.req("version")),
        "effective_from": start,
        "effective_to": end,
        "sources": node.strings("sources"),
    }


def _policy(node: Node, jurisdiction: str, time_zone: str) -> Policy:
    consent, override, opt_out = (
        node.child("channel_consent"),
        node.child("hours_override"),
        node.child("opt_out"),
    )
    policy = Policy(
        **_versioning(node),
        jurisdiction=jurisdiction,
        time_zone=time_zone,
        time_basis=node.one("time_basis", TimeBasis),
        windows=_windows(node.child("windows"), complete=True),
        calendar=_calendar(node.child("calendar")),
        consent=ConsentRule(*consent.rule(), required=consent.flag("required", False)),
        hours_override=OverrideRule(
            *override.rule(),
            accepts=override.enums("accepts", OverrideInstrument, frozenset()),
            after_contract=override.flag("after_contract", False),
        ),
        opt_out=OptOutRule(
            *opt_out.rule(),
            notice_channels=opt_out.enums("notice_channels", Channel, frozenset()),
            keywords=tuple(k.lower() for k in opt_out.strings("keywords")),
            scopes=opt_out.strings("scopes") or ("address", "medium", "all"),
        ),
        **_sections(node),
    )
    for child in (consent, override, opt_out, node):
        child.close()
    return policy


def _overlay(node: Node, jurisdiction: str) -> PolicyOverlay:
    subdivision = node.get("subdivision")
    consent = None
    if node.get("channel_consent") is not None:
        child = node.child("channel_consent")
        consent = ConsentRule(*child.rule(), required=child.flag("required", False))
        child.close()
    overlay = PolicyOverlay(
        **_versioning(node),
        jurisdiction=jurisdiction,
        subdivision=None if subdivision is None else str(subdivision).upper(),
        enabled=node.flag("enabled", True),
        windows=_windows(node.child("windows"), complete=False) if node.get("windows") is not None else None,
        consent=consent,
        **_sections(node),
    )
    node.close()
    return overlay


@dataclass(frozen=True)
class PolicyFile:
    """One parsed data file: the versions of a jurisdiction, or one overlay."""

    name: str
    jurisdiction: str
    versions: tuple[Policy, ...] = ()
    overlay: PolicyOverlay | None = None


def _rule_ids(policy: Policy | PolicyOverlay) -> list[str]:
    ids = [
        rule.id
        for group in (policy.caps, policy.third_party, policy.channel_bans, policy.stop_events)
        for rule in group
    ]
    if isinstance(policy, Policy):
        windows, calendar = policy.windows, policy.calendar
        ids += [policy.windows.id, policy.consent.id, policy.hours_override.id, policy.opt_out.id]
        ids += [i for i in (windows.holiday_id, windows.end_buffer_id, calendar.non_working_id) if i]
    return ids


def _check_versions(root: Node, versions: list[Policy]) -> None:
    versions.sort(key=lambda p: p.effective_from or date.min)
    for index, policy in enumerate(versions):
        ids = _rule_ids(policy)
        if duplicated := sorted({i for i in ids if ids.count(i) > 1}):
            raise root.error(f"versions[{index}]", f"rule id {duplicated[0]!r} is used twice")
        if index and (versions[index - 1].effective_to or date.max) > (policy.effective_from or date.min):
            raise root.error(f"versions[{index}].effective", f"{policy.id} overlaps {versions[index - 1].id}")


def parse_file(name: str, text: str) -> PolicyFile:
    """Parse and validate the data file `name`; raises PolicyFileError."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyFileError(name, "<yaml>", str(exc).replace("\n", " ")) from None
    root = Node(data, name, "")
    jurisdiction = root.text("jurisdiction").upper()
    if name.split(".")[0].split("-")[0].upper() != jurisdiction:
        raise root.error("jurisdiction", f"{jurisdiction} does not match the file name")
    if root.get("overlay") is not None:
        overlay = _overlay(root.child("overlay"), jurisdiction)
        root.close()
        return PolicyFile(name, jurisdiction, overlay=overlay)
    time_zone = root.text("time_zone")
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise root.error("time_zone", f"unknown IANA zone {time_zone!r}") from None
    versions = [_policy(child, jurisdiction, time_zone) for child in root.children("versions")]
    if not versions:
        raise root.error("versions", "at least one version is required")
    _check_versions(root, versions)
    root.close()
    return PolicyFile(name, jurisdiction, versions=tuple(versions))
