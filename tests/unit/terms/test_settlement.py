"""Settling discount offers on payment: at, under and over the discounted amount, after expiry, and
once under retries and races; every terms event matches its partner schema."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.entities import DebtState, PaymentMethod
from domain.event_catalogue import envelope
from domain.principal import Principal
from domain.services.payments import AllocationInput, PaymentInput
from domain.terms.model import DiscountOffer, OfferStatus
from domain.terms.offers import OfferInput
from domain.terms.settlement import DiscountSettlement
from tests.terms_fakes import InMemoryTermsRepository
from tests.unit.terms.conftest import World
from tests.unit.test_event_schemas import errors_of

TERMS_EVENTS = {"DebtExtended", "DiscountOfferCreated", "DiscountOfferSettled", "DiscountOfferCancelled"}


def _offer(
    world: World, admin: Principal, percent: str = "20", until: date = date(2026, 3, 31)
) -> DiscountOffer:
    data = OfferInput(world.debtor.id, [d.id for d in world.debts], until, percent=percent)
    return world.terms.offers.create(admin, data).offer


def _pay(world: World, who: Principal, amount: str, key: str, **kw: Any) -> None:
    data = PaymentInput(world.debtor.id, amount, "PEN", PaymentMethod.TRANSFER, key, **kw)
    world.ledger.payments.record(who, data)


def _stored(world: World, offer: DiscountOffer) -> DiscountOffer:
    found = world.terms.store.get_offer("acme", offer.debtor_id, offer.id)
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("paid", "settled", "credited"),
    [("160.00", True, "40.00"), ("159.99", False, "0"), ("170.00", True, "30.00"), ("200.00", True, "0.00")],
)
def test_a_payment_settles_at_or_over_the_discounted_amount_never_under(
    world: World, admin: Principal, agent: Principal, paid: str, settled: bool, credited: str
) -> None:
    offer = _offer(world, admin)  # 20% of 200.00: pay 160.00
    _pay(world, agent, paid, "p-1")
    stored = _stored(world, offer)
    assert (stored.status is OfferStatus.SETTLED) is settled
    assert stored.lines[0].credited == Decimal(credited)
    credits = [a for d in world.debts for a in world.repo.adjustments_of_debt("acme", world.debtor.id, d.id)]
    assert sum((a.amount for a in credits), Decimal(0)) == Decimal(credited)
    assert all(a.reason == f"discount offer {offer.id}" for a in credits)
    states = {world.debt(n).state for n in (0, 1)}
    assert states == ({DebtState.PAID} if settled else {DebtState.PAID, DebtState.OPEN})


def test_an_expired_offer_is_not_applied_but_a_payment_made_before_its_end_is(
    world: World, admin: Principal, agent: Principal
) -> None:
    offer = _offer(world, admin, until=date(2026, 3, 20))
    world.clock.set(datetime(2026, 3, 21, 5, 0, tzinfo=UTC))  # the first instant of Mar 21 in Lima
    assert _stored(world, offer).status_at(world.clock.now()) is OfferStatus.EXPIRED
    _pay(world, agent, "100.00", "late-1")
    _pay(world, agent, "60.00", "late-2")
    assert _stored(world, offer).status is OfferStatus.ACTIVE and world.debt(1).balance == Decimal("40.00")
    # a transfer made on the last day, recorded afterwards, still earns the discount
    before_end = datetime(2026, 3, 21, 4, 59, tzinfo=UTC)
    _pay(
        world,
        agent,
        "0.01",
        "on-time",
        paid_at=before_end,
        allocations=[AllocationInput(world.debts[1].id, "0.01")],
    )
    assert _stored(world, offer).status is OfferStatus.SETTLED and world.debt(1).state is DebtState.PAID


def test_the_settling_observer_applies_once_when_retried_or_raced(
    world: World, admin: Principal, agent: Principal
) -> None:
    offer = _offer(world, admin)
    stale = _stored(world, offer)
    _pay(world, agent, "160.00", "p-1")
    for _ in range(2):  # the payment request retried: the observer hears the same payment again
        _pay(world, agent, "160.00", "p-1")
    assert len(world.repo.adjustments_of_debt("acme", world.debtor.id, world.debts[1].id)) == 1

    class StaleOnce(InMemoryTermsRepository):
        """A racing settlement: its first read still sees the offer ACTIVE."""

        served = False

        def get_offer(self, tenant: str, debtor_id: str, offer_id: str) -> DiscountOffer | None:
            if not self.served:
                self.served = True
                return stale
            return super().get_offer(tenant, debtor_id, offer_id)

    racing = DiscountSettlement(world.ledger.deps, StaleOnce(world.repo))
    events = len(world.repo.events)
    assert racing.settle(agent, world.debtor.id, offer.id, "p-x", world.clock.now()) is None
    assert len(world.repo.events) == events
    assert len(world.repo.adjustments_of_debt("acme", world.debtor.id, world.debts[1].id)) == 1


def test_settlement_events_and_audit(world: World, admin: Principal, agent: Principal) -> None:
    offer = _offer(world, admin)
    _pay(world, agent, "160.00", "p-1")
    types = [e.type for e in world.repo.events]
    assert types.count("DiscountOfferCreated") == 1 and types.count("DiscountOfferSettled") == 1
    settled = [e.data for e in world.repo.events if e.type == "DebtUpdated" and "adjustment" in e.data]
    assert settled == [
        settled[0]
        | {"change": "debtAdjust", "adjustment": {"kind": "CREDIT", "amount": "40.00"}, "state": "PAID"}
    ]
    actions = [a.action for a in world.repo.audits if a.entity_id in (offer.id, world.debts[1].id)]
    assert "discountOffer" in actions and "discountOfferSettle" in actions


def test_every_terms_event_matches_its_schema(world: World, admin: Principal, agent: Principal) -> None:
    world.terms.extensions.extend(agent, world.debtor.id, world.debts[0].id, date(2026, 4, 10), "job loss")
    first = _offer(world, admin)
    world.terms.offers.cancel(admin, world.debtor.id, first.id, "mistake")
    _offer(world, admin, percent="12.5")
    world.clock.advance(timedelta(minutes=1))
    _pay(world, agent, "200.00", "p-all")
    problems = []
    for event in world.repo.events:
        wire = json.loads(json.dumps(envelope(event)))
        problems += [f"{event.type}: {m}" for m in errors_of(event.type, wire, event.version)]
    assert problems == []
    assert {e.type for e in world.repo.events} >= TERMS_EVENTS
