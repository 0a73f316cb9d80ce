"""Campaigns, templates, messages and call tasks: the reminder engine's entities (plain dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum

from domain.entities import Debt
from domain.policy import Decision
from domain.templates import TemplateBody, TemplateChannel

StepChannel = TemplateChannel
"""A step sends on EMAIL, SMS or WHATSAPP, or creates a CALL_TASK for the debt's agent."""


class CampaignStatus(StrEnum):
    DRAFT = "DRAFT"
    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"
    ARCHIVED = "ARCHIVED"


@dataclass(frozen=True)
class Segment:
    """Which debts a campaign takes. Empty criteria match everything.

    `min_days_past_due`/`max_days_past_due` are evaluated on the day a step fires, where a step at
    offset `n` fires on day `n` past due: the range selects which of the campaign's steps apply, so
    an "early" and a "late" campaign can hand a debt over from one to the other as it ages.
    """

    portfolio_ids: tuple[str, ...] = ()
    currency: str | None = None
    min_balance: Decimal | None = None
    max_balance: Decimal | None = None
    min_days_past_due: int | None = None
    max_days_past_due: int | None = None
    risk_bands: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    """A debt matches when it carries at least one of these tags."""


class StepTrigger(StrEnum):
    """An event that fires a step instead of a day offset (through the same dispatcher and policy)."""

    PROMISE_DUE_TOMORROW = "PROMISE_DUE_TOMORROW"
    PROMISE_BROKEN = "PROMISE_BROKEN"
    PAYMENT_RECEIVED = "PAYMENT_RECEIVED"
    INSTALMENT_DUE = "INSTALMENT_DUE"


@dataclass(frozen=True)
class Step:
    id: str
    """Stable within the campaign (kept across updates so idempotency keys stay the same)."""
    offset_days: int
    """Days relative to the due date: −5 is five days before, 0 the due date, +30 thirty days after."""
    channel: TemplateChannel
    template_id: str
    fallback_channel: TemplateChannel | None = None
    fallback_template_id: str | None = None
    send_time: time | None = None
    """Local time of day in the debtor's zone; the campaign's default when absent."""
    trigger: StepTrigger | None = None
    """Set for an event-triggered step: it fires when the event happens, never on the cadence
    (`offset_days` is then 0 and unused)."""

    def fires_on(self, debt: Debt, occurrence: date) -> bool:
        """Whether a job planned for this step on `occurrence` may still go to `debt`: a cadence step
        only on the debt's due date + offset and never while a promise pauses the debt or a payment
        plan holds it; an event-triggered step on its event's day (the send claim makes it once)."""
        if self.trigger is not None:
            return True
        if debt.paused_until is not None or debt.plan_id is not None:
            return False
        return debt.due_date + timedelta(days=self.offset_days) == occurrence


@dataclass
class Campaign:
    tenant: str
    id: str
    name: str
    priority: int
    """Higher wins when several active campaigns match a debt."""
    status: CampaignStatus
    segment: Segment
    steps: list[Step]
    locales: list[str]
    """The locales every step's template must render in before the campaign can be activated."""
    description: str | None = None
    default_send_time: time = time(9, 0)
    staleness_days: int = 3
    """Catch-up: a step whose moment passed more than this many days ago is recorded as skipped."""
    payment_link: str | None = None
    payment_instructions: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    activated_at: datetime | None = None
    version: int = 0

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def scheduled_steps(self) -> list[Step]:
        """The cadence: steps at a day offset (event-triggered steps fire on their events)."""
        return [s for s in self.steps if s.trigger is None]

    def triggered_step(self, trigger: StepTrigger) -> Step | None:
        return next((s for s in self.steps if s.trigger is trigger), None)


@dataclass
class MessageTemplate:
    """A named template for one channel, with one body per locale."""

    tenant: str
    id: str
    name: str
    channel: TemplateChannel
    variants: list[TemplateBody]
    description: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 0

    def variant(self, locale: str, fallback: str | None = None) -> TemplateBody | None:
        """The body for `locale`: exact match, then same language, then `fallback`, then the first."""
        exact = {v.locale.lower(): v for v in self.variants}
        for wanted in (locale, fallback):
            if wanted and wanted.lower() in exact:
                return exact[wanted.lower()]
        language = locale.split("-")[0].lower()
        same = [v for v in self.variants if v.locale.split("-")[0].lower() == language]
        if same:
            return same[0]
        return self.variants[0] if self.variants else None


class MessageStatus(StrEnum):
    QUEUED = "QUEUED"
    SENDING = "SENDING"
    """Claimed by a dispatcher; the provider call is in flight."""
    SENT = "SENT"
    DELIVERED = "DELIVERED"
    BOUNCED = "BOUNCED"
    FAILED = "FAILED"
    BLOCKED = "BLOCKED"
    """The contact policy or a pause refused it; `decision` says which rule."""
    SKIPPED = "SKIPPED"
    """Catch-up passed over a stale step; nothing was sent."""


@dataclass
class Message:
    """One reminder attempt to one debtor (possibly listing several debts), with its proof of compliance."""

    tenant: str
    id: str
    debtor_id: str
    debt_ids: list[str]
    channel: TemplateChannel
    status: MessageStatus
    occurrence: date
    """The day the step fired (in the debtor's zone): with campaign and step, the idempotency key."""
    campaign_id: str | None = None
    step_id: str | None = None
    template_id: str | None = None
    locale: str | None = None
    to: str | None = None
    subject: str | None = None
    text: str | None = None
    html: str | None = None
    provider: str | None = None
    provider_message_id: str | None = None
    decision: Decision | None = None
    error_code: str | None = None
    error: str | None = None
    attempts: int = 0
    amount: Decimal | None = None
    """Total balance of the listed debts when it was sent."""
    currency: str | None = None
    task_id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    sent_at: datetime | None = None
    delivered_at: datetime | None = None
    version: int = 0


class TaskStatus(StrEnum):
    OPEN = "OPEN"
    DONE = "DONE"
    CANCELLED = "CANCELLED"


@dataclass
class CallTask:
    """A CALL_TASK step's work item: call this debtor about these debts (for the assigned agent)."""

    tenant: str
    id: str
    debtor_id: str
    debt_ids: list[str]
    agent_id: str | None
    campaign_id: str | None
    step_id: str | None
    due_at: datetime
    script: str | None = None
    status: TaskStatus = TaskStatus.OPEN
    created_at: datetime | None = None
    version: int = 0


@dataclass
class AgentDevice:
    """A phone registered for push notifications (an SNS platform endpoint)."""

    tenant: str
    agent_id: str
    token: str
    platform: str
    endpoint_arn: str
    created_at: datetime | None = None
    version: int = 0


@dataclass
class CampaignStats:
    planned: int = 0
    sent: int = 0
    delivered: int = 0
    failed: int = 0
    blocked: int = 0
    skipped: int = 0
    blocked_by_rule: dict[str, int] = field(default_factory=dict)
    payments_within_7_days: int = 0
    amount_within_7_days: dict[str, Decimal] = field(default_factory=dict)
    """Per currency (never summed across currencies)."""
