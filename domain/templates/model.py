"""Templates and what they render into: plain, immutable dataclasses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from domain.errors import ErrorCode


class TemplateChannel(StrEnum):
    """Where a message goes. CALL_TASK is not sent: it is the script of an agent's call."""

    EMAIL = "EMAIL"
    SMS = "SMS"
    WHATSAPP = "WHATSAPP"
    CALL_TASK = "CALL_TASK"


@dataclass(frozen=True)
class TemplateBody:
    """One locale's text of a template. Which parts are required depends on the channel:

    EMAIL: `subject`, `html`, `text`; SMS: `text`; CALL_TASK: `text`; WHATSAPP: `whatsapp_template`
    (plus `whatsapp_params`, `whatsapp_language` and `preview_text` as the approved template needs).
    `subject`, `html`, `text` and each of `whatsapp_params` are Jinja2; the other parts are plain values.
    """

    channel: TemplateChannel
    locale: str
    """BCP 47, e.g. `es-PE`."""
    subject: str | None = None
    """EMAIL (required)."""
    html: str | None = None
    """EMAIL (required); autoescaped."""
    text: str | None = None
    """EMAIL plain part, SMS body, CALL_TASK script (required for those)."""
    whatsapp_template: str | None = None
    """WHATSAPP: the name of the template approved at the provider (required)."""
    whatsapp_language: str | None = None
    """WHATSAPP: the provider's language code, e.g. `es` or `es_MX` (derived from the locale if unset)."""
    whatsapp_params: tuple[str, ...] = ()
    """WHATSAPP: one Jinja expression per positional body parameter, e.g. `debtor_name`."""
    preview_text: str | None = None
    """WHATSAPP: the approved text with `{{1}}`… placeholders, for previews and records."""


@dataclass(frozen=True)
class TemplateProblem:
    """One thing wrong with a template. `field` names the part as the API does (`text`,
    `whatsappTemplate`, `whatsappParams[1]`, `previewText`, `locale`…)."""

    field: str
    code: ErrorCode
    message: str


@dataclass(frozen=True)
class DebtLine:
    """One debt as a message mentions it. `days_past_due` is negative before the due date."""

    debt_id: str
    number: str | None
    description: str | None
    currency: str
    original_amount: Decimal
    balance: Decimal
    due_date: date
    days_past_due: int


@dataclass(frozen=True)
class EventFacts:
    """What an event-triggered message is about, for the event variables (`domain.templates.facts`).

    Only the fields of the message's event are set: an INSTALMENT_DUE reminder the instalment's, a
    promise reminder the promise's, a payment thank-you the payment's. Amounts are in `currency`."""

    currency: str
    instalment_amount: Decimal | None = None
    """What is still owed on the instalment (its amount less what was paid toward it)."""
    instalment_due_date: date | None = None
    instalment_number: int | None = None
    instalment_count: int | None = None
    plan_remaining: Decimal | None = None
    """What is left to pay on the whole plan."""
    promise_amount: Decimal | None = None
    promise_date: date | None = None
    promise_kept_amount: Decimal | None = None
    payment_amount: Decimal | None = None


@dataclass(frozen=True)
class MessageContext:
    """The facts a message may mention. `debts` holds one line, or several for a consolidated message;
    all lines must share one currency (callers group by currency: totals never add across currencies,
    and rendering a mix raises `DomainError(CURRENCY_MISMATCH)`)."""

    locale: str
    debtor_name: str
    creditor_name: str
    debts: tuple[DebtLine, ...]
    today: date
    """The debtor's local date (callers compute `days_past_due` from it); offered as `today`."""
    payment_link: str | None = None
    payment_instructions: str | None = None
    agent_name: str | None = None
    facts: EventFacts | None = None
    """The event's facts for an event-triggered message; None for a cadence message (the event
    variables are then empty)."""


@dataclass(frozen=True)
class RenderedMessage:
    """A message ready for a sender. `text` is the e-mail plain part, the SMS body or the call script."""

    channel: TemplateChannel
    subject: str | None
    html: str | None
    text: str | None
    whatsapp_template: str | None
    whatsapp_language: str | None
    whatsapp_params: tuple[str, ...]
    headers: Mapping[str, str] = field(default_factory=dict)
    """EMAIL: `List-Unsubscribe` (and `List-Unsubscribe-Post` for an https URL)."""
    sms_encoding: str | None = None
    """SMS: `GSM-7` or `UCS-2`."""
    sms_segments: int | None = None
    preview: str = ""
    """What a person sees; for WhatsApp the approved text with the parameters filled in."""
