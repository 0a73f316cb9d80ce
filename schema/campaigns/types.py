"""Output types of the reminder engine."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from domain.campaigns import model as m
from domain.policy import Decision
from domain.policy import Outcome as PolicyOutcome
from domain.policy.rules import CapRule, Policy
from domain.templates import RenderedMessage, TemplateBody, TemplateChannel
from schema.common import Money, Node, encode_id

CampaignStatus = strawberry.enum(m.CampaignStatus, description="DRAFT, ACTIVE, PAUSED or ARCHIVED (final).")
StepChannel = strawberry.enum(
    TemplateChannel, name="StepChannel", description="EMAIL, SMS, WHATSAPP or CALL_TASK."
)
MessageStatus = strawberry.enum(m.MessageStatus, description="Where a reminder message stands.")
StepTrigger = strawberry.enum(
    m.StepTrigger,
    description="An event that fires a campaign step through the same engine and contact policy.",
)
ContactDecisionOutcome = strawberry.enum(
    PolicyOutcome,
    name="ContactDecisionOutcome",
    description="SEND, DEFER (until an instant) or BLOCK (by a rule).",
)
TaskStatus = strawberry.enum(m.TaskStatus, description="Where a call task stands.")


@strawberry.type(description="Which debts a campaign takes; empty criteria match everything.")
class Segment:
    portfolio_ids: list[strawberry.ID]
    currency: str | None
    min_balance: str | None = strawberry.field(description="Decimal string.")
    max_balance: str | None = strawberry.field(description="Decimal string.")
    min_days_past_due: int | None
    max_days_past_due: int | None
    risk_bands: list[str]
    tags: list[str] = strawberry.field(description="A debt matches when it has one of these tags.")

    @classmethod
    def of(cls, s: m.Segment) -> Segment:
        return cls(
            portfolio_ids=[encode_id("Portfolio", p) for p in s.portfolio_ids],
            currency=s.currency,
            min_balance=str(s.min_balance) if s.min_balance is not None else None,
            max_balance=str(s.max_balance) if s.max_balance is not None else None,
            min_days_past_due=s.min_days_past_due,
            max_days_past_due=s.max_days_past_due,
            risk_bands=list(s.risk_bands),
            tags=list(s.tags),
        )


@strawberry.type(description="One step of a cadence: a channel and template at an offset from the due date.")
class Step:
    id: str = strawberry.field(description="Stable within the campaign.")
    offset_days: int = strawberry.field(description="Days from the due date: −5 before, 0 on, +30 after.")
    channel: StepChannel  # type: ignore[valid-type]
    template_id: strawberry.ID
    fallback_channel: StepChannel | None  # type: ignore[valid-type]
    fallback_template_id: strawberry.ID | None
    send_time: str | None = strawberry.field(
        description="Local HH:MM in the debtor's zone, if not the default."
    )
    trigger: StepTrigger | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="The event that fires this step (its offset is then unused)."
    )

    @classmethod
    def of(cls, s: m.Step) -> Step:
        return cls(
            trigger=s.trigger,
            id=s.id,
            offset_days=s.offset_days,
            channel=s.channel,
            template_id=encode_id("Template", s.template_id),
            fallback_channel=s.fallback_channel,
            fallback_template_id=encode_id("Template", s.fallback_template_id)
            if s.fallback_template_id
            else None,
            send_time=s.send_time.isoformat(timespec="minutes") if s.send_time else None,
        )


@strawberry.type(description="How many debts a rule blocked.")
class RuleCount:
    rule_id: str
    count: int


@strawberry.type(description="A campaign's counters (kept with atomic adds as messages move).")
class CampaignStats:
    planned: int
    sent: int
    delivered: int
    failed: int
    blocked: int
    skipped: int
    blocked_by_rule: list[RuleCount]
    payments_within_7_days: int = strawberry.field(
        description="Payments received within 7 days of a message."
    )
    amount_within_7_days: list[Money] = strawberry.field(description="Their amount, per currency.")

    @classmethod
    def of(cls, s: m.CampaignStats) -> CampaignStats:
        return cls(
            planned=s.planned,
            sent=s.sent,
            delivered=s.delivered,
            failed=s.failed,
            blocked=s.blocked,
            skipped=s.skipped,
            blocked_by_rule=[RuleCount(rule_id=k, count=v) for k, v in sorted(s.blocked_by_rule.items())],
            payments_within_7_days=s.payments_within_7_days,
            amount_within_7_days=[Money.of(v, k) for k, v in sorted(s.amount_within_7_days.items())],
        )


@strawberry.type(description="A cadence of reminders for the debts of a segment.")
class Campaign(Node):
    name: str
    description: str | None
    priority: int = strawberry.field(description="Higher wins when several active campaigns match a debt.")
    status: CampaignStatus  # type: ignore[valid-type]
    segment: Segment
    steps: list[Step]
    locales: list[str] = strawberry.field(description="Every template must render in these to activate.")
    default_send_time: str = strawberry.field(description="Local HH:MM for steps without their own.")
    staleness_days: int = strawberry.field(description="Catch-up: older steps are recorded as skipped.")
    payment_link: str | None
    payment_instructions: str | None
    created_at: datetime | None
    updated_at: datetime | None
    activated_at: datetime | None
    campaign_id: strawberry.Private[str]

    @strawberry.field(
        description="Planned, sent, delivered, failed, blocked by rule, payments after messages."
    )
    def stats(self, info: strawberry.Info) -> CampaignStats:
        from schema.campaigns.resolvers import reminders

        return CampaignStats.of(reminders(info).campaigns.stats(info.context.principal, self.campaign_id))

    @classmethod
    def of(cls, c: m.Campaign) -> Campaign:
        return cls(
            id=encode_id("Campaign", c.id),
            campaign_id=c.id,
            name=c.name,
            description=c.description,
            priority=c.priority,
            status=c.status,
            segment=Segment.of(c.segment),
            steps=[Step.of(s) for s in c.steps],
            locales=list(c.locales),
            default_send_time=c.default_send_time.isoformat(timespec="minutes"),
            staleness_days=c.staleness_days,
            payment_link=c.payment_link,
            payment_instructions=c.payment_instructions,
            created_at=c.created_at,
            updated_at=c.updated_at,
            activated_at=c.activated_at,
        )


@strawberry.type(description="One locale's text of a template.")
class TemplateVariant:
    locale: str
    subject: str | None
    html: str | None
    text: str | None = strawberry.field(description="E-mail plain part, SMS body or call script.")
    whatsapp_template: str | None = strawberry.field(description="The provider-approved template's name.")
    whatsapp_language: str | None
    whatsapp_params: list[str] = strawberry.field(description="One Jinja expression per body parameter.")
    preview_text: str | None

    @classmethod
    def of(cls, b: TemplateBody) -> TemplateVariant:
        return cls(
            locale=b.locale,
            subject=b.subject,
            html=b.html,
            text=b.text,
            whatsapp_template=b.whatsapp_template,
            whatsapp_language=b.whatsapp_language,
            whatsapp_params=list(b.whatsapp_params),
            preview_text=b.preview_text,
        )


@strawberry.type(description="A message template for one channel, with a body per locale (sandboxed Jinja2).")
class Template(Node):
    name: str
    channel: StepChannel  # type: ignore[valid-type]
    description: str | None
    variants: list[TemplateVariant]
    updated_at: datetime | None

    @classmethod
    def of(cls, t: m.MessageTemplate) -> Template:
        return cls(
            id=encode_id("Template", t.id),
            name=t.name,
            channel=t.channel,
            description=t.description,
            variants=[TemplateVariant.of(v) for v in t.variants],
            updated_at=t.updated_at,
        )


@strawberry.type(description="A header of a rendered e-mail.")
class Header:
    name: str
    value: str


@strawberry.type(description="A template rendered with real data; nothing is sent.")
class TemplatePreview:
    channel: StepChannel  # type: ignore[valid-type]
    subject: str | None
    html: str | None
    text: str | None
    sms_encoding: str | None = strawberry.field(description="GSM-7 or UCS-2.")
    sms_segments: int | None
    whatsapp_template: str | None
    whatsapp_params: list[str]
    headers: list[Header]
    preview: str

    @classmethod
    def of(cls, r: RenderedMessage) -> TemplatePreview:
        return cls(
            channel=r.channel,
            subject=r.subject,
            html=r.html,
            text=r.text,
            sms_encoding=r.sms_encoding,
            sms_segments=r.sms_segments,
            whatsapp_template=r.whatsapp_template,
            whatsapp_params=list(r.whatsapp_params),
            headers=[Header(name=k, value=v) for k, v in r.headers.items()],
            preview=r.preview,
        )


@strawberry.type(description="The contact policy's answer, with the rules behind it (proof of compliance).")
class ContactDecision:
    outcome: ContactDecisionOutcome  # type: ignore[valid-type]
    until: datetime | None = strawberry.field(description="DEFER: the earliest lawful instant (UTC).")
    rule_ids: list[str]
    policy_id: str
    policy_version: str
    reason: str

    @classmethod
    def of(cls, d: Decision) -> ContactDecision:
        return cls(
            outcome=d.outcome,
            until=d.until,
            rule_ids=list(d.rule_ids),
            policy_id=d.policy_id,
            policy_version=d.policy_version,
            reason=d.reason,
        )


@strawberry.type(description="Allowed local hours for one kind of day ([start, end), HH:MM).")
class PolicyWindow:
    day: str = strawberry.field(description="mon … sun, or holiday.")
    windows: list[str] = strawberry.field(description='e.g. ["07:00-20:00"]; empty: no contact that day.')


@strawberry.type(description="A statutory contact policy in force for a jurisdiction.")
class ContactPolicy:
    id: str
    jurisdiction: str
    version: str
    effective_from: date | None
    effective_to: date | None
    sources: list[str]
    windows: list[PolicyWindow]
    window_rule_id: str
    caps: list[str] = strawberry.field(description="Frequency caps as `<rule id>: <max> per <window>`.")
    opt_out_keywords: list[str]
    overlays: list[str]

    @classmethod
    def of(cls, p: Policy) -> ContactPolicy:
        return cls(
            id=p.id,
            jurisdiction=p.jurisdiction,
            version=p.version,
            effective_from=p.effective_from,
            effective_to=p.effective_to,
            sources=list(p.sources),
            windows=[
                PolicyWindow(day=day, windows=[str(w) for w in windows])
                for day, windows in _window_table(p).items()
            ],
            window_rule_id=p.windows.id,
            caps=[_cap_text(c) for c in p.caps],
            opt_out_keywords=list(p.opt_out_keywords),
            overlays=list(p.overlays),
        )


def _window_table(p: Policy) -> dict[str, list[object]]:
    return {str(k): list(v) for k, v in dict(p.windows.days).items()}


def _cap_text(cap: CapRule) -> str:
    if cap.calendar_day:
        span = "calendar day"
    elif cap.window is not None:
        span = f"{cap.window.days} days" if cap.window.days else str(cap.window)
    else:
        span = "window"
    gap = f", at least {cap.min_gap} apart" if cap.min_gap else ""
    channels = ", ".join(sorted(c.value for c in cap.channels))
    return f"{cap.id}: at most {cap.max} per {span}{gap} ({channels})"


@strawberry.type(
    description="A reminder sent (or blocked, skipped …) to a debtor, with its proof of compliance."
)
class Message(Node):
    debtor_id: strawberry.ID
    debt_ids: list[strawberry.ID]
    campaign_id: strawberry.ID | None
    step_id: str | None
    channel: StepChannel  # type: ignore[valid-type]
    status: MessageStatus  # type: ignore[valid-type]
    occurrence: date = strawberry.field(description="The debtor-local day the step fired on.")
    to: str | None
    locale: str | None
    subject: str | None
    text: str | None = strawberry.field(
        description="The rendered text (for WhatsApp, the approved text filled in)."
    )
    provider: str | None
    provider_message_id: str | None
    decision: ContactDecision | None
    amount: Money | None
    error_code: str | None
    error: str | None
    attempts: int
    created_at: datetime | None
    sent_at: datetime | None
    delivered_at: datetime | None

    @classmethod
    def of(cls, x: m.Message) -> Message:
        return cls(
            id=encode_id("Message", x.debtor_id, x.id),
            debtor_id=encode_id("Debtor", x.debtor_id),
            debt_ids=[encode_id("Debt", x.debtor_id, d) for d in x.debt_ids],
            campaign_id=encode_id("Campaign", x.campaign_id) if x.campaign_id else None,
            step_id=x.step_id,
            channel=x.channel,
            status=x.status,
            occurrence=x.occurrence,
            to=x.to,
            locale=x.locale,
            subject=x.subject,
            text=x.text,
            provider=x.provider,
            provider_message_id=x.provider_message_id,
            decision=ContactDecision.of(x.decision) if x.decision else None,
            amount=Money.of(x.amount, x.currency) if x.amount is not None and x.currency else None,
            error_code=x.error_code,
            error=x.error,
            attempts=x.attempts,
            created_at=x.created_at,
            sent_at=x.sent_at,
            delivered_at=x.delivered_at,
        )


@strawberry.type(description="A call an agent should make (a CALL_TASK step).")
class CallTask(Node):
    debtor_id: strawberry.ID
    debt_ids: list[strawberry.ID]
    agent_id: str | None
    campaign_id: strawberry.ID | None
    due_at: datetime
    script: str | None
    status: TaskStatus  # type: ignore[valid-type]

    @classmethod
    def of(cls, t: m.CallTask) -> CallTask:
        return cls(
            id=encode_id("CallTask", t.id),
            debtor_id=encode_id("Debtor", t.debtor_id),
            debt_ids=[encode_id("Debt", t.debtor_id, d) for d in t.debt_ids],
            agent_id=t.agent_id,
            campaign_id=encode_id("Campaign", t.campaign_id) if t.campaign_id else None,
            due_at=t.due_at,
            script=t.script,
            status=t.status,
        )


@strawberry.type(description="What a campaign would do to one debtor at the simulated instant.")
class SimulationEntry:
    debtor_id: strawberry.ID
    debtor_name: str
    debt_ids: list[strawberry.ID]
    step_id: str
    offset_days: int
    channel: StepChannel  # type: ignore[valid-type]
    to: str | None
    send_at: datetime
    decision: ContactDecision


@strawberry.type(description="A phone registered for an agent's push notifications.")
class AgentDevice:
    agent_id: str
    platform: str
    endpoint_arn: str
    registered_at: datetime | None
