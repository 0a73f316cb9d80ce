"""Interactions over GraphQL: an agent checks, logs calls, retries; the policy counts the calls; outcome
effects; violations for supervisors; agents limited to their debtors; the debtor timeline and its cost."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from domain.clock import FixedClock
from tests.api.conftest import DEBTOR_CREATE, PAYMENT_RECORD, Api, RequestCounter, create_debt, token

LOG = """
mutation($i: InteractionLogInput!) { interactionLog(input: $i) {
  interaction { id debtorId debtIds channel direction outcome occurredAt callbackAt note address agentId
    countedAs violation policyDecision { outcome ruleIds policyId until } }
  replayed effects errors { field code message } } }
"""
CHECK = "query($i: ContactCheckInput!) { contactCheck(input: $i) { outcome until ruleIds } }"
TIGHTEN = """
mutation($i: ContactPolicyTightenInput!) { contactPolicyTighten(input: $i) { errors { field code } } }
"""
ASSIGN = """mutation($i: DebtorUpdateInput!) { debtorUpdate(input: $i) { errors { code field } } }"""
LIST = """
query($f: InteractionFilter, $first: Int, $after: String) {
  interactions(filter: $f, first: $first, after: $after) {
  edges { node { id outcome violation debtorId } } pageInfo { hasNextPage endCursor } } }
"""
TIMELINE = """
query($id: ID!, $first: Int, $after: String) { debtor(id: $id) { timeline(first: $first, after: $after) {
  edges { cursor node { at kind summary
    ... on InteractionEntry { interaction { id outcome } }
    ... on PaymentEntry { payment { id amount { amount currency } } }
    ... on DisputeEntry { debtId dispute { state reason } } } }
  pageInfo { hasNextPage endCursor } } } }
