"""Agents, assignment, work queues and risk scores over GraphQL (moto DynamoDB, fixed clock)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from domain.campaigns.engine import Reminders
from domain.clock import FixedClock
from domain.ids import TimeOrderedIds
from domain.queues.callable import PolicyCallCheck
from domain.services import Deps, Ledger
from domain.workforce import Workforce, WorkforceDeps
from infra.dynamodb.agent_repository import DynamoAgentRepository
from infra.dynamodb.observed_repository import ObservedLedgerRepository
from infra.dynamodb.queue_repository import DynamoWorkStore
from infra.dynamodb.repository import DynamoLedgerRepository
from schema.common import encode_id
from tests.api.conftest import DEBTOR_CREATE, Api, RequestCounter, create_debt, token

AGENT_CREATE = """
mutation($i: AgentCreateInput!) { agentCreate(input: $i) {
  agent { id name email phone active } errors { field code message } } }
"""
ASSIGN = """
mutation($i: AssignmentSetInput!) { assignmentSet(input: $i) {
  agentId moved unchanged errors { field code message } } }
"""
MY_QUEUE = """
query($first: Int, $after: String) { myQueue(first: $first, after: $after) {
  edges { cursor node { debtor { id name } priority { score factors { name value weight points } }
    contact { outcome ruleIds } } }
  pageInfo { hasNextPage endCursor } } }
"""
AGENT_QUEUE = """
query($a: String!) { agentQueue(agentId: $a) { edges { node { debtor { id } priority { score } } } } }
"""
RISK = """
query($id: ID!) { node(id: $id) { ... on Debtor { risk { score band computedAt
  factors { name value weight points } } agent { id name } } } }
