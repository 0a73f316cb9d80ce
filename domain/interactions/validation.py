"""Checking an interaction's input against the clock, the debtor and its debts (nothing is written)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.clock import iso_utc
from domain.contacts import normalize_email, normalize_phone
from domain.entities import ContactKind, Debt, Debtor, DebtState
from domain.errors import DomainError, ErrorCode, FieldError
from domain.interactions.model import PHONE_CHANNELS, InteractionChannel, InteractionOutcome
from domain.policy import Direction
from domain.services.base import clean_text

CLOCK_SKEW = timedelta(minutes=5)
"""A phone's clock may run this far ahead of ours; later than that is a typo, not a contact."""
MAX_AGE = timedelta(days=30)
"""Offline phones sync late, but a gestión older than this is back-office data entry, not a log."""
MAX_CALLBACK_AHEAD = timedelta(days=90)
MAX_DEBTS = 50


@dataclass(frozen=True)
class InteractionInput:
    debtor_id: str
    channel: InteractionChannel
    outcome: InteractionOutcome
    occurred_at: datetime
    idempotency_key: str
    direction: Direction = Direction.OUTBOUND
    debt_ids: tuple[str, ...] = ()
    note: str | None = None
    callback_at: datetime | None = None
    address: str | None = None
    """The phone or e-mail used; required for WRONG_NUMBER when the debtor has several for the channel."""

    def fingerprint(self) -> str:
        """A hash of the request, to tell a mobile retry (same key, same request) from a key reused."""
        data = {
            "debtor": self.debtor_id,
            "channel": self.channel.value,
            "outcome": self.outcome.value,
            "direction": self.direction.value,
            "at": iso_utc(self.occurred_at) if self.occurred_at.tzinfo else str(self.occurred_at),
            "debts": sorted(self.debt_ids),
            "note": (self.note or "").strip(),
            "callback": iso_utc(self.callback_at) if self.callback_at and self.callback_at.tzinfo else None,
            "address": (self.address or "").strip(),
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Checked:
    note: str | None
    address: str | None
    debts: tuple[Debt, ...]


def _aware(value: datetime, field: str) -> None:
    if value.tzinfo is None:
        raise DomainError(ErrorCode.INVALID_DATE, "give the instant with its UTC offset", field)


def check_times(data: InteractionInput, now: datetime) -> list[FieldError]:
    _aware(data.occurred_at, "occurredAt")
    errors: list[FieldError] = []
    if data.occurred_at > now + CLOCK_SKEW:
        errors.append(FieldError(ErrorCode.INVALID_DATE, "occurredAt is in the future", "occurredAt"))
    elif data.occurred_at < now - MAX_AGE:
        days = MAX_AGE.days
        errors.append(
            FieldError(ErrorCode.INVALID_DATE, f"occurredAt is more than {days} days ago", "occurredAt")
        )
    if data.callback_at is None:
        if data.outcome is InteractionOutcome.CALLBACK:
            errors.append(FieldError(ErrorCode.REQUIRED, "a CALLBACK needs callbackAt", "callbackAt"))
        return errors
    _aware(data.callback_at, "callbackAt")
    if data.callback_at <= now:
        errors.append(FieldError(ErrorCode.INVALID_DATE, "callbackAt must be in the future", "callbackAt"))
    elif data.callback_at > now + MAX_CALLBACK_AHEAD:
        days = MAX_CALLBACK_AHEAD.days
        errors.append(
            FieldError(ErrorCode.INVALID_DATE, f"callbackAt is more than {days} days ahead", "callbackAt")
        )
    return errors


def _address(data: InteractionInput, debtor: Debtor) -> str | None:
    """The address used, normalised; for WRONG_NUMBER it must be one of the debtor's phones."""
    raw = (data.address or "").strip()
    phone = data.channel in PHONE_CHANNELS
    if raw:
        if phone:
            return normalize_phone(raw, debtor.jurisdiction, "address")
        if data.channel is InteractionChannel.EMAIL:
            return normalize_email(raw, "address")
        return clean_text(raw, "address", max_len=300)
    if data.outcome is not InteractionOutcome.WRONG_NUMBER:
        return None
    kinds = {InteractionChannel.WHATSAPP: (ContactKind.WHATSAPP, ContactKind.PHONE)}.get(
        data.channel, (ContactKind.PHONE,)
    )
    phones = {c.value for c in debtor.contacts if c.kind in kinds}
    if len(phones) != 1:
        raise DomainError(ErrorCode.REQUIRED, "say which number was wrong", "address")
    return phones.pop()


def check_outcome(data: InteractionInput, debtor: Debtor, debts: list[Debt]) -> Checked:
    """Validate the note, address and debts for the outcome; raise every problem found at once."""
    errors: list[FieldError] = []
    try:
        note = clean_text(data.note, "note", max_len=2000)
    except DomainError as err:
        errors.extend(err.errors)
        note = None
    if data.outcome is InteractionOutcome.WRONG_NUMBER and data.channel not in PHONE_CHANNELS:
        errors.append(FieldError(ErrorCode.INVALID, "WRONG_NUMBER is for calls, SMS and WhatsApp", "outcome"))
    address = None
    try:
        address = _address(data, debtor)
    except DomainError as err:
        errors.extend(err.errors)
    wrong = data.outcome is InteractionOutcome.WRONG_NUMBER
    if wrong and address and not errors and not any(c.value == address for c in debtor.contacts):
        errors.append(FieldError(ErrorCode.NOT_FOUND, "the debtor has no such number", "address"))
    if data.outcome is InteractionOutcome.DISPUTE:
        if not debts:
            errors.append(FieldError(ErrorCode.REQUIRED, "name the disputed debts", "debtIds"))
        if not note:
            errors.append(FieldError(ErrorCode.REQUIRED, "a DISPUTE needs the debtor's reason", "note"))
        for n, debt in enumerate(debts):
            if debt.state not in (DebtState.OPEN, DebtState.DISPUTED):
                message = f"a {debt.state.value} debt cannot be disputed"
                errors.append(FieldError(ErrorCode.INVALID_STATE, message, f"debtIds[{n}]"))
    if errors:
        raise DomainError.many(errors)
    return Checked(note, address, tuple(debts))