"""
MONDAY = datetime(2026, 3, 16, 15, 0, tzinfo=UTC)  # 10:00 in Lima
AGENT = token(role="AGENT", agent_id="ag-1", sub="carla")
OTHER_AGENT = token(role="AGENT", agent_id="ag-2", sub="pedro")


def _assigned(api: Api, acme: dict[str, Any], clock: FixedClock) -> str:
    clock.set(MONDAY)
    api.mutate("debtorUpdate", ASSIGN, i={"id": acme["debtor"], "assignedAgentId": "ag-1"})
    return str(acme["debtor"])


def _log(api: Api, tok: str = AGENT, **fields: Any) -> dict[str, Any]:
    payload: dict[str, Any] = api.ok(LOG, tok, i=fields)["interactionLog"]
    return payload


def _codes(payload: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["code"], e["field"]) for e in payload["errors"]]


def _call(debtor: str, key: str, at: str, outcome: str = "NO_ANSWER", **extra: Any) -> dict[str, Any]:
    return {
        "debtorId": debtor,
        "channel": "CALL",
        "outcome": outcome,
        "occurredAt": at,
        "idempotencyKey": key,
        **extra,
    }


def test_logged_calls_count_toward_the_daily_cap_in_contact_check(
    api: Api, acme: dict[str, Any], clock: FixedClock
) -> None:
    # GIVEN a Peruvian debtor assigned to the agent, and a tenant cap of two calls a day (PE has none)
    debtor = _assigned(api, acme, clock)
    cap = {"id": "ACME-CALLS-DAY", "max": 2, "calendarDay": True, "channels": ["CALL"]}
    api.mutate("contactPolicyTighten", TIGHTEN, i={"jurisdiction": "PE", "caps": [cap]})
    check = {"debtorId": debtor, "channel": "CALL"}
    assert api.ok(CHECK, AGENT, i=check)["contactCheck"]["outcome"] == "SEND"
    # WHEN the agent logs two outbound calls this morning
    first = _log(api, **_call(debtor, "k-1", "2026-03-16T09:10:00-05:00"))
    second = _log(api, **_call(debtor, "k-2", "2026-03-16T09:40:00-05:00", "PROMISE", note="paga el viernes"))
    # THEN both are lawful, counted (attempt, conversation), and a third call today is deferred to tomorrow
    assert first["errors"] == [] and second["errors"] == []
    assert first["interaction"]["countedAs"] == "ATTEMPT"
    assert second["interaction"]["countedAs"] == "CONVERSATION"
    assert second["interaction"]["violation"] is False
    assert second["interaction"]["policyDecision"]["outcome"] == "SEND"
    assert second["interaction"]["agentId"] == "ag-1"
    decision = api.ok(CHECK, AGENT, i=check)["contactCheck"]
    assert decision["outcome"] == "DEFER"
    assert decision["ruleIds"] == ["ACME-CALLS-DAY"]
    assert decision["until"] == "2026-03-17T12:00:00+00:00"  # Tuesday 07:00 in Lima
    # an e-mail is not a call: still allowed
    email = api.ok(CHECK, AGENT, i={"debtorId": debtor, "channel": "EMAIL"})["contactCheck"]
    assert email["outcome"] == "SEND"


def test_a_retry_returns_the_same_interaction_and_writes_nothing(
    api: Api, acme: dict[str, Any], clock: FixedClock
) -> None:
    debtor = _assigned(api, acme, clock)
    call = _call(debtor, "phone-7f3a", "2026-03-16T09:10:00-05:00")
    first = _log(api, **call)
    again = _log(api, **call)
    assert again["errors"] == [] and again["replayed"] is True
    assert again["interaction"]["id"] == first["interaction"]["id"]
    listed = api.ok(LIST, f={"debtorId": debtor})["interactions"]["edges"]
    assert len(listed) == 1
    reused = _log(api, **{**call, "outcome": "REFUSED"})
    assert _codes(reused) == [("IDEMPOTENCY_KEY_REUSED", "idempotencyKey")]


def test_a_call_outside_the_law_is_recorded_and_flagged_for_supervisors(
    api: Api, acme: dict[str, Any], clock: FixedClock
) -> None:
    debtor = _assigned(api, acme, clock)
    # Sunday 10:00 in Lima: Ley 29571 art. 62(b) bans collection calls on Sundays
    sunday = _log(api, **_call(debtor, "k-sun", "2026-03-15T10:00:00-05:00"))
    interaction = sunday["interaction"]
    assert sunday["errors"] == [] and interaction["violation"] is True
    assert interaction["policyDecision"]["outcome"] == "DEFER"
    assert interaction["policyDecision"]["policyId"] == "PE-29571"
    assert "PE-29571-62b-hours" in interaction["policyDecision"]["ruleIds"]
    inbound = _log(api, **_call(debtor, "k-in", "2026-03-15T11:00:00-05:00", "PROMISE", direction="INBOUND"))
    assert inbound["interaction"]["violation"] is False and inbound["interaction"]["policyDecision"] is None
    violations = api.ok(LIST, f={"violations": True})["interactions"]["edges"]
    assert [e["node"]["id"] for e in violations] == [interaction["id"]]
    promises = api.ok(LIST, f={"outcome": "PROMISE"})["interactions"]["edges"]
    assert [e["node"]["outcome"] for e in promises] == ["PROMISE"]


def test_outcomes_invalidate_the_number_and_open_disputes(
    api: Api, acme: dict[str, Any], clock: FixedClock
) -> None:
    debtor = _assigned(api, acme, clock)
    debt = create_debt(api, acme, "F-1", "500.00", "2026-03-01")
    wrong = _log(api, **_call(debtor, "k-w", "2026-03-16T09:00:00-05:00", "WRONG_NUMBER"))
    assert wrong["errors"] == [] and wrong["effects"] == ["phone-invalid:+51987654321"]
    assert wrong["interaction"]["address"] == "+51987654321"
    decision = api.ok(CHECK, AGENT, i={"debtorId": debtor, "channel": "CALL"})["contactCheck"]
    assert decision["outcome"] == "BLOCK" and decision["ruleIds"] == ["PRODUCT-invalid-contact"]
    no_reason = _log(api, **_call(debtor, "k-d0", "2026-03-16T09:30:00-05:00", "DISPUTE"))
    assert _codes(no_reason) == [
        ("REQUIRED", "debtIds"),
        ("REQUIRED", "note"),
    ]
    dispute = _log(
        api,
        **_call(debtor, "k-d", "2026-03-16T09:30:00-05:00", "DISPUTE", debtIds=[debt["id"]], note="ya pagó"),
    )
    assert dispute["errors"] == [] and len(dispute["effects"]) == 1
    assert dispute["effects"][0].startswith("dispute:")
    status = api.ok("query($id: ID!) { debt(id: $id) { status } }", id=debt["id"])["debt"]["status"]
    assert status == "DISPUTED"
    replay = _log(
        api,
        **_call(debtor, "k-d", "2026-03-16T09:30:00-05:00", "DISPUTE", debtIds=[debt["id"]], note="ya pagó"),
    )
    assert replay["replayed"] is True and replay["effects"] == []


def test_bad_input_gets_codes_and_changes_nothing(api: Api, acme: dict[str, Any], clock: FixedClock) -> None:
    debtor = _assigned(api, acme, clock)
    callback = _log(api, **_call(debtor, "k-1", "2026-03-16T09:00:00-05:00", "CALLBACK"))
    assert _codes(callback) == [("REQUIRED", "callbackAt")]
    future = _log(
        api,
        **_call(
            debtor, "k-2", "2026-03-16T11:00:00-05:00", "CALLBACK", callbackAt="2026-03-16T09:00:00-05:00"
        ),
    )
    assert _codes(future) == [
        ("INVALID_DATE", "occurredAt"),
        ("INVALID_DATE", "callbackAt"),
    ]
    old = _log(api, **_call(debtor, "k-3", "2026-01-16T09:00:00-05:00"))
    assert _codes(old) == [("INVALID_DATE", "occurredAt")]
    ok = _log(
        api,
        **_call(
            debtor, "k-1", "2026-03-16T09:00:00-05:00", "CALLBACK", callbackAt="2026-03-17T15:00:00-05:00"
        ),
    )
    assert ok["errors"] == [] and ok["replayed"] is False
    assert ok["interaction"]["callbackAt"] == "2026-03-17T20:00:00+00:00"
    assert len(api.ok(LIST, f={"debtorId": debtor})["interactions"]["edges"]) == 1


def test_agents_cannot_log_or_read_on_debtors_not_assigned_to_them(
    api: Api, acme: dict[str, Any], clock: FixedClock
) -> None:
    debtor = _assigned(api, acme, clock)
    mine = _log(api, **_call(debtor, "k-1", "2026-03-16T09:00:00-05:00"))
    other = api.mutate(
        "debtorCreate", DEBTOR_CREATE, i={"name": "Rosa Díaz", "externalId": "C-2", "assignedAgentId": "ag-2"}
    )["debtor"]["id"]
    refused = _log(api, **_call(other, "k-2", "2026-03-16T09:00:00-05:00"))
    assert _codes(refused) == [("NOT_FOUND", "debtorId")]
    listed = api(LIST, AGENT, f={"debtorId": other})
    assert listed["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    hidden = api(TIMELINE, AGENT, id=other)
    assert hidden["data"]["debtor"] is None and hidden["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    # pedro (ag-2) sees neither carla's debtor, its interaction, nor its timeline
    assert api.ok(LIST, OTHER_AGENT)["interactions"]["edges"] == []
    node = "query($id: ID!) { node(id: $id) { id } }"
    assert api.ok(node, OTHER_AGENT, id=mine["interaction"]["id"])["node"] is None
    assert api.ok(node, AGENT, id=mine["interaction"]["id"])["node"] == {"id": mine["interaction"]["id"]}
    assert [e["node"]["id"] for e in api.ok(LIST, AGENT)["interactions"]["edges"]] == [
        mine["interaction"]["id"]
    ]
    partner = token(role="PARTNER", sub="erp")
    assert (
        api(LOG, partner, i=_call(debtor, "k-3", "2026-03-16T09:00:00-05:00"))["errors"][0]["extensions"][
            "code"
        ]
        == "FORBIDDEN"
    )


def test_timeline_merges_every_record_newest_first_one_query_per_source(
    api: Api, acme: dict[str, Any], clock: FixedClock, aws_calls: RequestCounter
) -> None:
    debtor = _assigned(api, acme, clock)
    debt = create_debt(api, acme, "F-1", "500.00", "2026-03-01")
    clock.set(datetime(2026, 3, 16, 15, 5, tzinfo=UTC))
    api.mutate(
        "paymentRecord",
        PAYMENT_RECORD,
        i={
            "debtorId": debtor,
            "amount": "100.00",
            "currency": "PEN",
            "method": "CASH",
            "idempotencyKey": "p-1",
        },
    )
    clock.set(datetime(2026, 3, 16, 15, 10, tzinfo=UTC))
    _log(api, **_call(debtor, "k-1", "2026-03-16T09:00:00-05:00"))  # 14:00 UTC, before the payment
    _log(api, **_call(debtor, "k-2", "2026-03-16T10:07:00-05:00", "PROMISE"))  # 15:07 UTC
    _log(api, **_call(debtor, "k-3", "2026-03-16T10:09:00-05:00", "DISPUTE", debtIds=[debt["id"]], note="no"))
    aws_calls.reset()
    page = api.ok(TIMELINE, AGENT, id=debtor, first=3)["debtor"]["timeline"]
    queries = [c for c in aws_calls.dynamodb if c == "dynamodb.Query"]
    # interactions, messages, payments, disputes, adjustments, promises, plans, terms
    assert len(queries) == 8
    assert len(aws_calls.dynamodb) == 9  # plus the debtor's GetItem
    kinds = [e["node"]["kind"] for e in page["edges"]]
    assert kinds == ["DISPUTE", "INTERACTION", "INTERACTION"]
    assert page["edges"][1]["node"]["interaction"]["outcome"] == "DISPUTE"
    assert page["edges"][0]["node"]["dispute"]["reason"] == "no"
    assert page["pageInfo"]["hasNextPage"] is True
    rest = api.ok(TIMELINE, AGENT, id=debtor, first=3, after=page["pageInfo"]["endCursor"])["debtor"][
        "timeline"
    ]
    assert [e["node"]["kind"] for e in rest["edges"]] == ["PAYMENT", "INTERACTION"]
    assert rest["edges"][0]["node"]["payment"]["amount"] == {"amount": "100.00", "currency": "PEN"}
    assert rest["pageInfo"]["hasNextPage"] is False
    stamps = [e["node"]["at"] for e in page["edges"] + rest["edges"]]
    assert stamps == sorted(stamps, reverse=True)
    bad = api(TIMELINE, AGENT, id=debtor, first=3, after="not-a-cursor")
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"
