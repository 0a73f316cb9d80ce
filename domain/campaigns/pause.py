"""A debt under a pending promise: its cadence waits (the planner defers it, the dispatcher drops it)."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.entities import Debt, NextAction

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