"""


@pytest.fixture
def workforce(ledger: Ledger, reminders: Reminders) -> Workforce:
    clock = ledger.deps.clock
    return Workforce.build(
        WorkforceDeps(
            ledger=DynamoLedgerRepository(),
            agents=DynamoAgentRepository(),
            work=DynamoWorkStore(),
            clock=clock,
            ids=TimeOrderedIds(clock),
            calls=PolicyCallCheck(reminders.deps),
        )
    )


@pytest.fixture
def team_api(ledger: Ledger, reminders: Reminders, workforce: Workforce) -> Iterator[Api]:
    observed = Ledger.build(
        Deps(ObservedLedgerRepository(workforce.signals), ledger.deps.clock, ledger.deps.ids)
    )
    client = TestClient(create_app(observed, reminders=reminders, workforce=workforce))
    yield Api(client, token())
    client.close()


def new_debtor(api: Api, ext: str, name: str, agent: str | None = None) -> str:
    payload = api.mutate(
        "debtorCreate",
        DEBTOR_CREATE,
        i={
            "name": name,
            "externalId": ext,
            "contacts": [{"kind": "PHONE", "value": "987 654 321", "consent": True}],
            **({"assignedAgentId": agent} if agent else {}),
        },
    )
    return str(payload["debtor"]["id"])


def agent_token(agent: str = "ag-lucia") -> str:
    return token(role="AGENT", agent_id=agent, sub=agent)


def test_a_supervisor_creates_agents_and_lists_them(team_api: Api, acme: dict[str, Any]) -> None:
    sup = token(role="SUPERVISOR", sub="sara")
    made = team_api.mutate(
        "agentCreate",
        AGENT_CREATE,
        sup,
        i={"agentId": "ag-lucia", "name": "Lucía Torres", "phone": "987654321"},
    )
    assert made["agent"] == {
        "id": "ag-lucia",
        "name": "Lucía Torres",
        "email": None,
        "phone": "+51987654321",
        "active": True,
    }
    again = team_api.ok(AGENT_CREATE, sup, i={"agentId": "ag-lucia", "name": "Otra"})["agentCreate"]
    assert [e["code"] for e in again["errors"]] == ["DUPLICATE"]
    listed = team_api.ok("{ agents { id name } }", sup)["agents"]
    assert listed == [{"id": "ag-lucia", "name": "Lucía Torres"}]
    denied = team_api(AGENT_CREATE, agent_token(), i={"name": "Yo"})
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_assignment_moves_debtors_and_debts_and_fills_the_agents_queue(
    team_api: Api, acme: dict[str, Any]
) -> None:
    team_api.mutate("agentCreate", AGENT_CREATE, i={"agentId": "ag-lucia", "name": "Lucía Torres"})
    create_debt(team_api, acme, "F-1", "500.00", "2026-02-01")
    other = new_debtor(team_api, "C-2", "Rosa Díaz")
    create_debt(team_api, {**acme, "debtor": other}, "F-2", "90.00", "2026-03-10")

    moved = team_api.mutate(
        "assignmentSet", ASSIGN, i={"debtorIds": [acme["debtor"], other], "agentId": "ag-lucia"}
    )
    assert sorted(moved["moved"]) == sorted([acme["debtor"], other])
    again = team_api.mutate("assignmentSet", ASSIGN, i={"debtorIds": [acme["debtor"]], "agentId": "ag-lucia"})
    assert again["moved"] == [] and again["unchanged"] == [acme["debtor"]]

    queue = team_api.ok(MY_QUEUE, agent_token(), first=10)["myQueue"]
    names = [e["node"]["debtor"]["name"] for e in queue["edges"]]
    assert names == ["Juan Pérez", "Rosa Díaz"]  # 42 days past due and more owed ranks first
    top = queue["edges"][0]["node"]
    factors = {f["name"]: f for f in top["priority"]["factors"]}
    assert factors["daysPastDue"]["value"] == "42"
    assert {"overdueBalance", "riskBand", "callbackDue", "promiseDueToday", "contactAllowedNow"} <= set(
        factors
    )
    assert top["priority"]["score"] == sum(f["points"] for f in factors.values())
    assert top["contact"]["outcome"] in {"SEND", "DEFER", "BLOCK"}

    risk = team_api.ok(RISK, id=acme["debtor"])["node"]
    assert risk["agent"] == {"id": "ag-lucia", "name": "Lucía Torres"}
    assert 0 <= risk["risk"]["score"] <= 1000 and risk["risk"]["band"] in {"LOW", "MEDIUM", "HIGH"}
    debts = team_api.ok(
        "query($a: String) { debts(filter: {assignedAgentId: $a}) { edges { node { externalId } } } }",
        a="ag-lucia",
    )["debts"]
    assert sorted(e["node"]["externalId"] for e in debts["edges"]) == ["F-1", "F-2"]


def test_assignment_refuses_unknown_or_inactive_agents_and_unknown_debtors(
    team_api: Api, acme: dict[str, Any]
) -> None:
    unknown = team_api.ok(ASSIGN, i={"debtorIds": [acme["debtor"]], "agentId": "ag-nobody"})["assignmentSet"]
    assert [(e["code"], e["field"]) for e in unknown["errors"]] == [("NOT_FOUND", "agentId")]
    team_api.mutate("agentCreate", AGENT_CREATE, i={"agentId": "ag-old", "name": "Old"})
    team_api.mutate(
        "agentUpdate",
        "mutation($i: AgentUpdateInput!) { agentUpdate(input: $i) { agent { active } errors { code } } }",
        i={"agentId": "ag-old", "active": False},
    )
    inactive = team_api.ok(ASSIGN, i={"debtorIds": [acme["debtor"]], "agentId": "ag-old"})["assignmentSet"]
    assert [e["code"] for e in inactive["errors"]] == ["INVALID_STATE"]
    team_api.mutate("agentCreate", AGENT_CREATE, i={"agentId": "ag-lucia", "name": "Lucía"})
    ghost = encode_id("Debtor", "no-such-debtor")
    bad = team_api.ok(ASSIGN, i={"debtorIds": [acme["debtor"], ghost], "agentId": "ag-lucia"})[
        "assignmentSet"
    ]
    assert [(e["code"], e["field"]) for e in bad["errors"]] == [("NOT_FOUND", "debtorIds[1]")]
    debtor = team_api.ok(RISK, id=acme["debtor"])["node"]
    assert debtor["agent"] is None  # nothing moved


def test_an_agent_sees_only_its_own_debtors_and_queue(team_api: Api, acme: dict[str, Any]) -> None:
    for agent in ("ag-lucia", "ag-pedro"):
        team_api.mutate("agentCreate", AGENT_CREATE, i={"agentId": agent, "name": agent})
    create_debt(team_api, acme, "F-1", "500.00", "2026-02-01")
    team_api.mutate("assignmentSet", ASSIGN, i={"debtorIds": [acme["debtor"]], "agentId": "ag-pedro"})

    lucia = agent_token("ag-lucia")
    assert team_api.ok(MY_QUEUE, lucia)["myQueue"]["edges"] == []
    assert team_api.ok(RISK, lucia, id=acme["debtor"])["node"] is None
    other = team_api(AGENT_QUEUE, lucia, a="ag-pedro")
    assert other["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    check = team_api(
        "query($i: ContactCheckInput!) { contactCheck(input: $i) { outcome } }",
        lucia,
        i={"debtorId": acme["debtor"], "channel": "CALL"},
    )
    assert check["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    pedro = team_api.ok(AGENT_QUEUE, agent_token("ag-pedro"), a="ag-pedro")["agentQueue"]["edges"]
    assert [e["node"]["debtor"]["id"] for e in pedro] == [acme["debtor"]]


def test_a_payment_refreshes_the_risk_score_and_the_queue(team_api: Api, acme: dict[str, Any]) -> None:
    team_api.mutate("agentCreate", AGENT_CREATE, i={"agentId": "ag-lucia", "name": "Lucía"})
    create_debt(team_api, acme, "F-1", "500.00", "2026-02-01")
    team_api.mutate("assignmentSet", ASSIGN, i={"debtorIds": [acme["debtor"]], "agentId": "ag-lucia"})
    before = team_api.ok(RISK, id=acme["debtor"])["node"]["risk"]
    team_api.mutate(
        "paymentRecord",
        "mutation($i: PaymentRecordInput!) { paymentRecord(input: $i) { payment { id } errors { code } } }",
        i={
            "debtorId": acme["debtor"],
            "amount": "500.00",
            "currency": "PEN",
            "paidAt": "2026-03-15T14:00:00Z",
            "method": "CASH",
            "idempotencyKey": "k-1",
        },
    )
    after = team_api.ok(RISK, id=acme["debtor"])["node"]["risk"]
    assert after["score"] < before["score"]
    assert team_api.ok(MY_QUEUE, agent_token())["myQueue"]["edges"] == []  # nothing open: off the queue


@pytest.mark.parametrize("debtors", [60, 600])
def test_my_queue_costs_the_same_requests_for_60_or_600_debtors(
    team_api: Api,
    acme: dict[str, Any],
    workforce: Workforce,
    clock: FixedClock,
    aws_calls: RequestCounter,
    debtors: int,
) -> None:
    from tests.api.queue_seed import seed_queue

    clock.set(datetime(2026, 3, 16, 15, 0, tzinfo=UTC))  # a Monday, 10:00 in Lima: calls are allowed
    seed_queue(team_api, acme, workforce, "ag-lucia", debtors)
    aws_calls.reset()
    page = team_api.ok(MY_QUEUE, agent_token(), first=50)["myQueue"]
    assert len(page["edges"]) == 50 and page["pageInfo"]["hasNextPage"]
    calls = aws_calls.dynamodb
    # The queue index, the due list, the tenant's policy settings (cached a minute), one BatchGetItem
    # of the page's debtors and one of their contact logs (office hours allow calls now).
    assert calls.count("dynamodb.Query") == 3
    assert calls.count("dynamodb.BatchGetItem") == 2
    assert len(calls) == 5, calls
