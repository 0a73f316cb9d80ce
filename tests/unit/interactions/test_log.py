"""interactionLog in the domain, on in-memory fakes: what each outcome counts as, idempotent retries,
outcome effects, the policy decision kept as proof, validation, agents' scope and the observer hook."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.clock import FixedClock
from domain.entities import Channel, ContactKind, ContactStatus, DebtState, Portfolio
from domain.errors import DomainError, ErrorCode, Forbidden
from domain.interactions.model import InteractionChannel as IC
from domain.interactions.model import InteractionOutcome as IO
from domain.interactions.model import attempt_kind, policy_channel
from domain.interactions.ports import InteractionFilter
from domain.interactions.service import InteractionDeps, Interactions
from domain.interactions.validation import InteractionInput
from domain.policy import AttemptKind, Direction, Outcome, PolicyBook
from domain.ports import PageRequest
from domain.principal import Principal, Role
from domain.services import Ledger
from domain.services.debtors import ContactInput, DebtorInput
from domain.services.debts import DebtInput
from tests.unit.campaigns.dispatch_fakes import InMemoryMessageRepository
from tests.unit.interactions.fakes import InMemoryInteractionRepository, RecordingObserver

MONDAY = datetime(2026, 3, 16, 15, 0, tzinfo=UTC)  # 10:00 in Lima


@pytest.mark.parametrize(
    ("channel", "outcome", "kind"),
    [
        (IC.CALL, IO.NO_ANSWER, AttemptKind.ATTEMPT),
        (IC.CALL, IO.WRONG_NUMBER, AttemptKind.ATTEMPT),
        (IC.CALL, IO.LEFT_MESSAGE, AttemptKind.ATTEMPT),
        (IC.VISIT, IO.LEFT_MESSAGE, AttemptKind.ATTEMPT),
        (IC.CALL, IO.PROMISE, AttemptKind.CONVERSATION),
        (IC.VISIT, IO.REFUSED, AttemptKind.CONVERSATION),
        (IC.CALL, IO.CALLBACK, AttemptKind.CONVERSATION),
        (IC.WHATSAPP, IO.PROMISE, AttemptKind.CONTACT),
        (IC.SMS, IO.NO_ANSWER, AttemptKind.CONTACT),
        (IC.WHATSAPP, IO.WRONG_NUMBER, AttemptKind.ATTEMPT),
        (IC.EMAIL, IO.OTHER, AttemptKind.CONTACT),
    ],
)
def test_each_outcome_counts_as_the_attempt_kind_the_policy_docs_imply(
    channel: IC, outcome: IO, kind: AttemptKind
) -> None:
    assert attempt_kind(channel, outcome) is kind


def test_other_channel_is_never_counted() -> None:
    assert policy_channel(IC.OTHER) is None
    assert policy_channel(IC.VISIT) is Channel.VISIT


class World:
    def __init__(self, ledger: Ledger, admin: Principal, portfolio: Portfolio) -> None:
        self.ledger = ledger
        self.history = InMemoryMessageRepository()
        self.repo = InMemoryInteractionRepository(self.history)
        self.observer = RecordingObserver()
        book = PolicyBook()
        self.service = Interactions(
            InteractionDeps(ledger, self.repo, self.history, lambda tenant: book, self.observer)
        )
        self.debtor = ledger.debtors.create(
            admin,
            DebtorInput(
                name="Juan Pérez",
                external_id="C-1",
                contacts=[
                    ContactInput(ContactKind.PHONE, "987 654 321", consent=True),
                    ContactInput(ContactKind.WHATSAPP, "987 654 321", consent=True),
                ],
                assigned_agent_id="ag-1",
            ),
        )
        self.debt = ledger.debts.create(
            admin, DebtInput(self.debtor.id, portfolio.id, "300.00", date(2026, 3, 1), external_id="F-1")
        )

    def call(self, key: str, outcome: IO = IO.NO_ANSWER, **extra: object) -> InteractionInput:
        fields: dict[str, object] = {"occurred_at": MONDAY - timedelta(minutes=30), **extra}
        return InteractionInput(self.debtor.id, IC.CALL, outcome, idempotency_key=key, **fields)  # type: ignore[arg-type]


@pytest.fixture
def world(ledger: Ledger, admin: Principal, configured: Portfolio, clock: FixedClock) -> World:
    clock.set(MONDAY)
    return World(ledger, admin, configured)


def test_a_logged_call_lands_in_the_contact_history_and_a_retry_writes_nothing(
    world: World, agent: Principal
) -> None:
    first = world.service.log(agent, world.call("k-1"))
    again = world.service.log(agent, world.call("k-1"))
    assert not first.replayed and again.replayed
    assert again.interaction.id == first.interaction.id
    assert world.repo.writes == 1
    (record,) = world.history.contact_history("acme", world.debtor.id, MONDAY - timedelta(days=1))
    assert (record.channel, record.kind, record.direction) == (
        Channel.CALL,
        AttemptKind.ATTEMPT,
        Direction.OUTBOUND,
    )
    assert first.interaction.verdict is not None and first.interaction.verdict.outcome is Outcome.SEND
    assert first.interaction.agent_id == "ag-1"
    with pytest.raises(DomainError) as reused:
        world.service.log(agent, world.call("k-1", IO.REFUSED))
    assert reused.value.code is ErrorCode.IDEMPOTENCY_KEY_REUSED


def test_the_observer_hears_every_log_and_every_replay(world: World, agent: Principal) -> None:
    callback = MONDAY + timedelta(days=1)
    world.service.log(agent, world.call("k-1", IO.CALLBACK, callback_at=callback))
    world.service.log(agent, world.call("k-1", IO.CALLBACK, callback_at=callback))
    assert [(e.outcome, e.callback_at, e.agent_id) for e in world.observer.events] == [
        (IO.CALLBACK, callback, "ag-1"),
        (IO.CALLBACK, callback, "ag-1"),
    ]
    assert world.observer.events[0].interaction_id == world.observer.events[1].interaction_id


def test_a_sunday_call_is_recorded_with_the_decision_and_flagged(world: World, supervisor: Principal) -> None:
    sunday = datetime(2026, 3, 15, 15, 0, tzinfo=UTC)
    logged = world.service.log(supervisor, world.call("k-sun", occurred_at=sunday)).interaction
    assert logged.violation and logged.verdict is not None
    assert logged.verdict.outcome is Outcome.DEFER and logged.verdict.policy_id == "PE-29571"
    inbound = world.service.log(
        supervisor, world.call("k-in", IO.PROMISE, occurred_at=sunday, direction=Direction.INBOUND)
    ).interaction
    assert inbound.verdict is None and not inbound.violation
    flagged = world.service.list(supervisor, InteractionFilter(violations=True), PageRequest())
    assert [i.id for i in flagged.items] == [logged.id]


def test_a_late_log_is_judged_by_the_history_before_it(
    world: World, agent: Principal, ledger: Ledger, admin: Principal
) -> None:
    # GIVEN a Colombian debtor (Ley 2300: one contact a day)
    colombian = ledger.debtors.create(
        admin,
        DebtorInput(
            name="Ana Ruiz",
            external_id="C-CO",
            jurisdiction="CO",
            contacts=[ContactInput(ContactKind.PHONE, "+57 300 1234567", consent=True)],
            assigned_agent_id="ag-1",
        ),
    )

    def call(key: str, at: datetime) -> InteractionInput:
        return InteractionInput(colombian.id, IC.CALL, IO.NO_ANSWER, at, key)

    # WHEN the 09:55 call is logged first and the 08:00 call (made earlier, phone offline) afterwards
    later = world.service.log(agent, call("k-2", MONDAY - timedelta(minutes=5))).interaction
    early = world.service.log(agent, call("k-1", MONDAY - timedelta(hours=2))).interaction
    # THEN the early one was lawful when made, and the later one is the second contact of the day
    assert not later.violation
    assert not early.violation
    third = world.service.log(agent, call("k-3", MONDAY)).interaction
    assert third.violation and third.verdict is not None
    assert "CO-2300-one-per-day" in third.verdict.rule_ids


def test_wrong_number_invalidates_the_phone_and_whatsapp_of_that_number(
    world: World, agent: Principal, ledger: Ledger
) -> None:
    result = world.service.log(agent, world.call("k-w", IO.WRONG_NUMBER, address="+51 987 654 321"))
    assert result.interaction.effects == ["phone-invalid:+51987654321"]
    debtor = ledger.deps.repo.get_debtor("acme", world.debtor.id)
    assert debtor is not None and {c.status for c in debtor.contacts} == {ContactStatus.INVALID}
    again = world.service.log(agent, world.call("k-w", IO.WRONG_NUMBER, address="+51 987 654 321"))
    assert again.replayed and again.interaction.effects == []


def test_dispute_opens_a_dispute_through_the_ledger(world: World, agent: Principal, ledger: Ledger) -> None:
    result = world.service.log(
        agent, world.call("k-d", IO.DISPUTE, debt_ids=(world.debt.id,), note="no reconoce la factura")
    )
    assert result.interaction.effects == [f"dispute:{world.debt.id}"]
    debt = ledger.deps.repo.get_debt("acme", world.debtor.id, world.debt.id)
    assert debt is not None and debt.state is DebtState.DISPUTED
    assert debt.dispute_reason == "no reconoce la factura"


def test_bad_input_is_refused_with_every_problem_and_writes_nothing(world: World, agent: Principal) -> None:
    with pytest.raises(DomainError) as err:
        world.service.log(
            agent,
            world.call(
                "k-x",
                IO.CALLBACK,
                occurred_at=MONDAY + timedelta(hours=1),
                debt_ids=("nope",),
            ),
        )
    assert [(e.code, e.field) for e in err.value.errors] == [(ErrorCode.NOT_FOUND, "debtIds[0]")]
    with pytest.raises(DomainError) as err:
        world.service.log(agent, world.call("k-x", IO.CALLBACK, occurred_at=MONDAY + timedelta(hours=1)))
    assert [(e.code, e.field) for e in err.value.errors] == [
        (ErrorCode.INVALID_DATE, "occurredAt"),
        (ErrorCode.REQUIRED, "callbackAt"),
    ]
    with pytest.raises(DomainError) as err:
        world.service.log(agent, world.call("k-x", IO.WRONG_NUMBER, address="+51 912 345 678"))
    assert [(e.code, e.field) for e in err.value.errors] == [(ErrorCode.NOT_FOUND, "address")]
    with pytest.raises(DomainError) as err:
        world.service.log(agent, world.call(""))
    assert err.value.code is ErrorCode.REQUIRED
    assert world.repo.writes == 0 and world.history.history == {}


def test_agents_see_and_log_only_their_debtors(
    world: World, ledger: Ledger, admin: Principal, partner: Principal
) -> None:
    stranger = Principal(sub="u-2", tenant="acme", role=Role.AGENT, agent_id="ag-2")
    with pytest.raises(DomainError) as err:
        world.service.log(stranger, world.call("k-1"))
    assert (err.value.code, err.value.errors[0].field) == (ErrorCode.NOT_FOUND, "debtorId")
    logged = world.service.log(admin, world.call("k-2")).interaction
    assert world.service.get(stranger, logged.ref) is None
    assert world.service.get(admin, logged.ref) is not None
    with pytest.raises(DomainError):
        world.service.list(stranger, InteractionFilter(debtor_id=world.debtor.id), PageRequest())
    assert world.service.list(stranger, InteractionFilter(), PageRequest()).items == []
    with pytest.raises(Forbidden):
        world.service.log(partner, world.call("k-3"))
