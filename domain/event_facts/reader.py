"""`StoreEventFacts`: the `EventFactsReader` of the reminder engine, on the plan and promise stores.

Cost per event-triggered message: INSTALMENT_DUE one plan read (GetItem; BatchGetItem when the debts
are in several plans), the promise triggers one Query of the debtor's newest promises, PAYMENT_RECEIVED
one Query of the debtor's payments since the start of the payment's day. Cadence messages never ask.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time

from domain.campaigns.cadence import local_instant
from domain.campaigns.model import StepTrigger
from domain.entities import Debt, Debtor
from domain.event_facts.picking import (
    current_promise_facts,
    instalment_facts,
    next_instalment_facts,
    payment_facts,
    promise_broken_facts,
    promise_due_facts,
)
from domain.plans.model import PaymentPlan
from domain.plans.ports import PlanRepository
from domain.ports import PageRequest
from domain.promises.model import Promise
from domain.promises.ports import PromiseRepository
from domain.templates import EventFacts, filled

RECENT_PROMISES = 20
"""How many of the debtor's newest promises are looked at (one Query page)."""


class StoreEventFacts:
    def __init__(self, plans: PlanRepository, promises: PromiseRepository) -> None:
        self.plans, self.promises = plans, promises

    def facts(
        self, debtor: Debtor, debts: Sequence[Debt], trigger: StepTrigger, occurrence: date
    ) -> EventFacts | None:
        debt_ids = [d.id for d in debts]
        if trigger is StepTrigger.INSTALMENT_DUE:
            return instalment_facts(self._plans(debtor, debts), occurrence)
        if trigger is StepTrigger.PROMISE_DUE_TOMORROW:
            return promise_due_facts(self._promises(debtor), debt_ids, occurrence)
        if trigger is StepTrigger.PROMISE_BROKEN:
            return promise_broken_facts(self._promises(debtor), debt_ids, occurrence)
        if trigger is StepTrigger.PAYMENT_RECEIVED and debts:
            since = local_instant(occurrence, time(0, 0), debtor.time_zone)
            payments = self.promises.payments_since(debtor.tenant, debtor.id, since)
            return payment_facts(payments, debt_ids, occurrence, debtor.time_zone, debts[0].currency)
        return None

    def current(self, debtor: Debtor, debts: Sequence[Debt], today: date) -> EventFacts | None:
        instalment = next_instalment_facts(self._plans(debtor, debts), today)
        promise = None
        if any(d.paused_until is not None for d in debts):  # a pending promise pauses its debts
            promise = current_promise_facts(self._promises(debtor), [d.id for d in debts])
        if instalment is None or promise is None:
            return instalment or promise
        return filled(instalment, promise)

    def _plans(self, debtor: Debtor, debts: Sequence[Debt]) -> list[PaymentPlan]:
        ids = list(dict.fromkeys(d.plan_id for d in debts if d.plan_id is not None))
        if not ids:
            return []
        if len(ids) == 1:
            plan = self.plans.get_plan(debtor.tenant, debtor.id, ids[0])
            return [plan] if plan is not None else []
        return list(self.plans.get_plans(debtor.tenant, [(debtor.id, i) for i in ids]).values())

    def _promises(self, debtor: Debtor) -> list[Promise]:
        page = self.promises.promises_of_debtor(debtor.tenant, debtor.id, PageRequest(RECENT_PROMISES))
        return page.items
