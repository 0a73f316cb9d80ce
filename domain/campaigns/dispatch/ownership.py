"""Step 2: the job's claims. A message that owns them: QUEUED (an attempt stopped before the provider,
or was throttled) is resumed; SENDING (an attempt stopped after the provider may have accepted) is
never sent again but recorded FAILED / OUTCOME_UNKNOWN; anything else makes this a duplicate job.
Debts claimed by a message of another grouping are left to it."""

from __future__ import annotations

from collections.abc import Callable

from domain.campaigns.contact_points import POLICY_CHANNEL
from domain.campaigns.deps import EngineDeps
from domain.campaigns.dispatch.job import (
    OUTCOME_UNKNOWN,
    SEND_CHANNEL,
    DispatchResult,
    LoadedJob,
    amount,
    same_job,
)
from domain.campaigns.dispatch.records import Records
from domain.campaigns.model import CampaignStats, Message, MessageStatus
from domain.campaigns.ports import SendClaim
from domain.policy import AttemptKind, ContactRecord
from domain.templates import TemplateChannel

FinishTask = Callable[[LoadedJob, Message], DispatchResult]


class Ownership:
    def __init__(self, deps: EngineDeps, records: Records, finish_task: FinishTask) -> None:
        self.deps, self.records, self.finish_task = deps, records, finish_task

    def existing(self, j: LoadedJob) -> Message | DispatchResult | None:
        """The message an earlier attempt of this job left (resumed when QUEUED), the end of the job,
        or None to start a new message (for the debts no other grouping owns)."""
        owner = self.records.batch.owner(j.tenant.id, j.claims()[0])
        if owner is None:
            return None
        if same_job(j, owner):
            return self.resume(j, owner)
        return leave(j, set(owner.debt_ids))

    def after_taken(self, j: LoadedJob, taken: list[SendClaim]) -> DispatchResult | None:
        owners: dict[str, Message] = {}
        for claim in taken:
            owner = self.records.batch.owner(j.tenant.id, claim, fresh=True)
            if owner is not None:
                owners.setdefault(owner.id, owner)
        if len(owners) == 1 and same_job(j, next(iter(owners.values()))):
            return None  # a duplicate of this job got there first: look at what it did
        return leave(j, {c.debt_id for c in taken})

    def resume(self, j: LoadedJob, owner: Message) -> Message | DispatchResult:
        if owner.status is MessageStatus.QUEUED:
            owner.debt_ids, owner.amount = [d.id for d in j.debts], amount(j.debts)
            return owner
        if owner.status is MessageStatus.SENDING and owner.channel is TemplateChannel.CALL_TASK:
            return self.finish_task(j, owner)  # creating a task again is harmless: same item
        if owner.status is MessageStatus.SENDING:
            return self.outcome_unknown(owner)
        return DispatchResult("DUPLICATE", owner.channel.value, owner.id, reason="already handled")

    def outcome_unknown(self, message: Message) -> DispatchResult:
        """The provider may have accepted it: never sent again. Counted as a contact all the same (the
        stricter reading); delivery feedback, or the first attempt if it is alive, sets it right."""
        message.status, message.error_code = MessageStatus.FAILED, OUTCOME_UNKNOWN
        message.error = "an attempt stopped after calling the provider; not sent again"
        contact = None
        if message.to and message.channel in SEND_CHANNEL:
            contact = ContactRecord(
                channel=POLICY_CHANNEL[message.channel],
                at=message.updated_at or self.deps.clock.now(),
                kind=AttemptKind.CONTACT,
                debt_ids=tuple(message.debt_ids),
                address=message.to,
            )
        self.records.save(message, contact)
        self.records.count(message, CampaignStats(failed=1))
        return DispatchResult("FAILED", message.channel.value, message.id, reason=OUTCOME_UNKNOWN)

    def new_message(self, j: LoadedJob) -> Message:
        now = self.deps.clock.now()
        return Message(
            tenant=j.tenant.id,
            id=self.deps.ids.new_id(),
            debtor_id=j.debtor.id,
            debt_ids=[d.id for d in j.debts],
            channel=j.step.channel,
            status=MessageStatus.QUEUED,
            occurrence=j.job.occurrence,
            campaign_id=j.campaign.id,
            step_id=j.step.id,
            template_id=j.step.template_id,
            currency=j.debts[0].currency,
            amount=amount(j.debts),
            created_at=now,
            updated_at=now,
        )


def leave(j: LoadedJob, gone: set[str]) -> DispatchResult | None:
    """Another grouping of these debts (a re-planned cycle) owns some of them: leave those to it."""
    j.debts = [d for d in j.debts if d.id not in gone]
    if j.debts:
        return None
    return DispatchResult("DUPLICATE", reason="another message already handled these debts")
