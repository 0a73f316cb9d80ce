"""Debt terms over GraphQL: extensions (prórroga) with caps, roles, audit, timeline and the cadence
re-anchored; discount offers settled by a payment (once, even when the payment is retried), expired,
cancelled, refused with codes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from domain.campaigns.engine import Reminders
from domain.clock import FixedClock
from domain.services import Ledger
from schema.common import decode_one, decode_two
from tests.api.conftest import DEBTOR_CREATE, PAYMENT_RECORD, Api, create_debt, token
from tests.api.test_campaigns_api import ACTIVATE, setup_campaign

AGENT = token(role="AGENT", agent_id="ag-1", sub="luis")
OTHER_AGENT = token(role="AGENT", agent_id="ag-2", sub="rita")
SUPERVISOR = token(role="SUPERVISOR", sub="sofia")
EXTEND = """
mutation($i: DebtExtendInput!) { debtExtend(input: $i) {
  debt { id dueDate originalDueDate status daysPastDue
         extensions { id previousDueDate newDueDate days reason } }
  extension { id previousDueDate newDueDate days reason createdBy } replayed errors { field code message } } }
"""
DEBT = """query($id: ID!) { node(id: $id) { ... on Debt { id dueDate originalDueDate status balance { amount }
  extensions { newDueDate } adjustments { kind amount { amount } reason }
  discountOffers { id status } } } }"""
SETTINGS = """mutation($i: DebtExtensionSettingsUpdateInput!) { debtExtensionSettingsUpdate(input: $i) {
  settings { maxExtensionsPerDebt maxDaysPerExtension version } errors { field code } } }"""
OFFER = """
mutation($i: DiscountOfferInput!) { discountOffer(input: $i) {
  offer { id status percent validUntil expiresAt discountedAmounts { amount currency }
          lines { currency balance { amount } discount { amount } discountedAmount { amount }
                  credited { amount } }
          debts { id } debtor { id } paymentId }
  replayed errors { field code message } } }
