"""Payment plans over GraphQL: a supervisor makes a plan and sees its instalment reminders planned; the
sweep sends each reminder once; a payment fills the instalments; the debt is IN_PLAN and out of the
cadence; retries create once; rules answer with codes; agents stay inside their own debtors."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from domain.campaigns.engine import Reminders
from domain.campaigns.triggers import StepTriggers
from domain.clock import FixedClock
from domain.plans.service import PaymentPlans
from domain.plans.sweeper import PlanSweeper
from domain.services import Ledger
from infra.dynamodb.plan_repository import DynamoPlanRepository
from tests.api.conftest import (
    DEBTOR_CREATE,
    PAYMENT_RECORD,
    TENANT_SETUP,
    Api,
    RequestCounter,
    create_debt,
    token,
)
from tests.api.test_campaigns_api import ACTIVATE, EMAIL, TEMPLATE_CREATE

SUPERVISOR = token(role="SUPERVISOR", sub="sofia")
AGENT = token(role="AGENT", agent_id="ag-1", sub="luis")
OTHER_AGENT = token(role="AGENT", agent_id="ag-2", sub="rita")
PLAN = (
    "id status frequency totalAmount { amount currency } downPayment { amount } paidAmount { amount }"
    " remainingAmount { amount } instalmentCount firstDueDate nextDueDate graceDays agentId"
    " instalments { number kind dueDate amount { amount } paidAmount { amount } status remindOn }"
    " nextReminder { instalmentNumber dueDate remindOn campaignName channel }"
)
CREATE = f"""
mutation($i: PaymentPlanCreateInput!) {{ paymentPlanCreate(input: $i) {{
  paymentPlan {{ {PLAN} debts {{ id status }} debtor {{ id }} }}
  replayed errors {{ field code message }} }} }}
