"""Authentication, tenant isolation, agent scope, role permissions and request limits."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from starlette.testclient import TestClient

from api.app import create_app
from api.auth import DEV_AUDIENCE, DEV_ISSUER, DEV_SECRET_DEFAULT
from domain.services import Ledger
from tests.api.conftest import DEBTOR_CREATE, PORTFOLIO_CREATE, TENANT_SETUP, Api, create_debt, token

DEBT = "query($id: ID!) { debt(id: $id) { id balance { amount } } }"


def _claims(**over: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "sub": "x",
        "tenant": "acme",
        "role": "ADMIN",
        "iss": DEV_ISSUER,
        "aud": DEV_AUDIENCE,
        "iat": now,
        "exp": now + 600,
    }
    claims.update(over)
    return {k: v for k, v in claims.items() if v is not None}


@pytest.mark.parametrize(
    "bearer",
    [
        None,
        "not-a-jwt",
        jwt.encode(_claims(), key="", algorithm="none"),
        jwt.encode(_claims(exp=int(time.time()) - 10), DEV_SECRET_DEFAULT, algorithm="HS256"),
        jwt.encode(_claims(aud="someone-else"), DEV_SECRET_DEFAULT, algorithm="HS256"),
        jwt.encode(_claims(iss="evil"), DEV_SECRET_DEFAULT, algorithm="HS256"),
        jwt.encode(_claims(), "wrong-secret", algorithm="HS256"),
        jwt.encode(_claims(role="ROOT"), DEV_SECRET_DEFAULT, algorithm="HS256"),
        jwt.encode(_claims(tenant=None), DEV_SECRET_DEFAULT, algorithm="HS256"),
        jwt.encode(_claims(role="AGENT"), DEV_SECRET_DEFAULT, algorithm="HS256"),
    ],
    ids=[
        "missing",
        "malformed",
        "alg-none",
        "expired",
        "wrong-audience",
        "wrong-issuer",
        "bad-signature",
        "unknown-role",
        "no-tenant",
        "agent-without-agent-id",
    ],
)
def test_bad_tokens_get_401(api: Api, bearer: str | None) -> None:
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    response = api.client.post("/graphql", json={"query": "{ viewer { sub } }"}, headers=headers)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_healthz_and_graphiql_are_open(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    page = api.client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    assert "Bearer" not in page.text


def test_local_graphiql_starts_with_the_dev_token(ledger: Ledger) -> None:
    client = TestClient(create_app(ledger, graphiql_token="tok-123"))
    page = client.get("/graphql", headers={"Accept": "text/html"})
    assert '"Authorization": "Bearer tok-123"' in page.text


def test_foreign_ids_and_cursors_are_not_found(api: Api, acme: dict[str, Any]) -> None:
    for i in range(3):
        create_debt(api, acme, f"F-{i}", "10.00", "2026-03-01")
    page = api.ok("{ debts(first: 1) { edges { node { id } } pageInfo { endCursor hasNextPage } } }")["debts"]
    debt_id, cursor = page["edges"][0]["node"]["id"], page["pageInfo"]["endCursor"]
    assert page["pageInfo"]["hasNextPage"] is True
    globex = token("globex")
    api.mutate("tenantUpdate", TENANT_SETUP, token=globex, t={"name": "Globex", "country": "CO"})
    # a debt id from acme used by globex
    body = api(DEBT, token=globex, id=debt_id)
    assert body["data"]["debt"] is None and body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert api.ok("query($id: ID!) { node(id: $id) { id } }", token=globex, id=debt_id)["node"] is None
    # a cursor from acme used by globex
    body = api(
        "query($c: String) { debts(first: 1, after: $c) { edges { node { id } } } }", token=globex, c=cursor
    )
    assert body["data"] is None or body["data"]["debts"] is None
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    # a forged id
    body = api(DEBT, id="Zm9yZ2Vk")
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    # a mutation on a foreign debt changes nothing
    out = api.ok(
        """mutation($i: DebtWriteOffInput!) { debtWriteOff(input: $i) { debt { id }
      errors { code field } } }""",
        token=globex,
        i={"debtId": debt_id, "reason": "x"},
    )["debtWriteOff"]
    assert out == {"debt": None, "errors": [{"code": "NOT_FOUND", "field": "id"}]}
    assert api.ok(DEBT, id=debt_id)["debt"]["balance"]["amount"] == "10.00"


def test_agent_sees_only_its_debtors(api: Api, acme: dict[str, Any]) -> None:
    mine = api.mutate(
        "debtorCreate",
        DEBTOR_CREATE,
        i={"name": "Rosa Quispe", "externalId": "C-2", "assignedAgentId": "ag-1"},
    )["debtor"]["id"]
    mine_debt = create_debt(api, {**acme, "debtor": mine}, "F-MINE", "50.00", "2026-03-01")
    other_debt = create_debt(api, acme, "F-OTHER", "70.00", "2026-03-01")
    agent = token(role="AGENT", agent_id="ag-1", sub="lucia")
    names = [
        e["node"]["name"]
        for e in api.ok("{ debtors { edges { node { name } } } }", token=agent)["debtors"]["edges"]
    ]
    assert names == ["Rosa Quispe"]
    debts = api.ok("{ debts { edges { node { id } } } }", token=agent)["debts"]["edges"]
    assert [e["node"]["id"] for e in debts] == [mine_debt["id"]]
    body = api(DEBT, token=agent, id=other_debt["id"])
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    pay = """mutation($i: PaymentRecordInput!) { paymentRecord(input: $i) { payment { id }
      errors { code field } } }"""
    ok = api.ok(
        pay,
        token=agent,
        i={
            "debtId": mine_debt["id"],
            "amount": "5.00",
            "currency": "PEN",
            "method": "CASH",
            "idempotencyKey": "a-1",
        },
    )["paymentRecord"]
    assert ok["errors"] == []
    denied = api.ok(
        pay,
        token=agent,
        i={
            "debtId": other_debt["id"],
            "amount": "5.00",
            "currency": "PEN",
            "method": "CASH",
            "idempotencyKey": "a-2",
        },
    )["paymentRecord"]
    assert denied == {"payment": None, "errors": [{"code": "NOT_FOUND", "field": "debtorId"}]}
    body = api(PORTFOLIO_CREATE, token=agent, i={"name": "x"})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_partner_reads_payments_only(api: Api, acme: dict[str, Any]) -> None:
    partner = token(role="PARTNER", sub="pasarela")
    assert api.ok("{ payments { edges { node { id } } } }", token=partner)["payments"]["edges"] == []
    body = api("{ debts { edges { node { id } } } }", token=partner)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_error_codes_leave_state_unchanged(api: Api, acme: dict[str, Any]) -> None:
    bad_ruc = api.ok(
        DEBTOR_CREATE,
        i={"name": "Empresa", "kind": "COMPANY", "documentType": "RUC", "documentNumber": "20100047219"},
    )["debtorCreate"]
    assert bad_ruc["errors"][0]["code"] == "INVALID_DOCUMENT" and bad_ruc["debtor"] is None
    dup = api.ok(DEBTOR_CREATE, i={"name": "Otro", "externalId": "C-1"})["debtorCreate"]
    assert dup["errors"] == [
        {
            "field": "externalId",
            "code": "DUPLICATE",
            "message": "a debtor with this external id already exists",
        }
    ]
    phone = api.ok(DEBTOR_CREATE, i={"name": "X", "contacts": [{"kind": "PHONE", "value": "12"}]})
    assert phone["debtorCreate"]["errors"][0]["code"] == "INVALID_PHONE"
    debt = create_debt(api, acme, "F-1", "100.00", "2026-03-01")
    create = (
        """mutation($i: DebtCreateInput!) { debtCreate(input: $i) { debt { id } errors { code field } } }"""
    )
    base = {
        "debtorId": acme["debtor"],
        "portfolioId": acme["portfolio"],
        "dueDate": "2026-03-01",
        "originalAmount": "10.00",
    }
    cases = [
        ({"currency": "USD"}, "CURRENCY_MISMATCH"),
        ({"originalAmount": "10.001"}, "INVALID_AMOUNT"),
        ({"originalAmount": "-5"}, "INVALID_AMOUNT"),
        ({"issueDate": "2026-04-01"}, "INVALID_DATE"),
        ({"externalId": "F-1"}, "DUPLICATE"),
        ({"portfolioId": "bm9wZQ"}, "NOT_FOUND"),
    ]
    for override, code in cases:
        out = api.ok(create, i={**base, **override})["debtCreate"]
        assert out["debt"] is None and out["errors"][0]["code"] == code, (override, out)
    pay = """mutation($i: PaymentRecordInput!) { paymentRecord(input: $i) { payment { id }
      errors { code field } } }"""
    wrong_currency = api.ok(
        pay,
        i={
            "debtId": debt["id"],
            "amount": "5.00",
            "currency": "USD",
            "method": "CASH",
            "idempotencyKey": "x",
        },
    )["paymentRecord"]
    assert wrong_currency["errors"][0]["code"] == "CURRENCY_MISMATCH"
    no_key = api.ok(
        pay,
        i={
            "debtId": debt["id"],
            "amount": "5.00",
            "currency": "PEN",
            "method": "CASH",
            "idempotencyKey": " ",
        },
    )["paymentRecord"]
    assert no_key["errors"][0] == {"code": "REQUIRED", "field": "idempotencyKey"}
    assert api.ok(DEBT, id=debt["id"])["debt"]["balance"]["amount"] == "100.00"
    too_big = api("{ debts(first: 201) { edges { node { id } } } }")
    assert too_big["errors"][0]["extensions"]["code"] == "PAGE_SIZE_EXCEEDED"


def test_limits_and_masked_errors(api: Api, acme: dict[str, Any]) -> None:
    deep = (
        "{ debts { edges { node { debtor { debts { edges { node { debtor { debts { edges { node { "
        "debtor { name } } } } } } } } } } } } }"
    )
    body = api(deep)
    assert "depth" in body["errors"][0]["message"].lower()
    aliases = "{ " + " ".join(f"a{i}: viewer {{ sub }}" for i in range(40)) + " }"
    assert "alias" in api(aliases)["errors"][0]["message"].lower()
    body = api("{ nope }")
    assert "Traceback" not in str(body) and body["errors"]
