"""A debt's reminder state, as `Debt.reminders` shows it: the order of the reasons matters (a paid debt
in a plan is STOPPED, a plan wins over a promise pause, a pause that ended is no longer a pause)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from domain.campaigns.pause import ReminderState, reminder_state
from domain.entities import NextAction
from tests.unit.campaigns.test_cadence import debt

NOW = datetime(2026, 3, 16, 15, 0, tzinfo=UTC)
ACTION = NextAction(NOW + timedelta(hours=2), "c1", "s1", date(2026, 3, 16))


def test_each_reason_in_its_order() -> None:
    due = date(2026, 3, 10)
    assert reminder_state(debt(due), NOW) is ReminderState.IDLE
    assert reminder_state(debt(due, next_action=ACTION), NOW) is ReminderState.SCHEDULED
    paused = debt(due, next_action=ACTION, paused_until=NOW + timedelta(days=3))
    assert reminder_state(paused, NOW) is ReminderState.PAUSED
    assert reminder_state(paused, NOW + timedelta(days=4)) is ReminderState.SCHEDULED
    in_plan = debt(due, next_action=ACTION, paused_until=NOW + timedelta(days=3), plan_id="pl1")
    assert reminder_state(in_plan, NOW) is ReminderState.IN_PLAN
    paid = debt(due, plan_id="pl1", paid_total=Decimal("100.00"))
    assert reminder_state(paid, NOW) is ReminderState.STOPPED
    assert reminder_state(debt(due, disputed=True), NOW) is ReminderState.STOPPED
