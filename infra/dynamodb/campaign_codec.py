"""JSON documents for the reminder engine's items: campaigns, templates, messages, tasks, decisions.

Money stays exact (Decimal as strings), instants are ISO UTC, enums are their values.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from domain.campaigns.model import (
    CallTask,
    Campaign,
    CampaignStatus,
    Message,
    MessageStatus,
    MessageTemplate,
    Segment,
    Step,
    StepTrigger,
    TaskStatus,
)
from domain.clock import iso_utc
from domain.policy import Decision, Outcome
from domain.templates import TemplateBody, TemplateChannel

_TS = "%Y-%m-%dT%H:%M:%S.%fZ"


def ts(value: datetime | None) -> str | None:
    return None if value is None else iso_utc(value)


def parse_ts(text: str | None) -> datetime | None:
    return None if not text else datetime.strptime(text, _TS).replace(tzinfo=UTC)


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _undec(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def segment_to_json(s: Segment) -> dict[str, Any]:
    return {
        "portfolioIds": list(s.portfolio_ids),
        "currency": s.currency,
        "minBalance": _dec(s.min_balance),
        "maxBalance": _dec(s.max_balance),
        "minDaysPastDue": s.min_days_past_due,
        "maxDaysPastDue": s.max_days_past_due,
        "riskBands": list(s.risk_bands),
        "tags": list(s.tags),
    }


def segment_from_json(d: dict[str, Any]) -> Segment:
    return Segment(
        portfolio_ids=tuple(d.get("portfolioIds", ())),
        currency=d.get("currency"),
        min_balance=_undec(d.get("minBalance")),
        max_balance=_undec(d.get("maxBalance")),
        min_days_past_due=d.get("minDaysPastDue"),
        max_days_past_due=d.get("maxDaysPastDue"),
        risk_bands=tuple(d.get("riskBands", ())),
        tags=tuple(d.get("tags", ())),
    )


def step_to_json(s: Step) -> dict[str, Any]:
    return {
        "id": s.id,
        "offsetDays": s.offset_days,
        "channel": s.channel.value,
        "templateId": s.template_id,
        "fallbackChannel": s.fallback_channel.value if s.fallback_channel else None,
        "fallbackTemplateId": s.fallback_template_id,
        "sendTime": s.send_time.isoformat(timespec="minutes") if s.send_time else None,
        "trigger": s.trigger.value if s.trigger else None,
    }


def step_from_json(d: dict[str, Any]) -> Step:
    return Step(
        id=d["id"],
        offset_days=int(d["offsetDays"]),
        channel=TemplateChannel(d["channel"]),
        template_id=d["templateId"],
        fallback_channel=TemplateChannel(d["fallbackChannel"]) if d.get("fallbackChannel") else None,
        fallback_template_id=d.get("fallbackTemplateId"),
        send_time=time.fromisoformat(d["sendTime"]) if d.get("sendTime") else None,
        trigger=StepTrigger(d["trigger"]) if d.get("trigger") else None,
    )


def campaign_to_json(c: Campaign) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "priority": c.priority,
        "status": c.status.value,
        "segment": segment_to_json(c.segment),
        "steps": [step_to_json(s) for s in c.steps],
        "locales": list(c.locales),
        "description": c.description,
        "defaultSendTime": c.default_send_time.isoformat(timespec="minutes"),
        "stalenessDays": c.staleness_days,
        "paymentLink": c.payment_link,
        "paymentInstructions": c.payment_instructions,
        "createdAt": ts(c.created_at),
        "updatedAt": ts(c.updated_at),
        "activatedAt": ts(c.activated_at),
    }


def campaign_from_json(tenant: str, d: dict[str, Any], version: int) -> Campaign:
    return Campaign(
        tenant=tenant,
        id=d["id"],
        name=d["name"],
        priority=int(d["priority"]),
        status=CampaignStatus(d["status"]),
        segment=segment_from_json(d.get("segment", {})),
        steps=[step_from_json(s) for s in d.get("steps", [])],
        locales=list(d.get("locales", [])),
        description=d.get("description"),
        default_send_time=time.fromisoformat(d.get("defaultSendTime", "09:00")),
        staleness_days=int(d.get("stalenessDays", 3)),
        payment_link=d.get("paymentLink"),
        payment_instructions=d.get("paymentInstructions"),
        created_at=parse_ts(d.get("createdAt")),
        updated_at=parse_ts(d.get("updatedAt")),
        activated_at=parse_ts(d.get("activatedAt")),
        version=version,
    )


def body_to_json(b: TemplateBody) -> dict[str, Any]:
    return {
        "channel": b.channel.value,
        "locale": b.locale,
        "subject": b.subject,
        "html": b.html,
        "text": b.text,
        "whatsappTemplate": b.whatsapp_template,
        "whatsappLanguage": b.whatsapp_language,
        "whatsappParams": list(b.whatsapp_params),
        "previewText": b.preview_text,
    }


def body_from_json(d: dict[str, Any]) -> TemplateBody:
    return TemplateBody(
        channel=TemplateChannel(d["channel"]),
        locale=d["locale"],
        subject=d.get("subject"),
        html=d.get("html"),
        text=d.get("text"),
        whatsapp_template=d.get("whatsappTemplate"),
        whatsapp_language=d.get("whatsappLanguage"),
        whatsapp_params=tuple(d.get("whatsappParams", ())),
        preview_text=d.get("previewText"),
    )


def template_to_json(t: MessageTemplate) -> dict[str, Any]:
    return {
        "id": t.id,
        "name": t.name,
        "channel": t.channel.value,
        "variants": [body_to_json(v) for v in t.variants],
        "description": t.description,
        "createdAt": ts(t.created_at),
        "updatedAt": ts(t.updated_at),
    }


def template_from_json(tenant: str, d: dict[str, Any], version: int) -> MessageTemplate:
    return MessageTemplate(
        tenant=tenant,
        id=d["id"],
        name=d["name"],
        channel=TemplateChannel(d["channel"]),
        variants=[body_from_json(v) for v in d.get("variants", [])],
        description=d.get("description"),
        created_at=parse_ts(d.get("createdAt")),
        updated_at=parse_ts(d.get("updatedAt")),
        version=version,
    )


def decision_to_json(d: Decision | None) -> dict[str, Any] | None:
    if d is None:
        return None
    return {
        "outcome": d.outcome.value,
        "ruleIds": list(d.rule_ids),
        "policyId": d.policy_id,
        "policyVersion": d.policy_version,
        "until": ts(d.until),
        "reason": d.reason,
    }


def decision_from_json(d: dict[str, Any] | None) -> Decision | None:
    if not d:
        return None
    return Decision(
        outcome=Outcome(d["outcome"]),
        rule_ids=tuple(d.get("ruleIds", ())),
        policy_id=d.get("policyId", ""),
        policy_version=d.get("policyVersion", ""),
        until=parse_ts(d.get("until")),
        reason=d.get("reason", ""),
    )


def message_to_json(m: Message) -> dict[str, Any]:
    return {
        "id": m.id,
        "debtorId": m.debtor_id,
        "debtIds": list(m.debt_ids),
        "channel": m.channel.value,
        "status": m.status.value,
        "occurrence": m.occurrence.isoformat(),
        "campaignId": m.campaign_id,
        "stepId": m.step_id,
        "templateId": m.template_id,
        "locale": m.locale,
        "to": m.to,
        "subject": m.subject,
        "text": m.text,
        "html": m.html,
        "provider": m.provider,
        "providerMessageId": m.provider_message_id,
        "decision": decision_to_json(m.decision),
        "errorCode": m.error_code,
        "error": m.error,
        "attempts": m.attempts,
        "amount": _dec(m.amount),
        "currency": m.currency,
        "taskId": m.task_id,
        "createdAt": ts(m.created_at),
        "updatedAt": ts(m.updated_at),
        "sentAt": ts(m.sent_at),
        "deliveredAt": ts(m.delivered_at),
    }


def message_from_json(tenant: str, d: dict[str, Any], version: int) -> Message:
    return Message(
        tenant=tenant,
        id=d["id"],
        debtor_id=d["debtorId"],
        debt_ids=list(d.get("debtIds", [])),
        channel=TemplateChannel(d["channel"]),
        status=MessageStatus(d["status"]),
        occurrence=date.fromisoformat(d["occurrence"]),
        campaign_id=d.get("campaignId"),
        step_id=d.get("stepId"),
        template_id=d.get("templateId"),
        locale=d.get("locale"),
        to=d.get("to"),
        subject=d.get("subject"),
        text=d.get("text"),
        html=d.get("html"),
        provider=d.get("provider"),
        provider_message_id=d.get("providerMessageId"),
        decision=decision_from_json(d.get("decision")),
        error_code=d.get("errorCode"),
        error=d.get("error"),
        attempts=int(d.get("attempts", 0)),
        amount=_undec(d.get("amount")),
        currency=d.get("currency"),
        task_id=d.get("taskId"),
        created_at=parse_ts(d.get("createdAt")),
        updated_at=parse_ts(d.get("updatedAt")),
        sent_at=parse_ts(d.get("sentAt")),
        delivered_at=parse_ts(d.get("deliveredAt")),
        version=version,
    )


def task_to_json(t: CallTask) -> dict[str, Any]:
    return {
        "id": t.id,
        "debtorId": t.debtor_id,
        "debtIds": list(t.debt_ids),
        "agentId": t.agent_id,
        "campaignId": t.campaign_id,
        "stepId": t.step_id,
        "dueAt": ts(t.due_at),
        "script": t.script,
        "status": t.status.value,
        "createdAt": ts(t.created_at),
    }


def task_from_json(tenant: str, d: dict[str, Any], version: int) -> CallTask:
    due = parse_ts(d["dueAt"])
    assert due is not None
    return CallTask(
        tenant=tenant,
        id=d["id"],
        debtor_id=d["debtorId"],
        debt_ids=list(d.get("debtIds", [])),
        agent_id=d.get("agentId"),
        campaign_id=d.get("campaignId"),
        step_id=d.get("stepId"),
        due_at=due,
        script=d.get("script"),
        status=TaskStatus(d.get("status", "OPEN")),
        created_at=parse_ts(d.get("createdAt")),
        version=version,
    )
