"""GraphQL for the reminder engine's operations: `debtorOptOut`, `agentDeviceRegister` (SNS platform
endpoints on moto) and `tasks` (an agent sees only its own)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from domain.campaigns.deps import EngineDeps
from domain.campaigns.engine import Reminders
from domain.campaigns.model import CallTask
from domain.ids import TimeOrderedIds
from domain.services import Ledger
from infra.dynamodb.campaign_repository import DynamoCampaignRepository
from infra.dynamodb.message_repository import DynamoMessageRepository
from infra.dynamodb.schedule import DynamoScheduleRepository
from infra.messaging.push import SnsDeviceRegistry
from tests.api.conftest import Api, token

OPT_OUT = (
    "mutation($i: DebtorOptOutInput!) { debtorOptOut(input: $i) {"
    " debtor { id optedOutChannels optedOutAll contacts { kind value status } } errors { field code } } }"
)
REGISTER = (
    "mutation($i: AgentDeviceRegisterInput!) { agentDeviceRegister(input: $i) {"
    " device { agentId platform endpointArn registeredAt } errors { field code } } }"
)
TASKS = (
    "query($a: String, $first: Int, $after: String) { tasks(agentId: $a, first: $first, after: $after) {"
    " edges { cursor node { debtorId agentId dueAt script status } } pageInfo { hasNextPage endCursor } } }"
)
AGENT = token(role="AGENT", agent_id="ag-1", sub="luis")


@pytest.fixture
def reminders(ledger: Ledger) -> Reminders:
    """The engine with the agents' device registry on moto's SNS."""
    sns = boto3.client("sns", region_name="us-east-1")
    platform = sns.create_platform_application(
        Name="recaudo-agents", Platform="GCM", Attributes={"PlatformCredential": "server-key"}
    )["PlatformApplicationArn"]
    clock = ledger.deps.clock
    return Reminders.build(
        EngineDeps(
            ledger=ledger.deps.repo,
            campaigns=DynamoCampaignRepository(),
            messages=DynamoMessageRepository(),
            schedule=DynamoScheduleRepository(),
            clock=clock,
            ids=TimeOrderedIds(clock),
            devices=SnsDeviceRegistry(sns, platform),
        )
    )


def test_opt_out_an_address_then_everything(api: Api, acme: dict[str, Any]) -> None:
    debtor = acme["debtor"]
    missing = api.ok(OPT_OUT, i={"debtorId": debtor, "scope": "ADDRESS", "address": "otro@example.com"})
    assert missing["debtorOptOut"]["errors"] == [{"field": "address", "code": "NOT_FOUND"}]
    one = api.mutate(
        "debtorOptOut", OPT_OUT, i={"debtorId": debtor, "scope": "ADDRESS", "address": "juan@example.com"}
    )
    statuses = {c["kind"]: c["status"] for c in one["debtor"]["contacts"]}
    assert statuses == {"PHONE": "VALID", "EMAIL": "OPTED_OUT"}
    everything = api.mutate("debtorOptOut", OPT_OUT, i={"debtorId": debtor, "scope": "ALL"})
    assert everything["debtor"]["optedOutAll"] is True
    again = api.mutate("debtorOptOut", OPT_OUT, i={"debtorId": debtor, "scope": "ALL"})
    assert again["debtor"]["optedOutAll"] is True


def test_an_agent_opts_out_only_its_own_debtors(api: Api, acme: dict[str, Any]) -> None:
    body = api.ok(OPT_OUT, token=AGENT, i={"debtorId": acme["debtor"], "scope": "ALL"})
    assert body["debtorOptOut"]["debtor"] is None
    assert body["debtorOptOut"]["errors"][0]["code"] == "NOT_FOUND"


def test_an_agent_registers_its_phone_for_task_notices(api: Api) -> None:
    payload = api.mutate(
        "agentDeviceRegister", REGISTER, token=AGENT, i={"token": "fcm-token-1", "platform": "ANDROID"}
    )
    device = payload["device"]
    assert (device["agentId"], device["platform"]) == ("ag-1", "ANDROID")
    assert device["endpointArn"].startswith("arn:aws:sns:") and device["registeredAt"]
    bad = api.ok(REGISTER, token=AGENT, i={"token": "t", "platform": "BLACKBERRY"})["agentDeviceRegister"]
    assert bad["device"] is None and bad["errors"] == [{"field": "platform", "code": "INVALID"}]
    partner = api(REGISTER, token=token(role="PARTNER"), i={"token": "t", "platform": "IOS"})
    assert partner["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_agents_list_their_own_tasks(api: Api, acme: dict[str, Any], reminders: Reminders) -> None:
    due = datetime(2026, 3, 15, 15, 0, tzinfo=UTC)
    for n, agent in enumerate(["ag-1", "ag-2", "ag-1", "ag-1"]):
        task = CallTask("acme", f"task-{n}", acme["debtor"], [], agent, None, None, due + timedelta(hours=n))
        reminders.deps.messages.save_task(task)
    first = api.ok(TASKS, token=AGENT, first=2)["tasks"]
    assert [e["node"]["dueAt"] for e in first["edges"]] == [
        "2026-03-15T15:00:00+00:00",
        "2026-03-15T17:00:00+00:00",
    ]
    assert first["pageInfo"]["hasNextPage"] is True
    rest = api.ok(TASKS, token=AGENT, first=2, after=first["pageInfo"]["endCursor"])["tasks"]
    assert [e["node"]["agentId"] for e in rest["edges"]] == ["ag-1"] and not rest["pageInfo"]["hasNextPage"]
    forbidden = api(TASKS, token=AGENT, a="ag-2")
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert len(api.ok(TASKS, first=10)["tasks"]["edges"]) == 4
    assert len(api.ok(TASKS, a="ag-2")["tasks"]["edges"]) == 1
