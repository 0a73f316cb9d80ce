"""A debt under a pending promise: its cadence waits (the planner defers it, the dispatcher drops it)."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from domain.entities import Debt, DebtState, NextAction

RECHECK = timedelta(hours=1)
"""A pause whose deadline passed but whose promise is not judged yet (the sweeper runs daily) is
looked at again this much later, instead of at every planner cycle."""


def paused_action(debt: Debt, current: NextAction, now: datetime) -> NextAction:
    """The "evaluate" mark a paused debt waits under: the pause's end, or a while from now."""
    until = debt.paused_until
    at = until if until is not None and until > now else now + RECHECK
    return NextAction(
        at=at,
        campaign_id="",
        step_id="",
        occurrence=debt.due_date,
        time_zone=current.time_zone,
        jurisdiction=current.jurisdiction,
    )


class ReminderState(StrEnum):
    """Where a debt stands with its reminders, as `Debt.reminders` shows it."""

    SCHEDULED = "SCHEDULED"
    """The planner looks at it next at `next_action.at` (a campaign step, or a re-evaluation)."""
    PAUSED = "PAUSED"
    """A pending promise holds the cadence until `paused_until`."""
    IN_PLAN = "IN_PLAN"
    """A payment plan covers it: only its instalment reminders go out."""
    STOPPED = "STOPPED"
    """Paid, disputed or written off: nothing more is sent about it."""
    IDLE = "IDLE"
    """Open, but no active campaign step is ahead of it."""


def reminder_state(debt: Debt, now: datetime) -> ReminderState:
    if debt.state is not DebtState.OPEN:
        return ReminderState.STOPPED
    if debt.plan_id:
        return ReminderState.IN_PLAN
    if debt.paused_until is not None and debt.paused_until > now:
        return ReminderState.PAUSED
    return ReminderState.SCHEDULED if debt.next_action is not None else ReminderState.IDLE