"""
CANCEL = """mutation($i: DiscountOfferCancelInput!) { discountOfferCancel(input: $i) {
  offer { id status cancelReason } errors { field code } } }"""
OFFERS = """query($id: ID!) { debtor(id: $id) { discountOffers { id status paymentId
  lines { credited { amount } } } } }"""


def _setup(api: Api, acme: dict[str, Any]) -> dict[str, Any]:
    debtor = api.mutate(
        "debtorCreate",
        DEBTOR_CREATE,
        i={"name": "Rosa Quispe", "externalId": "C-9", "assignedAgentId": "ag-1"},
    )["debtor"]["id"]
    mine = {**acme, "debtor": debtor}
    debts = [create_debt(api, mine, f"F-{n}", "100.00", "2026-03-10")["id"] for n in (1, 2)]
    return {"debtor": debtor, "debts": debts}


def _codes(payload: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["code"], e["field"]) for e in payload["errors"]]


def _pay(api: Api, world: dict[str, Any], amount: str, key: str, tok: str = AGENT) -> dict[str, Any]:
    i = {
        "debtorId": world["debtor"],
        "amount": amount,
        "currency": "PEN",
        "method": "TRANSFER",
        "idempotencyKey": key,
    }
    return api.mutate("paymentRecord", PAYMENT_RECORD, tok, i=i)


def test_an_agent_extends_its_debtors_debt_twice_then_the_cap_refuses_a_third(
    api: Api, acme: dict[str, Any]
) -> None:
    world = _setup(api, acme)
    debt = world["debts"][0]
    first = api.mutate(
        "debtExtend", EXTEND, AGENT, i={"debtId": debt, "newDueDate": "2026-04-10", "reason": "job loss"}
    )
    assert first["replayed"] is False
    assert first["debt"]["dueDate"] == "2026-04-10" and first["debt"]["originalDueDate"] == "2026-03-10"
    assert first["debt"]["status"] == "CURRENT" and first["debt"]["daysPastDue"] == 0
    assert first["extension"]["previousDueDate"] == "2026-03-10" and first["extension"]["days"] == 31
    assert first["extension"]["createdBy"] == "luis"
    again = api.mutate(
        "debtExtend", EXTEND, AGENT, i={"debtId": debt, "newDueDate": "2026-04-10", "reason": "job loss"}
    )
    assert again["replayed"] is True and again["extension"]["id"] == first["extension"]["id"]
    api.mutate(
        "debtExtend", EXTEND, SUPERVISOR, i={"debtId": debt, "newDueDate": "2026-04-20", "reason": "again"}
    )
    third = api.ok(EXTEND, AGENT, i={"debtId": debt, "newDueDate": "2026-04-30", "reason": "more"})[
        "debtExtend"
    ]
    assert third["debt"] is None and _codes(third) == [("EXTENSION_LIMIT_REACHED", "debtId")]
    seen = api.ok(DEBT, AGENT, id=debt)["node"]
    assert seen["dueDate"] == "2026-04-20" and seen["originalDueDate"] == "2026-03-10"
    assert [x["newDueDate"] for x in seen["extensions"]] == ["2026-04-10", "2026-04-20"]
    audit = api.ok("query($id: ID!) { auditLog(entityId: $id) { edges { node { action actor } } } }", id=debt)
    actions = [e["node"]["action"] for e in audit["auditLog"]["edges"]]
    assert actions.count("debtExtend") == 2
    timeline = api.ok(
        "query($id: ID!) { debtor(id: $id) { timeline(first: 10) { edges { node { kind summary } } } } }",
        AGENT,
        id=world["debtor"],
    )["debtor"]["timeline"]["edges"]
    assert [e["node"]["kind"] for e in timeline].count("EXTENSION") == 2


def test_extension_rules_answer_with_codes_and_change_nothing(api: Api, acme: dict[str, Any]) -> None:
    world = _setup(api, acme)
    debt = world["debts"][0]
    cases = [
        ({"newDueDate": "2026-03-09"}, AGENT, "INVALID_DATE", "newDueDate"),
        ({"newDueDate": "2026-05-15"}, AGENT, "EXTENSION_TOO_LONG", "newDueDate"),  # 60 days from today
        ({"reason": "  "}, AGENT, "REQUIRED", "reason"),
        ({}, OTHER_AGENT, "NOT_FOUND", "debtId"),
        ({"debtId": "bm90LWEtZGVidA"}, AGENT, "NOT_FOUND", "debtId"),
    ]
    for change, tok, code, field in cases:
        i = {"debtId": debt, "newDueDate": "2026-04-10", "reason": "r", **change}
        payload = api.ok(EXTEND, tok, i=i)["debtExtend"]
        assert payload["debt"] is None and _codes(payload) == [(code, field)], change
    assert api.mutate(
        "debtExtend", EXTEND, AGENT, i={"debtId": debt, "newDueDate": "2026-05-14", "reason": "ok"}
    )
    _pay(api, world, "100.00", "p-1")  # the other debt is paid in full
    paid = api.ok(EXTEND, i={"debtId": world["debts"][1], "newDueDate": "2026-04-10", "reason": "r"})[
        "debtExtend"
    ]
    assert _codes(paid) == [("INVALID_STATE", "debtId")]
    assert api.ok(DEBT, id=world["debts"][1])["node"]["dueDate"] == "2026-03-10"


def test_extension_settings_are_an_admins(api: Api, acme: dict[str, Any]) -> None:
    read = "{ debtExtensionSettings { maxExtensionsPerDebt maxDaysPerExtension version } }"
    assert api.ok(read, AGENT)["debtExtensionSettings"] == {
        "maxExtensionsPerDebt": 2,
        "maxDaysPerExtension": 60,
        "version": 0,
    }
    refused = api(SETTINGS, AGENT, i={"maxExtensionsPerDebt": 5})
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    bad = api.ok(SETTINGS, i={"maxDaysPerExtension": 0})["debtExtensionSettingsUpdate"]
    assert bad["errors"] == [{"field": "maxDaysPerExtension", "code": "INVALID"}]
    done = api.mutate(
        "debtExtensionSettingsUpdate", SETTINGS, i={"maxExtensionsPerDebt": 1, "maxDaysPerExtension": 10}
    )
    assert done["settings"] == {"maxExtensionsPerDebt": 1, "maxDaysPerExtension": 10, "version": 1}
    world = _setup(api, acme)
    too_long = api.ok(EXTEND, i={"debtId": world["debts"][0], "newDueDate": "2026-03-26", "reason": "r"})
    assert _codes(too_long["debtExtend"]) == [("EXTENSION_TOO_LONG", "newDueDate")]
    api.mutate(
        "debtExtend", EXTEND, i={"debtId": world["debts"][0], "newDueDate": "2026-03-25", "reason": "r"}
    )
    capped = api.ok(EXTEND, i={"debtId": world["debts"][0], "newDueDate": "2026-03-30", "reason": "r"})
    assert _codes(capped["debtExtend"]) == [("EXTENSION_LIMIT_REACHED", "debtId")]


def test_an_extension_re_anchors_the_cadence_on_the_new_due_date(
    api: Api, acme: dict[str, Any], ledger: Ledger, reminders: Reminders, clock: FixedClock
) -> None:
    campaign_gid, _, _ = setup_campaign(api)
    api.mutate("campaignActivate", ACTIVATE, id=campaign_gid)
    campaign_id = decode_one(campaign_gid, "Campaign")
    debt_gid = create_debt(api, acme, "F-1", "150.00", "2026-03-16")["id"]
    debtor_id, debt_id = decode_two(debt_gid, "Debt")
    reminders.planner.run(["acme"])

    def action() -> Any:
        stored = ledger.deps.repo.get_debt("acme", debtor_id, debt_id)
        assert stored is not None and stored.next_action is not None
        return stored.next_action

    assert action().occurrence == date(2026, 3, 16) and action().campaign_id == campaign_id
    api.mutate("debtExtend", EXTEND, i={"debtId": debt_gid, "newDueDate": "2026-04-10", "reason": "r"})
    marked = action()
    assert (marked.at, marked.campaign_id, marked.occurrence) == (clock.now(), "", date(2026, 4, 10))
    reminders.planner.run(["acme"])
    planned = action()
    assert planned.campaign_id == campaign_id and planned.occurrence == date(2026, 4, 10)
    assert planned.at == datetime(2026, 4, 10, planned.at.hour, planned.at.minute, tzinfo=UTC)


def test_paying_the_discounted_amount_settles_the_debts_once_even_when_the_payment_is_retried(
    api: Api, acme: dict[str, Any]
) -> None:
    world = _setup(api, acme)
    offer = api.mutate(
        "discountOffer",
        OFFER,
        SUPERVISOR,
        i={"debtIds": world["debts"], "percent": "20", "validUntil": "2026-03-31"},
    )["offer"]
    assert offer["status"] == "ACTIVE" and offer["percent"] == "20.00"
    assert offer["discountedAmounts"] == [{"amount": "160.00", "currency": "PEN"}]
    assert offer["lines"][0]["discount"] == {"amount": "40.00"}
    assert offer["expiresAt"].startswith("2026-04-01T05:00")  # end of Mar 31 in Lima
    assert [d["id"] for d in offer["debts"]] == world["debts"] and offer["debtor"]["id"] == world["debtor"]
    _pay(api, world, "100.00", "p-1")  # the first debt only: 100.00 still owed, more than the discount
    assert api.ok(OFFERS, AGENT, id=world["debtor"])["debtor"]["discountOffers"][0]["status"] == "ACTIVE"
    for _ in range(2):  # a client retrying after a lost answer: the observer hears it twice
        _pay(api, world, "60.00", "p-2")
    [settled] = api.ok(OFFERS, AGENT, id=world["debtor"])["debtor"]["discountOffers"]
    assert settled["status"] == "SETTLED" and settled["paymentId"]
    assert settled["lines"] == [{"credited": {"amount": "40.00"}}]
    second = api.ok(DEBT, id=world["debts"][1])["node"]
    assert second["status"] == "PAID" and second["balance"] == {"amount": "0.00"}
    assert second["adjustments"] == [
        {
            "kind": "CREDIT",
            "amount": {"amount": "40.00"},
            "reason": f"discount offer {decode_two(offer['id'], 'DiscountOffer')[1]}",
        }
    ]
    assert second["discountOffers"] == [{"id": offer["id"], "status": "SETTLED"}]
    assert api.ok(DEBT, id=world["debts"][0])["node"]["status"] == "PAID"
    summary = api.ok("{ tenant { summary { currency balance { amount } } } }")["tenant"]["summary"]
    assert [s["balance"]["amount"] for s in summary if s["currency"] == "PEN"] == ["0.00"]


def test_an_expired_offer_is_not_applied_and_gives_its_debts_up_to_a_new_one(
    api: Api, acme: dict[str, Any], clock: FixedClock
) -> None:
    world = _setup(api, acme)
    i = {"debtIds": [world["debts"][0]], "amount": "30.00", "validUntil": "2026-03-20"}
    offer = api.mutate("discountOffer", OFFER, i=i)["offer"]
    assert offer["discountedAmounts"] == [{"amount": "70.00", "currency": "PEN"}]
    clock.set(datetime(2026, 3, 21, 5, 0, tzinfo=UTC))  # midnight after Mar 20 in Lima
    i2 = {
        "debtorId": world["debtor"],
        "amount": "70.00",
        "currency": "PEN",
        "method": "CASH",
        "idempotencyKey": "late",
        "allocations": [{"debtId": world["debts"][0], "amount": "70.00"}],
    }
    api.mutate("paymentRecord", PAYMENT_RECORD, i=i2)
    assert api.ok(OFFERS, id=world["debtor"])["debtor"]["discountOffers"][0]["status"] == "EXPIRED"
    debt = api.ok(DEBT, id=world["debts"][0])["node"]
    assert debt["balance"] == {"amount": "30.00"} and debt["adjustments"] == []
    renewed = api.mutate("discountOffer", OFFER, i={**i, "amount": "10.00", "validUntil": "2026-03-25"})[
        "offer"
    ]
    assert renewed["discountedAmounts"] == [{"amount": "20.00", "currency": "PEN"}]
    statuses = [o["status"] for o in api.ok(OFFERS, id=world["debtor"])["debtor"]["discountOffers"]]
    assert statuses == ["ACTIVE", "EXPIRED"]


def test_offer_rules_roles_replay_and_cancel(api: Api, acme: dict[str, Any]) -> None:
    world = _setup(api, acme)
    base = {"debtIds": [world["debts"][0]], "percent": "10", "validUntil": "2026-03-31"}
    refused = api(OFFER, AGENT, i=base)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    cases = [
        ({"percent": "0"}, "INVALID", "percent"),
        ({"percent": "100"}, "INVALID", "percent"),
        ({"percent": "12.345"}, "INVALID_AMOUNT", "percent"),
        ({"amount": "5.00"}, "INVALID", "percent"),
        ({"percent": None, "amount": "100.00"}, "INVALID_AMOUNT", "amount"),
        ({"validUntil": "2026-03-14"}, "INVALID_DATE", "validUntil"),
        ({"debtIds": ["bm90LWEtZGVidA"]}, "NOT_FOUND", "debtIds[0]"),
    ]
    for change, code, field in cases:
        payload = api.ok(OFFER, i={**base, **change})["discountOffer"]
        assert payload["offer"] is None and _codes(payload) == [(code, field)], change
    assert api.ok(OFFERS, id=world["debtor"])["debtor"]["discountOffers"] == []
    first = api.mutate("discountOffer", OFFER, i=base)
    again = api.mutate("discountOffer", OFFER, i=base)
    assert (first["replayed"], again["replayed"]) == (False, True)
    assert again["offer"]["id"] == first["offer"]["id"]
    other = api.ok(OFFER, i={**base, "percent": "15"})["discountOffer"]
    assert _codes(other) == [("DISCOUNT_OFFER_ALREADY_ACTIVE", "debtIds")]
    cancel = api.mutate(
        "discountOfferCancel", CANCEL, SUPERVISOR, i={"id": first["offer"]["id"], "reason": "no"}
    )
    assert cancel["offer"]["status"] == "CANCELLED" and cancel["offer"]["cancelReason"] == "no"
    node = api.ok(
        "query($id: ID!) { node(id: $id) { id ... on DiscountOffer { status } } }", id=first["offer"]["id"]
    )["node"]
    assert node == {"id": first["offer"]["id"], "status": "CANCELLED"}
    assert api.mutate("discountOffer", OFFER, i={**base, "percent": "15"})["offer"]["percent"] == "15.00"
