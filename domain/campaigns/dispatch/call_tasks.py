"""A CALL_TASK step: the message becomes a task for the debtor's agent, and the agent's phones hear of it."""

from __future__ import annotations

from domain.campaigns.deps import EngineDeps
from domain.campaigns.dispatch.job import DispatchResult, LoadedJob
from domain.campaigns.dispatch.records import Records
from domain.campaigns.dispatch.rendering import render_job
from domain.campaigns.model import CallTask, CampaignStats, Message, MessageStatus
from domain.messaging import OutgoingMessage, PermanentSendError, SendChannel, TransientSendError
from domain.templates import TemplateChannel

_PUSH_TEXT = {
    "es": ("Nueva gestión de cobranza", "Tienes una llamada de cobranza asignada."),
    "en": ("New collection task", "A collection call was assigned to you."),
}


class CallTasks:
    def __init__(self, deps: EngineDeps, records: Records) -> None:
        self.deps, self.records = deps, records

    def create(self, j: LoadedJob, message: Message) -> DispatchResult:
        """Claim the message (SENDING), put the task, then record it SENT: a crash in between is
        finished by the next attempt (the task is the same item), never left half done."""
        agent = next(
            (d.assigned_agent_id for d in j.debts if d.assigned_agent_id), j.debtor.assigned_agent_id
        )
        message.status, message.to, message.task_id = MessageStatus.SENDING, agent, message.id
        self.records.record(j, message)
        return self.finish(j, message)

    def finish(self, j: LoadedJob, message: Message) -> DispatchResult:
        now = self.deps.clock.now()
        result = render_job(
            self.deps,
            self.records.batch,
            j,
            message.template_id or j.step.template_id,
            TemplateChannel.CALL_TASK,
        )
        script = result[0].text if not isinstance(result, str) else None
        task = CallTask(
            tenant=j.tenant.id,
            id=message.id,
            debtor_id=j.debtor.id,
            debt_ids=list(message.debt_ids),
            agent_id=message.to,
            campaign_id=message.campaign_id,
            step_id=message.step_id,
            due_at=j.job.planned_at,  # the job's instant: a retried job writes the same task item
            script=script,
            created_at=message.created_at or now,
        )
        self.deps.messages.save_task(task)
        message.status, message.sent_at, message.task_id, message.text = (
            MessageStatus.SENT,
            now,
            task.id,
            script,
        )
        self.records.save(message)  # no contact entry: the agent's call is logged when it happens
        self.records.count(message, CampaignStats(sent=1))
        self._notify_agent(j, task)
        return DispatchResult("SENT", TemplateChannel.CALL_TASK.value, message.id)

    def _notify_agent(self, j: LoadedJob, task: CallTask) -> None:
        sender = self.deps.senders.get(SendChannel.PUSH)
        if task.agent_id is None or sender is None:
            return
        title, text = _PUSH_TEXT.get(j.tenant.locale.split("-")[0].lower(), _PUSH_TEXT["en"])
        for device in self.deps.messages.devices_of_agent(j.tenant.id, task.agent_id):
            # No debtor name on a lock screen: the app fetches the task by id.
            push = OutgoingMessage(
                channel=SendChannel.PUSH,
                to=device.endpoint_arn,
                reference=task.id,
                tenant=j.tenant.id,
                subject=title,
                text=text,
                data={"taskId": task.id},
            )
            try:
                sender.send(push)
            except (TransientSendError, PermanentSendError):
                continue  # a phone that cannot be reached never fails the task
