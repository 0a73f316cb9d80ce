"""GraphQL over HTTP against the real app, with DynamoDB in moto and a fixed clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import botocore.client
import pytest
from moto import mock_aws
from starlette.testclient import TestClient

from api.app import create_app
from api.auth import issue_token
from domain.campaigns.deps import EngineDeps
from domain.campaigns.engine import Reminders
from domain.clock import FixedClock
from domain.ids import TimeOrderedIds
from domain.messaging import SendChannel
from domain.services import Deps, Ledger
from infra.dynamodb.campaign_repository import DynamoCampaignRepository
from infra.dynamodb.digest_log import DynamoDigestLog
from infra.dynamodb.message_repository import DynamoMessageRepository
from infra.dynamodb.models import configure
from infra.dynamodb.policy_repository import DynamoPolicySettingRepository
from infra.dynamodb.repository import DynamoLedgerRepository
from infra.dynamodb.schedule import DynamoScheduleRepository
from infra.dynamodb.schema_from_template import create_table
from infra.messaging.digests import SnsDigestTopics
from infra.messaging.ses import SesEmailSender
from infra.messaging.sns_sms import SnsSmsSender
from infra.tick import MemoryJobQueue

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"
TABLE = "recaudo-api-test"


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        create_table(boto3.client("dynamodb", region_name="us-east-1"), TABLE, TEMPLATE)
        configure(table_name=TABLE, host=None, region="us-east-1")
        yield


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 15, 15, 0, tzinfo=UTC))


@pytest.fixture
def ledger(aws: None, clock: FixedClock) -> Ledger:
    return Ledger.build(Deps(DynamoLedgerRepository(), clock, TimeOrderedIds(clock)))


class Api:
    """A tiny GraphQL client with a default bearer token."""

    def __init__(self, client: TestClient, token: str) -> None:
        self.client, self.token = client, token

    def post(self, query: str, variables: dict[str, Any] | None = None, token: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {token or self.token}"}
        return self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )

    def __call__(self, query: str, token: str | None = None, **variables: Any) -> dict[str, Any]:
        response = self.post(query, variables, token)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def ok(self, query: str, token: str | None = None, **variables: Any) -> dict[str, Any]:
        body = self(query, token, **variables)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    def mutate(self, name: str, query: str, token: str | None = None, **variables: Any) -> dict[str, Any]:
        """Run a mutation and return its payload, asserting it has no user errors."""
        payload: dict[str, Any] = self.ok(query, token, **variables)[name]
        assert payload["errors"] == [], payload["errors"]
        return payload


def token(tenant: str = "acme", role: str = "ADMIN", agent_id: str | None = None, sub: str = "ana") -> str:
    return issue_token(tenant, role, sub=sub, agent_id=agent_id)


@pytest.fixture
def reminders(ledger: Ledger) -> Reminders:
    """The reminder engine on the same table and clock, sending through moto's SES and SNS."""
    ses = boto3.client("ses", region_name="us-east-1")
    ses.verify_email_identity(EmailAddress="cobranzas@acme.pe")
    sns = boto3.client("sns", region_name="us-east-1")
    clock = ledger.deps.clock
    return Reminders.build(
        EngineDeps(
            ledger=ledger.deps.repo,
            campaigns=DynamoCampaignRepository(),
            messages=DynamoMessageRepository(),
            schedule=DynamoScheduleRepository(),
            clock=clock,
            ids=TimeOrderedIds(clock),
            queue=MemoryJobQueue(),
            senders={SendChannel.EMAIL: SesEmailSender(ses), SendChannel.SMS: SnsSmsSender(sns)},
            digest_topics=SnsDigestTopics(sns),
            policy_settings=DynamoPolicySettingRepository(),
            digest_log=DynamoDigestLog(),
        )
    )


@pytest.fixture
def api(ledger: Ledger, reminders: Reminders) -> Iterator[Api]:
    client = TestClient(create_app(ledger, reminders=reminders))
    yield Api(client, token())
    client.close()


class RequestCounter:
    """Counts AWS API calls made through botocore (every PynamoDB request goes through it)."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def reset(self) -> None:
        self.calls.clear()

    @property
    def dynamodb(self) -> list[str]:
        return [c for c in self.calls if c.startswith("dynamodb.")]


@pytest.fixture
def aws_calls(monkeypatch: pytest.MonkeyPatch) -> RequestCounter:
    counter = RequestCounter()
    original = botocore.client.BaseClient._make_api_call

    def counting(self: Any, operation_name: str, api_params: Any) -> Any:
        counter.calls.append(f"{self.meta.service_model.endpoint_prefix}.{operation_name}")
        return original(self, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    return counter


TENANT_SETUP = """
mutation($t: TenantUpdateInput!) { tenantUpdate(input: $t) { tenant { id country defaultCurrency timeZone }
  errors { field code message } } }
"""
PORTFOLIO_CREATE = """
mutation($i: PortfolioCreateInput!) { portfolioCreate(input: $i) { portfolio { id name currency }
  errors { field code message } } }
"""
DEBTOR_CREATE = """
mutation($i: DebtorCreateInput!) { debtorCreate(input: $i) {
  debtor { id externalId name documentType documentNumber timeZone jurisdiction assignedAgentId
           contacts { kind value consent status } }
  errors { field code message } } }
"""
DEBT_CREATE = """
mutation($i: DebtCreateInput!) { debtCreate(input: $i) {
  debt { id externalId balance { amount currency } status daysPastDue agingBucket dueDate
         debtor { id name } portfolio { id name } }
  errors { field code message } } }
"""
PAYMENT_RECORD = """
mutation($i: PaymentRecordInput!) { paymentRecord(input: $i) {
  payment { id amount { amount currency } unapplied { amount }
            allocations { debtId amount { amount } debt { id balance { amount } status } } }
  replayed errors { field code message } } }
"""


@pytest.fixture
def acme(api: Api) -> dict[str, Any]:
    """A configured Peruvian tenant with one PEN portfolio and one debtor (ids returned)."""
    api.mutate("tenantUpdate", TENANT_SETUP, t={"name": "Acme SAC", "country": "PE"})
    pf = api.mutate("portfolioCreate", PORTFOLIO_CREATE, i={"name": "Retail", "currency": "PEN"})
    debtor = api.mutate(
        "debtorCreate",
        DEBTOR_CREATE,
        i={
            "name": "Juan Pérez",
            "externalId": "C-1",
            "documentType": "DNI",
            "documentNumber": "45678912",
            "contacts": [
                {"kind": "PHONE", "value": "987 654 321", "consent": True},
                {"kind": "EMAIL", "value": "juan@example.com", "consent": True},
            ],
        },
    )
    return {"portfolio": pf["portfolio"]["id"], "debtor": debtor["debtor"]["id"]}


def create_debt(api: Api, acme: dict[str, Any], ext: str, amount: str, due: str, **extra: Any) -> Any:
    payload = api.mutate(
        "debtCreate",
        DEBT_CREATE,
        i={
            "debtorId": acme["debtor"],
            "portfolioId": acme["portfolio"],
            "externalId": ext,
            "originalAmount": amount,
            "dueDate": due,
            "issueDate": "2026-01-01",
            **extra,
        },
    )
    return payload["debt"]
