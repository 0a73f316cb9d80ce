"""`Debt.reminders` over GraphQL: a promise pauses the cadence until its deadline, a payment that keeps
it resumes it, a paid debt stops; an agent sees its own debts' state."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import PAYMENT_RECORD, Api
from tests.api.test_promises_api import AGENT, CREATE, _promise, _setup

REMINDERS = """query($id: ID!) { node(id: $id) { ... on Debt {
  status reminders { state pausedUntil nextEvaluationAt campaignId stepId occurrence } } } }"""


def _reminders(api: Api, debt: str) -> dict[str, Any]:
    return api.ok(REMINDERS, AGENT, id=debt)["node"]["reminders"]


def test_a_promise_pauses_the_debt_and_the_payment_that_keeps_it_stops_it(
    api: Api, acme: dict[str, Any]
) -> None:
    world = _setup(api, acme)
    debt = world["debts"][0]
    before = _reminders(api, debt)
    assert before["state"] in ("SCHEDULED", "IDLE") and before["pausedUntil"] is None
    promise = api.mutate("promiseCreate", CREATE, AGENT, i=_promise(world, amount="100.00"))["promise"]
    paused = _reminders(api, debt)
    assert paused["state"] == "PAUSED" and paused["pausedUntil"] == promise["deadline"]
    other = _reminders(api, world["debts"][1])  # the debt the promise does not name keeps going
    assert other["state"] != "PAUSED"
    api.mutate(
        "paymentRecord",
        PAYMENT_RECORD,
        AGENT,
        i={"debtId": debt, "amount": "100.00", "currency": "PEN", "method": "CASH", "idempotencyKey": "p-1"},
    )
    assert _reminders(api, debt) == {
        "state": "STOPPED",
        "pausedUntil": None,
        "nextEvaluationAt": None,
        "campaignId": None,
        "stepId": None,
        "occurrence": None,
    }
