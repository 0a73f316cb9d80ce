"""Event facts: which instalment, promise or payment an event-triggered message is about, what it costs
to read them (one read per event message, none for the cadence), and the dispatcher and the template
preview stating them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from domain.campaigns.model import MessageTemplate, Step, StepTrigger
from domain.entities import Allocation, Channel, Payment, PaymentMethod
from domain.event_facts import StoreEventFacts
from domain.event_facts.picking import (
    instalment_facts,
    payment_facts,
    promise_broken_facts,
    promise_due_facts,
)
from domain.plans.model import Frequency, Instalment, InstalmentKind, InstalmentStatus, PaymentPlan
from domain.ports import Transaction
from domain.principal import Principal, Role
from domain.promises.model import Promise, PromiseStatus
from domain.templates import EventFacts, TemplateBody, TemplateChannel
from tests.plan_fakes import InMemoryPlanRepository
from tests.promise_fakes import InMemoryPromiseRepository
from tests.unit.campaigns.dispatch_fakes import DUE, LIMA, Scenario, step

D = Decimal


def _plan(*instalments: Instalment, status_paid: Decimal = D("40.00")) -> PaymentPlan:
    return PaymentPlan(
        tenant="acme",
        id="pl-1",
        debtor_id="dr-1",
        debt_ids=["dt-1"],
        currency="PEN",
        total=D("100.00"),
        down_payment=D(0),
        frequency=Frequency.MONTHLY,
        first_due_date=DUE - timedelta(days=30),
        instalments=list(instalments),
        grace_days=5,
        time_zone=LIMA,
        paid=status_paid,
    )


def _three() -> PaymentPlan:
    """Instalment 1 paid; 2 due the day after DUE, 10.00 of its 40.00 paid; 3 due a month later."""
    kind, day = InstalmentKind.INSTALMENT, timedelta(days=1)
    return _plan(
        Instalment(1, kind, DUE - 30 * day, D("30.00"), D("30.00"), InstalmentStatus.PAID),
        Instalment(2, kind, DUE + day, D("40.00"), D("10.00"), InstalmentStatus.PARTIALLY_PAID),
        Instalment(3, kind, DUE + 31 * day, D("30.00")),
    )


def _promise(pid: str, status: PromiseStatus, promised: date, debts: list[str], **kw: Any) -> Promise:
    return Promise(
        "acme", pid, "dr-1", debts, D(kw.pop("amount", "50.00")), "PEN", promised,
        datetime(2030, 1, 1, tzinfo=UTC), Channel.CALL, status=status, time_zone=LIMA, **kw,
    )  # fmt: skip


# --- picking -------------------------------------------------------------------------------------


def test_the_instalment_falling_due_the_next_day_with_what_is_still_owed_on_it() -> None:
    facts = instalment_facts([_three()], DUE)  # the sweep's occurrence: the day before the due date
    assert facts == EventFacts(
        "PEN",
        instalment_amount=D("30.00"),
        instalment_due_date=DUE + timedelta(days=1),
        instalment_number=2,
        instalment_count=3,
        plan_remaining=D("60.00"),
    )


def test_an_instalment_paid_meanwhile_gives_way_to_the_next_and_a_closed_plan_to_nothing() -> None:
    plan = _three()
    plan.instalments[1].paid, plan.instalments[1].status = D("40.00"), InstalmentStatus.PAID
    facts = instalment_facts([plan], DUE)
    assert facts is not None and (facts.instalment_number, facts.instalment_amount) == (3, D("30.00"))
    assert facts.instalment_due_date == DUE + timedelta(days=31)
    plan.instalments[2].paid, plan.instalments[2].status = D("30.00"), InstalmentStatus.PAID
    assert instalment_facts([plan], DUE) is None
    plan = _three()
    plan.status = plan.status.BROKEN
    assert instalment_facts([plan], DUE) is None


def test_the_promise_due_tomorrow_of_these_debts() -> None:
    tomorrow = DUE + timedelta(days=1)
    promises = [  # newest first, as the store lists them
        _promise("p4", PromiseStatus.PENDING, tomorrow, ["dt-9"], amount="99.00"),  # another debt
        _promise("p3", PromiseStatus.CANCELLED, tomorrow, ["dt-1"], amount="98.00"),
        _promise("p2", PromiseStatus.PENDING, tomorrow + timedelta(days=3), ["dt-1"], amount="97.00"),
        _promise("p1", PromiseStatus.PENDING, tomorrow, ["dt-1", "dt-2"], amount="80.00"),
    ]
    facts = promise_due_facts(promises, ["dt-1"], DUE)
    assert facts == EventFacts(
        "PEN", promise_amount=D("80.00"), promise_date=tomorrow, promise_kept_amount=D(0)
    )
    assert promise_due_facts(promises, ["dt-3"], DUE) is None


def test_the_promise_broken_on_the_day_first_then_the_newest_broken() -> None:
    judged = datetime(2026, 12, 15, 3, 0, tzinfo=UTC)  # Dec 14 in Lima
    promises = [
        _promise("p3", PromiseStatus.KEPT, DUE, ["dt-1"], amount="10.00"),
        _promise("p2", PromiseStatus.BROKEN, DUE - timedelta(days=20), ["dt-1"], amount="20.00"),
        _promise("p1", PromiseStatus.PARTIALLY_KEPT, DUE - timedelta(days=2), ["dt-1"], amount="60.00",
                 kept_amount=D("25.00"), closed_at=judged),
    ]  # fmt: skip
    facts = promise_broken_facts(promises, ["dt-1"], DUE)
    assert facts is not None and (facts.promise_amount, facts.promise_kept_amount) == (D("60.00"), D("25.00"))
    facts = promise_broken_facts(promises, ["dt-1"], DUE + timedelta(days=9))
    assert facts is not None and facts.promise_amount == D("20.00")  # none that day: the newest


def test_the_payments_of_the_day_to_these_debts_added_up() -> None:
    def paid(pid: str, at: datetime, amount: str, debt: str = "dt-1", **kw: Any) -> Payment:
        return Payment(
            "acme", pid, "dr-1", D(amount), kw.pop("currency", "PEN"), at, PaymentMethod.CASH,
            [Allocation(debt, D(amount))], D(0), pid, **kw,
        )  # fmt: skip

    morning, night = datetime(2026, 12, 14, 14, tzinfo=UTC), datetime(2026, 12, 15, 4, tzinfo=UTC)
    payments = [
        paid("a", morning, "50.00"),
        paid("b", night, "25.00"),  # 23:00 in Lima: the same day
        paid("c", night + timedelta(hours=2), "7.00"),  # the next day
        paid("d", morning, "9.00", reversed_at=night),
        paid("e", morning, "8.00", debt="dt-9"),
        paid("f", morning, "6.00", currency="USD"),
    ]
    assert payment_facts(payments, ["dt-1"], DUE, LIMA, "PEN") == EventFacts("PEN", payment_amount=D("75.00"))
    assert payment_facts(payments, ["dt-2"], DUE, LIMA, "PEN") is None


# --- reads and the dispatcher --------------------------------------------------------------------


class CountingPlans(InMemoryPlanRepository):
    reads = 0

    def get_plan(self, tenant: str, debtor_id: str, plan_id: str) -> PaymentPlan | None:
        self.reads += 1
        return super().get_plan(tenant, debtor_id, plan_id)


class CountingPromises(InMemoryPromiseRepository):
    reads = 0

    def promises_of_debtor(self, *args: Any, **kwargs: Any) -> Any:
        self.reads += 1
        return super().promises_of_debtor(*args, **kwargs)


TEXT = (
    "{{ creditor_name }}: cuota {{ instalment_number }}/{{ instalment_count }} de {{ instalment_amount }},"
    " vence el {{ instalment_due_date }}."
)


def _with_plan() -> tuple[Scenario, CountingPlans, CountingPromises]:
    s = Scenario()
    plans, promises = CountingPlans(s.ledger), CountingPromises(s.ledger)
    s.deps.event_facts = StoreEventFacts(plans, promises)
    tx = Transaction()
    tx.save(_three())
    s.ledger.commit("acme", tx)
    s.update_debt("dt-1", lambda d: setattr(d, "plan_id", "pl-1"))
    body = TemplateBody(
        TemplateChannel.EMAIL, "es-PE", subject="{{ creditor_name }}: su cuota", html=TEXT, text=TEXT
    )
    s.campaigns.save_template(MessageTemplate("acme", "tpl-cuota", "cuota", TemplateChannel.EMAIL, [body]), 0)
    event = Step("ev", 0, TemplateChannel.EMAIL, "tpl-cuota", trigger=StepTrigger.INSTALMENT_DUE)
    s.campaign(step(TemplateChannel.EMAIL), event)
    return s, plans, promises


def test_an_instalment_reminder_states_the_instalment_and_a_cadence_message_reads_nothing() -> None:
    s, plans, promises = _with_plan()
    instalment = s.job("ev", DUE, debts=("dt-1",))
    cadence = s.job("s0", DUE, debts=("dt-2",))
    outcomes = s.reminders.dispatcher.handle_batch([cadence, instalment])
    assert [getattr(o, "status", o) for o in outcomes] == ["SENT", "SENT"]
    assert plans.reads == 1 and promises.reads == 0  # one read, for the event message only
    cadence_text, instalment_text = (m.text or "" for m in s.email.sent)
    assert "S/ 30.00" in instalment_text and "15 de diciembre de 2026" in instalment_text
    assert "cuota 2/3" in instalment_text and "100.00" not in instalment_text  # not the debt's balance
    assert "S/ 200.00" in cadence_text  # the cadence template, as before
    message = next(m for m in s.messages.all() if m.step_id == "ev")
    assert "S/ 30.00" in (message.text or "")


def test_a_batch_of_cadence_messages_never_asks_for_facts() -> None:
    s, plans, promises = _with_plan()
    asked: list[object] = []
    reader = s.deps.event_facts
    assert reader is not None

    class Asking:
        def facts(self, *args: Any) -> EventFacts | None:
            asked.append(args)
            return reader.facts(*args)

        def current(self, *args: Any) -> EventFacts | None:
            return reader.current(*args)

    s.deps.event_facts = Asking()
    outcomes = s.reminders.dispatcher.handle_batch([s.job("s0", DUE, debts=("dt-2",))])
    assert [getattr(o, "status", o) for o in outcomes] == ["SENT"]
    assert asked == [] and plans.reads == promises.reads == 0


def test_the_preview_shows_the_debts_plan_and_samples_without_one() -> None:
    s, _, _ = _with_plan()
    admin = Principal("ana", "acme", Role.ADMIN)
    with_plan = s.reminders.templates.preview(admin, "tpl-cuota", "dr-1", "dt-1")
    assert "cuota 2/3 de S/ 30.00, vence el 15 de diciembre de 2026" in (with_plan.text or "")
    without = s.reminders.templates.preview(admin, "tpl-cuota", "dr-1", "dt-2")
    assert "cuota 4/6 de S/ 205.75" in (without.text or "")  # the sample values
