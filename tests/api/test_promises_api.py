"""Promises over GraphQL: an agent takes a promise (also through a flaky retry and an offline sync),
sees it on the debt, the payment keeps it; rules answer with codes; scope and roles are enforced."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import DEBTOR_CREATE, PAYMENT_RECORD, Api, RequestCounter, create_debt, token

AGENT = token(role="AGENT", agent_id="ag-1", sub="luis")
OTHER_AGENT = token(role="AGENT", agent_id="ag-2", sub="rita")
PROMISE = "id status amount { amount currency } keptAmount { amount } promisedDate deadline " + (
    "agentId recordedAt createdAt"
)
CREATE = f"""
mutation($i: PromiseCreateInput!) {{ promiseCreate(input: $i) {{
  promise {{ {PROMISE} debts {{ id }} debtor {{ id }} }} replayed errors {{ field code message }} }} }}
"""
SYNC = """
mutation($i: PromisesSyncInput!) { promisesSync(input: $i) {
  results { idempotencyKey outcome promise { id } errors { field code } } errors { field code } } }
"""
CANCEL = f"""
mutation($i: PromiseCancelInput!) {{ promiseCancel(input: $i) {{
  promise {{ {PROMISE} }} errors {{ field code }} }} }}
"""
DEBT_PROMISES = """query($id: ID!) { node(id: $id) { ... on Debt { id promises { id status } } } }"""
LIST = """query($f: PromiseFilter) {
  promises(filter: $f) { edges { node { id status } } pageInfo { hasNextPage } } }"""


def _setup(api: Api, acme: dict[str, Any]) -> dict[str, Any]:
    debtor = api.mutate(
        "debtorCreate",
        DEBTOR_CREATE,
        i={"name": "Rosa Quispe", "externalId": "C-9", "assignedAgentId": "ag-1"},
    )["debtor"]["id"]
    mine = {**acme, "debtor": debtor}
    debts = [create_debt(api, mine, f"F-{n}", "100.00", "2026-03-10")["id"] for n in (1, 2)]
    return {"debtor": debtor, "debts": debts}


def _promise(
    world: dict[str, Any], key: str = "phone-1", amount: str = "60.00", **extra: Any
) -> dict[str, Any]:
    return {
        "debtorId": world["debtor"],
        "debtIds": [world["debts"][0]],
        "amount": amount,
        "currency": "PEN",
        "promisedDate": "2026-03-20",
        "channel": "VISIT",
        "idempotencyKey": key,
        **extra,
    }


def test_an_agent_takes_a_promise_twice_through_a_flaky_retry_and_a_payment_keeps_it(
    api: Api, acme: dict[str, Any]
) -> None:
    world = _setup(api, acme)
    first = api.mutate("promiseCreate", CREATE, AGENT, i=_promise(world, recordedAt="2026-03-15T13:30:00Z"))
    again = api.mutate("promiseCreate", CREATE, AGENT, i=_promise(world, recordedAt="2026-03-15T13:30:00Z"))
    promise = first["promise"]
    assert (first["replayed"], again["replayed"]) == (False, True)
    assert again["promise"]["id"] == promise["id"]
    assert promise["status"] == "PENDING" and promise["agentId"] == "ag-1"
    assert promise["amount"] == {"amount": "60.00", "currency": "PEN"}
    assert promise["recordedAt"].startswith("2026-03-15T13:30") and promise["createdAt"].startswith(
        "2026-03-15T15:00"
    )
    assert promise["deadline"].startswith("2026-03-23T05:00")  # end of Mar 22 in Lima (2 grace days)
    assert [d["id"] for d in promise["debts"]] == [world["debts"][0]]
    seen = api.ok(DEBT_PROMISES, AGENT, id=world["debts"][0])["node"]["promises"]
    assert seen == [{"id": promise["id"], "status": "PENDING"}]
    api.mutate(
        "paymentRecord",
        PAYMENT_RECORD,
        AGENT,
        i={
            "debtorId": world["debtor"],
            "amount": "60.00",
            "currency": "PEN",
            "method": "CASH",
            "idempotencyKey": "pay-1",
            "allocations": [{"debtId": world["debts"][0], "amount": "60.00"}],
        },
    )
    kept = api.ok(DEBT_PROMISES, AGENT, id=world["debts"][0])["node"]["promises"]
    assert kept == [{"id": promise["id"], "status": "KEPT"}]
    listed = api.ok(LIST, AGENT, f={"status": "KEPT"})["promises"]["edges"]
    assert [e["node"]["id"] for e in listed] == [promise["id"]]


def test_rules_answer_with_codes_and_change_nothing(api: Api, acme: dict[str, Any]) -> None:
    world = _setup(api, acme)
    cases = [
        ({"amount": "100.01"}, "PROMISE_AMOUNT_EXCEEDS_BALANCE", "amount"),
        ({"promisedDate": "2026-03-14"}, "PROMISE_DATE_OUT_OF_RANGE", "promisedDate"),
        ({"promisedDate": "2026-05-01"}, "PROMISE_DATE_OUT_OF_RANGE", "promisedDate"),
        ({"debtIds": ["bm90LWEtZGVidA"]}, "NOT_FOUND", "debtIds[0]"),
    ]
    for change, code, field in cases:
        payload = api.ok(CREATE, AGENT, i=_promise(world, **change))["promiseCreate"]
        assert payload["promise"] is None
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, field)], change
    api.mutate("promiseCreate", CREATE, AGENT, i=_promise(world, "a"))
    second = api.ok(CREATE, AGENT, i=_promise(world, "b", amount="10.00"))["promiseCreate"]
    assert [(e["code"], e["field"]) for e in second["errors"]] == [("PROMISE_ALREADY_PENDING", "debtIds")]
    assert len(api.ok(LIST, AGENT)["promises"]["edges"]) == 1


def test_offline_sync_retried_three_times_creates_each_promise_once(api: Api, acme: dict[str, Any]) -> None:
    world = _setup(api, acme)
    items = [
        _promise(world, "p-1", recordedAt="2026-03-14T22:00:00Z"),
        _promise(world, "p-2", debtIds=[world["debts"][1]], amount="999.00"),
        _promise(world, "p-3", debtIds=["garbage"]),
    ]
    runs = [api.ok(SYNC, AGENT, i={"items": items})["promisesSync"] for _ in range(3)]
    assert [r["outcome"] for r in runs[0]["results"]] == ["CREATED", "FAILED", "FAILED"]
    assert [r["outcome"] for r in runs[2]["results"]] == ["EXISTING", "FAILED", "FAILED"]
    assert runs[0]["results"][0]["promise"]["id"] == runs[2]["results"][0]["promise"]["id"]
    assert runs[0]["results"][1]["errors"] == [
        {"field": "items[1].amount", "code": "PROMISE_AMOUNT_EXCEEDS_BALANCE"}
    ]
    assert runs[0]["results"][2]["errors"] == [{"field": "items[2].debtIds[0]", "code": "NOT_FOUND"}]
    assert len(api.ok(LIST, AGENT)["promises"]["edges"]) == 1


def test_an_agent_cannot_read_promise_or_cancel_on_debtors_not_assigned_to_it(
    api: Api, acme: dict[str, Any]
) -> None:
    world = _setup(api, acme)
    refused = api.ok(CREATE, OTHER_AGENT, i=_promise(world))["promiseCreate"]
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("NOT_FOUND", "debtorId")]
    promise = api.mutate("promiseCreate", CREATE, AGENT, i=_promise(world))["promise"]
    assert api.ok(LIST, OTHER_AGENT)["promises"]["edges"] == []
    assert api.ok(LIST, OTHER_AGENT, f={"agentId": "ag-1"})["promises"]["edges"] == []
    assert api.ok("query($id: ID!) { node(id: $id) { id } }", OTHER_AGENT, id=promise["id"])["node"] is None
    cancel = api.ok(CANCEL, OTHER_AGENT, i={"id": promise["id"]})["promiseCancel"]
    assert [e["code"] for e in cancel["errors"]] == ["NOT_FOUND"]
    done = api.mutate("promiseCancel", CANCEL, AGENT, i={"id": promise["id"], "reason": "lost job"})
    assert done["promise"]["status"] == "CANCELLED"


def test_settings_are_an_admins(api: Api, acme: dict[str, Any]) -> None:
    update = """mutation($i: PromiseSettingsUpdateInput!) { promiseSettingsUpdate(input: $i) {
      settings { horizonDays graceDays brokenThreshold brokenWindowDays version } errors { field code } } }"""
    assert api.ok("{ promiseSettings { horizonDays graceDays brokenThreshold } }")["promiseSettings"] == {
        "horizonDays": 30,
        "graceDays": 2,
        "brokenThreshold": 2,
    }
    changed = api.mutate("promiseSettingsUpdate", update, i={"graceDays": 5})["settings"]
    assert (changed["graceDays"], changed["horizonDays"], changed["version"]) == (5, 30, 1)
    bad = api.ok(update, i={"horizonDays": 0})["promiseSettingsUpdate"]
    assert bad["errors"] == [{"field": "horizonDays", "code": "INVALID"}]
    forbidden = api(update, AGENT, i={"graceDays": 1})
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_debt_promises_load_in_one_query_per_debtor(
    api: Api, acme: dict[str, Any], aws_calls: RequestCounter
) -> None:
    world = _setup(api, acme)
    api.mutate("promiseCreate", CREATE, AGENT, i=_promise(world, "a"))
    api.mutate("promiseCreate", CREATE, AGENT, i=_promise(world, "b", debtIds=[world["debts"][1]]))
    aws_calls.reset()
    data = api.ok("{ debts(first: 10) { edges { node { id promises { id } } } } }")
    assert sorted(len(e["node"]["promises"]) for e in data["debts"]["edges"]) == [1, 1]
    assert (
        aws_calls.dynamodb.count("dynamodb.Query") == 2
    )  # the debts page, then one for the debtor's promises


def test_campaign_steps_take_a_trigger_instead_of_an_offset(api: Api, acme: dict[str, Any]) -> None:
    from tests.api.test_campaigns_api import SMS, TEMPLATE_CREATE

    sms = api.mutate("templateCreate", TEMPLATE_CREATE, i=SMS)["template"]["id"]
    create = """mutation($i: CampaignCreateInput!) { campaignCreate(input: $i) {
      campaign { steps { id offsetDays trigger } } errors { field code } } }"""
    steps = [
        {"offsetDays": 3, "channel": "SMS", "templateId": sms},
        {"trigger": "PROMISE_BROKEN", "channel": "SMS", "templateId": sms},
    ]
    made = api.mutate("campaignCreate", create, i={"name": "Con eventos", "steps": steps})["campaign"]
    assert [(s["offsetDays"], s["trigger"]) for s in made["steps"]] == [(0, "PROMISE_BROKEN"), (3, None)]
    neither = api.ok(create, i={"name": "x", "steps": [{"channel": "SMS", "templateId": sms}]})[
        "campaignCreate"
    ]
    assert neither["errors"] == [{"field": "steps[0].offsetDays", "code": "REQUIRED"}]
    twice = [steps[1], {**steps[1], "channel": "SMS"}]
    dup = api.ok(create, i={"name": "y", "steps": twice})["campaignCreate"]
    assert {"field": "steps", "code": "DUPLICATE"} in dup["errors"]


def test_taking_a_promise_is_one_transaction_and_a_replay_writes_nothing(
    api: Api, acme: dict[str, Any], aws_calls: RequestCounter
) -> None:
    world = _setup(api, acme)
    aws_calls.reset()
    api.mutate("promiseCreate", CREATE, AGENT, i=_promise(world, "m1"))
    calls = aws_calls.dynamodb
    # claim, debtor, settings, debts, debt claims, the debtor's promises, its payments; the stored
    # debts the live summaries diff against; one write; the answer's debtor and debts (loaders)
    assert calls.count("dynamodb.TransactWriteItems") == 1 and "dynamodb.Scan" not in calls
    assert len(calls) == 11
    aws_calls.reset()
    api.mutate("promiseCreate", CREATE, AGENT, i=_promise(world, "m1"))
    assert sorted(set(aws_calls.dynamodb)) == ["dynamodb.BatchGetItem", "dynamodb.GetItem"]


def test_a_promise_shows_on_the_debtor_timeline(api: Api, acme: dict[str, Any]) -> None:
    world = _setup(api, acme)
    api.mutate("promiseCreate", CREATE, AGENT, i=_promise(world, "tl-1"))
    timeline = (
        "query($id: ID!) { debtor(id: $id) { timeline(first: 5) { edges { node { kind summary } } } } }"
    )
    edges = api.ok(timeline, AGENT, id=world["debtor"])["debtor"]["timeline"]["edges"]
    promise = [e["node"] for e in edges if e["node"]["kind"] == "PROMISE"]
    assert len(promise) == 1 and "60.00 PEN" in promise[0]["summary"]
