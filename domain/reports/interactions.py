"""Interactions as the reminder engine records them: messages (GSI1 `T#t#MESSAGES` or a campaign's
GSI2) and call tasks (`T#t#TASKS` or an agent's GSI1), both paged lazily. Agents' logged calls and
visits (issue 4) join by implementing `InteractionSource` over their own store and chaining."""

from __future__ import annotations

from collections.abc import Iterator

from domain.campaigns.model import CallTask, Message
from domain.campaigns.ports import CampaignRepository, MessageFilter, MessageRepository
from domain.reports.paging import iter_pages
from domain.reports.ports import Interaction, InteractionQuery


def _message(m: Message) -> Interaction:
    at = m.sent_at or m.created_at or m.updated_at
    assert at is not None  # messages are always created with a timestamp
    return Interaction(
        at=at,
        kind="MESSAGE",
        channel=m.channel.value,
        status=m.status.value,
        debtor_id=m.debtor_id,
        campaign_id=m.campaign_id,
        step_id=m.step_id,
        recipient=m.to,
        subject=m.subject,
        amount=m.amount,
        currency=m.currency,
        detail=m.error or _blocked_by(m),
    )


def _blocked_by(m: Message) -> str | None:
    if m.decision is None or not m.decision.rule_ids:
        return None
    return ", ".join(m.decision.rule_ids)


def _task(t: CallTask) -> Interaction:
    return Interaction(
        at=t.due_at,
        kind="CALL_TASK",
        channel="CALL",
        status=t.status.value,
        debtor_id=t.debtor_id,
        campaign_id=t.campaign_id,
        step_id=t.step_id,
        detail=t.script,
        agent_id=t.agent_id,
    )


class ReminderInteractions:
    """`InteractionSource` over the reminder engine's stores."""

    def __init__(self, messages: MessageRepository, campaigns: CampaignRepository | None = None) -> None:
        self.messages, self.campaigns = messages, campaigns

    def interactions(self, tenant: str, query: InteractionQuery) -> Iterator[Interaction]:
        if not query.agent_id:  # messages are not assigned to agents; an agent's work is its tasks
            f = MessageFilter(campaign_id=query.campaign_id, created_from=query.since, created_to=query.until)
            for m in iter_pages(lambda page: self.messages.list_messages(tenant, f, page)):
                yield _message(m)
        for t in iter_pages(lambda page: self.messages.list_tasks(tenant, query.agent_id, page)):
            if query.campaign_id and t.campaign_id != query.campaign_id:
                continue
            if (query.since and t.due_at < query.since) or (query.until and t.due_at > query.until):
                continue
            yield _task(t)

    def campaign_names(self, tenant: str) -> dict[str, str]:
        if self.campaigns is None:
            return {}
        return {c.id: c.name for c in self.campaigns.list_campaigns(tenant)}
