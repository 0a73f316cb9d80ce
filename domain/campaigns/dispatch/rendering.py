"""Rendering a job's message in the debtor's locale, with the notices the jurisdiction requires."""

from __future__ import annotations

from domain.campaigns.contact_points import POLICY_CHANNEL, debtor_locale
from domain.campaigns.deps import EngineDeps
from domain.campaigns.dispatch.batch import Batch
from domain.campaigns.dispatch.job import LoadedJob
from domain.clock import local_date
from domain.errors import DomainError
from domain.templates import DebtLine, EventFacts, MessageContext, RenderedMessage, TemplateChannel, render


def render_job(
    deps: EngineDeps, batch: Batch, j: LoadedJob, template_id: str, channel: TemplateChannel
) -> tuple[RenderedMessage, str] | str:
    """The rendered message and the locale it is in, or why it cannot be rendered."""
    template = batch.template(j.tenant.id, template_id)
    locale = debtor_locale(j.debtor, j.tenant.locale)
    body = template.variant(locale, j.tenant.locale) if template else None
    if body is None or body.channel is not channel:
        return f"template {template_id} has no {channel} variant for {locale}"
    policy = deps.policies_for(j.tenant.id).policy_for(j.debtor.jurisdiction, deps.clock.now())
    unsubscribe = deps.unsubscribe_url(j.tenant.id, j.debtor.id) if deps.unsubscribe_url else None
    try:
        rendered = render(
            body,
            message_context(deps, j, body.locale, event_facts(deps, batch, j)),
            opt_out_notice=policy.requires_opt_out_notice(POLICY_CHANNEL[channel]),
            unsubscribe_mailto=j.tenant.sender_email,
            unsubscribe_url=unsubscribe,
            # None: the locale's own word (BAJA, STOP), which the feedback worker always honours.
            opt_out_keyword=None,
        )
    except DomainError as err:
        return f"render failed: {err}"
    return rendered, body.locale


def event_facts(deps: EngineDeps, batch: Batch, j: LoadedJob) -> EventFacts | None:
    """What an event-triggered step's message is about (read once per job and batch); None for a
    cadence step, which reads nothing."""
    trigger, reader = j.step.trigger, deps.event_facts
    if trigger is None or reader is None:
        return None
    return batch.event_facts(j.job, lambda: reader.facts(j.debtor, j.debts, trigger, j.job.occurrence))


def message_context(
    deps: EngineDeps, j: LoadedJob, locale: str, facts: EventFacts | None = None
) -> MessageContext:
    today = local_date(deps.clock.now(), j.debtor.time_zone)
    lines = tuple(
        DebtLine(
            d.id,
            d.number or d.external_id,
            d.description,
            d.currency,
            d.original_amount,
            d.balance,
            d.due_date,
            (today - d.due_date).days,
        )
        for d in j.debts
    )
    return MessageContext(
        locale=locale,
        debtor_name=j.debtor.name,
        creditor_name=j.tenant.name,
        debts=lines,
        today=today,
        payment_link=j.campaign.payment_link,
        payment_instructions=j.campaign.payment_instructions,
        agent_name=_agent_name(deps, j),
        facts=facts,
    )


def _agent_name(deps: EngineDeps, j: LoadedJob) -> str | None:
    agent_id = j.debtor.assigned_agent_id
    if agent_id is None or deps.agent_name is None:
        return None
    return deps.agent_name(j.tenant.id, agent_id)
