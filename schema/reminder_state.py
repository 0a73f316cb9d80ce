"""`Debt.reminders`: where a debt stands with its reminder cadence (scheduled, paused by a promise,
in a payment plan, stopped), so an agent or supervisor sees a pause take effect."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

import strawberry

from domain.campaigns.pause import ReminderState as State
from domain.campaigns.pause import reminder_state
from domain.entities import Debt
from schema.common import encode_id

ReminderState = strawberry.enum(
    Enum("ReminderState", {s.name: s.value for s in State}),  # type: ignore[misc]
    description="SCHEDULED: the planner looks at it at nextEvaluationAt; PAUSED: a pending promise holds "
    "it until pausedUntil; IN_PLAN: only its payment plan's instalment reminders go out; STOPPED: paid, "
    "disputed or written off; IDLE: open, but no active campaign step is ahead of it.",
)


@strawberry.type(description="A debt's reminder cadence as the engine holds it.")
class DebtReminders:
    state: ReminderState  # type: ignore[valid-type]
    paused_until: datetime | None = strawberry.field(description="End of a promise's pause.")
    next_evaluation_at: datetime | None = strawberry.field(
        description="When the planner looks at the debt next (a step's moment, or a re-check)."
    )
    campaign_id: strawberry.ID | None = strawberry.field(description="The campaign of the next step.")
    step_id: str | None = strawberry.field(description="The next step (empty: a re-evaluation).")
    occurrence: date | None = strawberry.field(description="The debtor-local day that step fires on.")

    @classmethod
    def of(cls, debt: Debt, now: datetime) -> DebtReminders:
        action = debt.next_action
        state = reminder_state(debt, now)
        return cls(
            state=ReminderState[state.name],
            paused_until=debt.paused_until if state is State.PAUSED else None,
            next_evaluation_at=action.at if action else None,
            campaign_id=encode_id("Campaign", action.campaign_id) if action and action.campaign_id else None,
            step_id=action.step_id or None if action else None,
            occurrence=action.occurrence if action else None,
        )
