"""Helpers for the policy tests: local wall times as UTC instants, requests and history records."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.entities import Channel
from domain.policy import ContactRecord, ContactRequest, PolicyBook

ZONES = {
    "PE": "America/Lima",
    "CO": "America/Bogota",
    "MX": "America/Mexico_City",
    "CL": "America/Santiago",
    "US": "America/New_York",
    "ES": "Europe/Madrid",
    "AR": "America/Argentina/Buenos_Aires",
}

BOOK = PolicyBook()


def local(
    zone: str,
    year: int,
    month: int,
    day: int,
    hour: int = 0,
    minute: int = 0,
    second: int = 0,
    *,
    fold: int = 0,
) -> datetime:
    """The UTC instant at which the wall clock in `zone` (a country code or an IANA key) shows that time."""
    tz = ZoneInfo(ZONES.get(zone, zone))
    return datetime(year, month, day, hour, minute, second, tzinfo=tz, fold=fold).astimezone(UTC)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def request(
    jurisdiction: str, at: datetime, channel: Channel = Channel.EMAIL, **fields: Any
) -> ContactRequest:
    """A request with the jurisdiction's main zone unless `time_zones` is given."""
    fields.setdefault("time_zones", (ZONES[jurisdiction],))
    return ContactRequest(channel=channel, at=at, jurisdiction=jurisdiction, **fields)


def record(channel: Channel, at: datetime, **fields: Any) -> ContactRecord:
    return ContactRecord(channel=channel, at=at, **fields)
