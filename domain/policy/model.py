"""The contact-policy model: the contact being decided, its history, the decision, and the enums and
local-time windows the policy data (`rules.py`) is built from.

Everything is immutable. Times are aware UTC instants; local times are wall-clock seconds since
midnight, interpreted in the debtor's IANA zone by the engine.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.entities import Channel, ContactStatus
from domain.errors import DomainError, ErrorCode

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HOLIDAY = "holiday"
DAY_KINDS = (*DAYS, HOLIDAY)
_DAY_SECONDS = 86_400
_TIME = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


class Outcome(StrEnum):
    SEND = "SEND"
    DEFER = "DEFER"
    BLOCK = "BLOCK"


class Recipient(StrEnum):
    DEBTOR = "DEBTOR"
    CO_DEBTOR = "CO_DEBTOR"
    GUARANTOR = "GUARANTOR"
    REFERENCE = "REFERENCE"


class AttemptKind(StrEnum):
    ATTEMPT = "ATTEMPT"  # no connection (unanswered call, bounced visit)
    CONTACT = "CONTACT"  # reached the person or the message was delivered
    CONVERSATION = "CONVERSATION"


class Direction(StrEnum):
    OUTBOUND = "OUTBOUND"
    INBOUND = "INBOUND"


class Purpose(StrEnum):
    COLLECTION = "COLLECTION"
    LOCATION_INQUIRY = "LOCATION_INQUIRY"  # US §1006.10: ask a third party where the consumer is


class TimeBasis(StrEnum):
    DEBTOR_LOCAL = "debtor_local"  # only the first candidate zone (the debtor's own)
    ALL_CANDIDATE_ZONES = "all_candidate_zones"  # every candidate zone must allow


class CapMetric(StrEnum):
    COUNT = "count"  # at most `max` contacts (this one included) in the window
    DISTINCT_CHANNELS = "distinct_channels"  # at most `max` channels (this one included) in the window
    QUIET_AFTER = "quiet_after"  # none while a counted event is inside the window


class ThirdPartyAccess(StrEnum):
    ALLOW = "allow"
    FORBID = "forbid"
    LOCATION_ONCE = "location_once"  # one location inquiry per person, never about the debt


class OverrideInstrument(StrEnum):
    SEPARATE_SIGNED_INSTRUMENT = "separate_signed_instrument"
    CONTRACT_CLAUSE = "contract_clause"
    CONSUMER_STATEMENT = "consumer_statement"


@dataclass(frozen=True, order=True)
class LocalWindow:
    """A half-open `[start, end)` span of local wall-clock time, in seconds since midnight."""

    start: int
    end: int

    @classmethod
    def parse(cls, start: str, end: str) -> LocalWindow:
        """Parse `"07:00"`-style bounds (`"24:00"` allowed as an end); raises ValueError."""
        window = cls(_seconds(start), _seconds(end))
        if not 0 <= window.start < window.end <= _DAY_SECONDS:
            raise ValueError(f"window {start}-{end} is empty or reversed")
        return window

    def trimmed(self, buffer_seconds: int) -> LocalWindow | None:
        """This window without its last `buffer_seconds` (None when nothing is left)."""
        end = self.end - buffer_seconds
        return LocalWindow(self.start, end) if end > self.start else None

    def contains(self, other: LocalWindow) -> bool:
        return self.start <= other.start and other.end <= self.end

    def __str__(self) -> str:
        return f"{_hhmm(self.start)}-{_hhmm(self.end)}"


def _seconds(text: str) -> int:
    match = _TIME.match(text.strip()) if isinstance(text, str) else None
    if not match or (match.group(1) == "24" and match.group(2) != "00"):
        raise ValueError(f"expected HH:MM, got {text!r}")
    return int(match.group(1)) * 3600 + int(match.group(2)) * 60


def _hhmm(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


DayTable = Mapping[str, tuple[LocalWindow, ...]]


def expand_day_keys(key: str) -> tuple[str, ...]:
    """`"mon-fri"` → the five weekdays; a single day kind stands for itself. Raises ValueError."""
    if key in DAY_KINDS:
        return (key,)
    first, _, last = key.partition("-")
    if first in DAYS and last in DAYS and DAYS.index(first) < DAYS.index(last):
        return DAYS[DAYS.index(first) : DAYS.index(last) + 1]
    raise ValueError(f"unknown day kind {key!r} (use mon..sun, holiday or a range like mon-fri)")


def intersect(a: Sequence[LocalWindow], b: Sequence[LocalWindow]) -> tuple[LocalWindow, ...]:
    """The spans allowed by both lists of windows."""
    spans = (LocalWindow(max(x.start, y.start), min(x.end, y.end)) for x in a for y in b)
    return tuple(sorted(w for w in spans if w.start < w.end))


def parse_day_table(
    raw: Mapping[str, Sequence[Sequence[str]]], where: str
) -> dict[str, tuple[LocalWindow, ...]]:
    """Caller-supplied windows (tenant overlay, hours override) → a day table; DomainError(INVALID)."""
    table: dict[str, tuple[LocalWindow, ...]] = {}
    for key, spans in raw.items():
        try:
            days = expand_day_keys(key)
            windows = tuple(sorted(LocalWindow.parse(*pair) for pair in spans))
        except (TypeError, ValueError) as exc:
            raise DomainError(ErrorCode.INVALID, str(exc), f"{where}.{key}") from exc
        for day in days:
            if day in table:
                raise DomainError(ErrorCode.INVALID, f"{day} is given twice", f"{where}.{key}")
            table[day] = windows
    return table


@dataclass(frozen=True)
class ContactRecord:
    """One past contact with this debtor (or one of their related people), from storage."""

    channel: Channel
    at: datetime
    direction: Direction = Direction.OUTBOUND
    kind: AttemptKind = AttemptKind.CONTACT
    recipient: Recipient = Recipient.DEBTOR
    debt_ids: tuple[str, ...] = ()  # empty: about every debt (counted against each one)
    address: str | None = None
    requested_by_debtor: bool = False  # information the consumer asked for (CO exemption)
    person: str | None = None  # id of the person reached; when absent the recipient kind identifies them


@dataclass(frozen=True)
class HoursOverride:
    """Contact hours agreed with the consumer, replacing the statutory ones for the day kinds given.

    Evaluated in the debtor's own zone (the first candidate) only: the consumer stated their own time.
    Valid only if the policy accepts the instrument (CO: a separate document signed after the contract).
    """

    windows: Mapping[str, Sequence[tuple[str, str]]]
    instrument: OverrideInstrument
    signed_at: datetime | None = None
    contract_signed_at: datetime | None = None


@dataclass(frozen=True)
class ContactRequest:
    """The contact we are about to make; evaluate it at dispatch, not when it is queued."""

    channel: Channel
    at: datetime
    jurisdiction: str
    time_zones: tuple[str, ...]
    subdivision: str | None = None
    recipient: Recipient = Recipient.DEBTOR
    consent: bool = True
    contact_status: ContactStatus = ContactStatus.VALID
    opted_out_channels: frozenset[Channel] = frozenset()
    opted_out_all: bool = False
    debt_ids: tuple[str, ...] = ()
    address: str | None = None
    requested_information: bool = False
    stop_events: frozenset[str] = frozenset()
    hours_override: HoursOverride | None = None
    person: str | None = None
    purpose: Purpose = Purpose.COLLECTION


@dataclass(frozen=True)
class Decision:
    """The verdict with its proof: the rules that deferred or blocked, and the policy version used."""

    outcome: Outcome
    rule_ids: tuple[str, ...]
    policy_id: str
    policy_version: str
    until: datetime | None = None
    reason: str = ""
    overlays: tuple[str, ...] = ()  # statutory and tenant overlays applied on top of policy_id
    constraints: tuple[str, ...] = ()  # content limits for a SEND, e.g. "no_debt_mention"