"""
CANCEL = """mutation($i: PaymentPlanCancelInput!) { paymentPlanCancel(input: $i) {
  paymentPlan { id status cancelReason closedAt } errors { field code } } }"""
GET = f"query($id: ID!) {{ paymentPlan(id: $id) {{ {PLAN} }} }}"
LIST = """query($f: PaymentPlanFilter, $first: Int, $after: String) {
  paymentPlans(filter: $f, first: $first, after: $after) {
    edges { node { id status } } pageInfo { hasNextPage endCursor } } }"""
DEBT = """query($id: ID!) { node(id: $id) { ... on Debt { id status balance { amount }
  paymentPlan { id status } } } }"""


def _setup(api: Api, acme: dict[str, Any], debts: int = 1) -> dict[str, Any]:
    debtor = api.mutate(
        "debtorCreate",
        DEBTOR_CREATE,
        i={
            "name": "Rosa Quispe",
            "externalId": "C-9",
            "assignedAgentId": "ag-1",
            "contacts": [{"kind": "EMAIL", "value": "rosa@example.com", "consent": True}],
        },
    )["debtor"]["id"]
    mine = {**acme, "debtor": debtor}
    ids = [create_debt(api, mine, f"F-{n}", "100.00", "2026-03-10")["id"] for n in range(debts)]
    return {"debtor": debtor, "debts": ids}


def _plan(world: dict[str, Any], key: str = "plan-1", **extra: Any) -> dict[str, Any]:
    return {
        "debtorId": world["debtor"],
        "debtIds": world["debts"][:1],
        "instalments": 3,
        "frequency": "MONTHLY",
        "firstDueDate": "2026-04-01",
        "idempotencyKey": key,
        **extra,
    }


def _instalment_campaign(api: Api) -> None:
    email = api.mutate("templateCreate", TEMPLATE_CREATE, i=EMAIL)["template"]["id"]
    create = """mutation($i: CampaignCreateInput!) { campaignCreate(input: $i) {
      campaign { id } errors { field code } } }"""
    steps = [
        {"offsetDays": 3, "channel": "EMAIL", "templateId": email},
        {"trigger": "INSTALMENT_DUE", "channel": "EMAIL", "templateId": email},
    ]
    made = api.mutate("campaignCreate", create, i={"name": "Cuotas", "steps": steps})["campaign"]
    api.mutate("campaignActivate", ACTIVATE, id=made["id"])


def test_a_supervisor_creates_a_plan_and_sees_instalment_reminders_planned_and_sent_once(
    api: Api, acme: dict[str, Any], ledger: Ledger, reminders: Reminders, clock: FixedClock
) -> None:
    api.mutate("tenantUpdate", TENANT_SETUP, t={"senderEmail": "cobranzas@acme.pe"})
    _instalment_campaign(api)
    world = _setup(api, acme)
    made = api.mutate("paymentPlanCreate", CREATE, SUPERVISOR, i=_plan(world))
    plan = made["paymentPlan"]
    assert (plan["status"], plan["frequency"], made["replayed"]) == ("ACTIVE", "MONTHLY", False)
    assert [
        (i["dueDate"], i["amount"]["amount"], i["status"], i["remindOn"]) for i in plan["instalments"]
    ] == [
        ("2026-04-01", "33.33", "PENDING", "2026-03-31"),
        ("2026-05-01", "33.33", "PENDING", "2026-04-30"),
        ("2026-06-01", "33.34", "PENDING", "2026-05-31"),
    ]
    assert plan["nextReminder"] == {
        "instalmentNumber": 1,
        "dueDate": "2026-04-01",
        "remindOn": "2026-03-31",
        "campaignName": "Cuotas",
        "channel": "EMAIL",
    }
    assert plan["debts"] == [{"id": world["debts"][0], "status": "IN_PLAN"}]
    assert plan["agentId"] == "ag-1" and plan["graceDays"] == 5
    debt = api.ok(DEBT, AGENT, id=world["debts"][0])["node"]
    assert debt["status"] == "IN_PLAN" and debt["paymentPlan"] == {"id": plan["id"], "status": "ACTIVE"}
    # the cadence leaves the debt (its +3 step would be due today), the sweep reminds the instalment
    reminders.planner.run(["acme"])
    queue: Any = reminders.deps.queue
    assert queue.ready == []
    sweeper = PlanSweeper(PaymentPlans(ledger.deps, DynamoPlanRepository()), StepTriggers(reminders.deps))
    for day in (31, 32):  # the day before the due date, and the due day itself
        clock.set(_morning(day))
        assert sweeper.run(["acme"]).jobs == 1
        for job in list(queue.ready):
            reminders.dispatcher.handle(job)
        queue.ready.clear()
    sent = api.ok("{ messages(first: 5) { edges { node { status channel to stepId } } } }")["messages"]
    assert [e["node"]["status"] for e in sent["edges"]] == ["SENT"], sent  # once per instalment
    assert sent["edges"][0]["node"]["to"] == "rosa@example.com"


def _morning(day: int) -> datetime:
    """10:00 in Lima on March `day` (32 is April 1)."""
    if day > 31:
        return datetime(2026, 4, day - 31, 15, 0, tzinfo=UTC)
    return datetime(2026, 3, day, 15, 0, tzinfo=UTC)


def test_a_payment_fills_the_instalments_and_paying_all_completes_the_plan(
    api: Api, acme: dict[str, Any]
) -> None:
    world = _setup(api, acme)
    plan = api.mutate("paymentPlanCreate", CREATE, AGENT, i=_plan(world, downPayment="10.00"))["paymentPlan"]
    assert [i["kind"] for i in plan["instalments"]] == ["DOWN_PAYMENT"] + ["INSTALMENT"] * 3
    assert plan["instalmentCount"] == 3 and plan["nextDueDate"] == "2026-03-15"

    def pay(amount: str, key: str) -> None:
        api.mutate(
            "paymentRecord",
            PAYMENT_RECORD,
            AGENT,
            i={
                "debtorId": world["debtor"],
                "amount": amount,
                "currency": "PEN",
                "method": "CASH",
                "idempotencyKey": key,
            },
        )

    pay("25.00", "pay-1")
    seen = api.ok(GET, AGENT, id=plan["id"])["paymentPlan"]
    assert [(i["paidAmount"]["amount"], i["status"]) for i in seen["instalments"]] == [
        ("10.00", "PAID"),
        ("15.00", "PARTIALLY_PAID"),
        ("0.00", "PENDING"),
        ("0.00", "PENDING"),
    ]
    assert seen["paidAmount"]["amount"] == "25.00" and seen["remainingAmount"]["amount"] == "75.00"
    assert seen["nextDueDate"] == "2026-04-01"
    pay("75.00", "pay-2")
    done = api.ok(GET, AGENT, id=plan["id"])["paymentPlan"]
    assert done["status"] == "COMPLETED" and done["nextReminder"] is None and done["nextDueDate"] is None
    debt = api.ok(DEBT, AGENT, id=world["debts"][0])["node"]
    assert debt["status"] == "PAID" and debt["paymentPlan"] is None


def test_retrying_create_with_the_same_key_creates_once(api: Api, acme: dict[str, Any]) -> None:
    world = _setup(api, acme)
    first = api.mutate("paymentPlanCreate", CREATE, AGENT, i=_plan(world))
    again = api.mutate("paymentPlanCreate", CREATE, AGENT, i=_plan(world))
    assert (first["replayed"], again["replayed"]) == (False, True)
    assert again["paymentPlan"]["id"] == first["paymentPlan"]["id"]
    other = api.ok(CREATE, AGENT, i=_plan(world, instalments=4))["paymentPlanCreate"]
    assert other["errors"] == [
        {
            "field": "idempotencyKey",
            "code": "IDEMPOTENCY_KEY_REUSED",
            "message": other["errors"][0]["message"],
        }
    ]
    edges = api.ok(LIST, AGENT, f={"debtorId": world["debtor"]})["paymentPlans"]["edges"]
    assert [e["node"]["id"] for e in edges] == [first["paymentPlan"]["id"]]


def test_rules_answer_with_codes(api: Api, acme: dict[str, Any]) -> None:
    world = _setup(api, acme, debts=2)
    cases = [
        ({"instalments": 25}, "PLAN_TOO_MANY_INSTALMENTS", "instalments"),
        ({"firstDueDate": "2026-03-14"}, "PLAN_DATE_OUT_OF_RANGE", "firstDueDate"),
        ({"downPayment": "100.00"}, "PLAN_DOWN_PAYMENT_TOO_LARGE", "downPayment"),
        ({"downPayment": "abc"}, "INVALID_AMOUNT", "downPayment"),
        ({"debtIds": ["bm90LWEtZGVidA"]}, "NOT_FOUND", "debtIds[0]"),
    ]
    for change, code, field in cases:
        payload = api.ok(CREATE, AGENT, i=_plan(world, **change))["paymentPlanCreate"]
        assert payload["paymentPlan"] is None
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, field)], change
    api.mutate("paymentPlanCreate", CREATE, AGENT, i=_plan(world, "a"))
    second = api.ok(CREATE, AGENT, i=_plan(world, "b", debtIds=world["debts"][::-1]))["paymentPlanCreate"]
    assert [(e["code"], e["field"]) for e in second["errors"]] == [("PLAN_ALREADY_ACTIVE", "debtIds[1]")]


def test_an_agent_cannot_read_plan_or_cancel_on_debtors_not_assigned_to_it(
    api: Api, acme: dict[str, Any]
) -> None:
    world = _setup(api, acme)
    refused = api.ok(CREATE, OTHER_AGENT, i=_plan(world))["paymentPlanCreate"]
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("NOT_FOUND", "debtorId")]
    plan = api.mutate("paymentPlanCreate", CREATE, AGENT, i=_plan(world))["paymentPlan"]
    assert api.ok(GET, OTHER_AGENT, id=plan["id"])["paymentPlan"] is None
    assert api.ok("query($id: ID!) { node(id: $id) { id } }", OTHER_AGENT, id=plan["id"])["node"] is None
    assert api.ok(LIST, OTHER_AGENT)["paymentPlans"]["edges"] == []
    assert api.ok(LIST, OTHER_AGENT, f={"agentId": "ag-1"})["paymentPlans"]["edges"] == []
    assert api.ok(LIST, OTHER_AGENT, f={"debtorId": world["debtor"]})["paymentPlans"]["edges"] == []
    cancel = api.ok(CANCEL, OTHER_AGENT, i={"id": plan["id"]})["paymentPlanCancel"]
    assert [e["code"] for e in cancel["errors"]] == ["NOT_FOUND"]
    listed = api.ok(LIST, AGENT, f={"status": "ACTIVE"})["paymentPlans"]["edges"]
    assert [e["node"]["id"] for e in listed] == [plan["id"]]
    done = api.mutate("paymentPlanCancel", CANCEL, AGENT, i={"id": plan["id"], "reason": "pays in full"})
    assert (
        done["paymentPlan"]["status"] == "CANCELLED" and done["paymentPlan"]["cancelReason"] == "pays in full"
    )
    assert api.ok(DEBT, AGENT, id=world["debts"][0])["node"]["status"] == "OVERDUE"
    again = api.ok(CANCEL, AGENT, i={"id": plan["id"]})["paymentPlanCancel"]
    assert again["errors"] == [{"field": "id", "code": "INVALID_STATE"}]
    partner = api(LIST, token(role="PARTNER"))
    assert partner["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_settings_are_an_admins(api: Api, acme: dict[str, Any]) -> None:
    update = """mutation($i: PaymentPlanSettingsUpdateInput!) { paymentPlanSettingsUpdate(input: $i) {
      settings { graceDays maxInstalments maxFirstDueDays version } errors { field code } } }"""
    read = "{ paymentPlanSettings { graceDays maxInstalments maxFirstDueDays } }"
    assert api.ok(read)["paymentPlanSettings"] == {
        "graceDays": 5,
        "maxInstalments": 24,
        "maxFirstDueDays": 60,
    }
    changed = api.mutate("paymentPlanSettingsUpdate", update, i={"graceDays": 3, "maxInstalments": 12})
    assert changed["settings"] == {"graceDays": 3, "maxInstalments": 12, "maxFirstDueDays": 60, "version": 1}
    bad = api.ok(update, i={"graceDays": -1})["paymentPlanSettingsUpdate"]
    assert bad["errors"] == [{"field": "graceDays", "code": "INVALID"}]
    forbidden = api(update, SUPERVISOR, i={"graceDays": 1})
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_plan_requests_are_pinned_and_lists_are_queries(
    api: Api, acme: dict[str, Any], aws_calls: RequestCounter
) -> None:
    world = _setup(api, acme, debts=2)
    aws_calls.reset()
    api.ok(
        "mutation($i: PaymentPlanCreateInput!) { paymentPlanCreate(input: $i) {"
        " paymentPlan { id } errors { code } } }",
        AGENT,
        i=_plan(world, "m1"),
    )
    calls = aws_calls.dynamodb
    # claim, debtor, settings, the debtor's debts; the stored debts the live summaries diff against;
    # one write
    assert calls.count("dynamodb.TransactWriteItems") == 1 and "dynamodb.Scan" not in calls
    assert len(calls) == 6, calls
    api.mutate("paymentPlanCreate", CREATE, SUPERVISOR, i=_plan(world, "m2", debtIds=world["debts"][1:]))
    aws_calls.reset()
    page = api.ok(LIST, SUPERVISOR, f={"status": "ACTIVE"}, first=1)["paymentPlans"]
    assert len(page["edges"]) == 1 and page["pageInfo"]["hasNextPage"]
    assert aws_calls.dynamodb == ["dynamodb.Query"]
    aws_calls.reset()
    rest = api.ok(LIST, SUPERVISOR, f={"status": "ACTIVE"}, first=5, after=page["pageInfo"]["endCursor"])
    assert len(rest["paymentPlans"]["edges"]) == 1 and aws_calls.dynamodb == ["dynamodb.Query"]
    aws_calls.reset()
    data = api.ok(
        "query($d: ID!) { debtor(id: $d) { paymentPlans { id }"
        " debts { edges { node { paymentPlan { id } } } } } }",
        SUPERVISOR,
        d=world["debtor"],
    )["debtor"]
    assert len(data["paymentPlans"]) == 2
    assert len({e["node"]["paymentPlan"]["id"] for e in data["debts"]["edges"]}) == 2
    # debtor, its plans (one Query), its debts (one Query), both debts' plans (one BatchGetItem)
    assert sorted(aws_calls.dynamodb) == [
        "dynamodb.BatchGetItem",
        "dynamodb.GetItem",
        "dynamodb.Query",
        "dynamodb.Query",
    ], aws_calls.dynamodb


def test_a_plan_shows_on_the_debtor_timeline(api: Api, acme: dict[str, Any]) -> None:
    world = _setup(api, acme)
    api.mutate("paymentPlanCreate", CREATE, AGENT, i=_plan(world))
    timeline = (
        "query($id: ID!) { debtor(id: $id) { timeline(first: 5) { edges { node { kind summary } } } } }"
    )
    edges = api.ok(timeline, AGENT, id=world["debtor"])["debtor"]["timeline"]["edges"]
    plans = [e["node"] for e in edges if e["node"]["kind"] == "PAYMENT_PLAN"]
    assert len(plans) == 1 and "100.00 PEN in 3 instalment(s)" in plans[0]["summary"]
