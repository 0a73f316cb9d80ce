"""Property-based fuzzing of /graphql with schemathesis: every root field, in-process, on moto.

Schemathesis builds one test per root field (``test_graphql[Query.debts]``,
``test_graphql[Mutation.debtCreate]``, ...) from the schema the app serves, and Hypothesis draws
documents (valid and invalid) for it. Each is sent as an ADMIN of tenant "acme" and must never
crash the server: no 5xx, always a JSON object, no stack trace or file path in an error, and no
"Unexpected error." (what MaskErrors shows for an unhandled exception).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import boto3
import graphql
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from moto import mock_aws
from schemathesis.graphql import nodes
from starlette.applications import Starlette

from api.app import create_app
from domain.clock import FixedClock
from domain.ids import TimeOrderedIds
from domain.principal import Principal, Role
from domain.services import Deps, Ledger
from domain.services.debtors import DebtorInput
from domain.services.debts import DebtInput
from domain.services.portfolios import PortfolioInput
from domain.services.tenants import TenantPatch
from infra.dynamodb.models import configure
from infra.dynamodb.repository import DynamoLedgerRepository
from infra.dynamodb.schema_from_template import create_table
from schema.root import schema as graphql_schema
from tests.api.conftest import TABLE, TEMPLATE, token

MAX_EXAMPLES = 8
MASKED = "Unexpected error."
# A Python stack trace, or a source path (/work/x.py, C:\x\y.py, site-packages/...) leaking into a message.
LEAK = re.compile(r"Traceback|File \"|\.py\b|site-packages|(?:^|[\s\"'(])(?:/[\w.-]+){2,}|[A-Za-z]:\\")


def _json_values() -> st.SearchStrategy[graphql.ValueNode]:
    """Any JSON value as a GraphQL literal (for the JSON scalar: `customFields`)."""
    leaves = st.one_of(
        st.just(nodes.Null),
        st.booleans().map(nodes.Boolean),
        st.integers(min_value=-(2**53), max_value=2**53).map(nodes.Int),
        st.floats(allow_nan=False, allow_infinity=False).map(nodes.Float),
        st.text(max_size=20).map(nodes.String),
    )

    def extend(children: st.SearchStrategy[graphql.ValueNode]) -> st.SearchStrategy[graphql.ValueNode]:
        fields = st.dictionaries(
            st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True), children, max_size=4
        )
        return st.one_of(
            st.lists(children, max_size=4).map(nodes.List),
            fields.map(
                lambda d: nodes.Object(
                    [graphql.ObjectFieldNode(name=graphql.NameNode(value=k), value=v) for k, v in d.items()]
                )
            ),
        )

    return st.recursive(leaves, extend, max_leaves=8)


schemathesis.graphql.scalar("JSON", _json_values())

# The SDL the app really serves (strawberry's), so the fuzzer never tests a stale copy.
SCHEMA = schemathesis.graphql.from_file(graphql_schema.as_str())
SCHEMA.location = "/graphql"  # as `from_asgi` would set it: the endpoint every case is posted to


@pytest.fixture(scope="module")
def app() -> Iterator[Starlette]:
    """The app on a moto table with a configured tenant, one portfolio, debtor and debt."""
    with mock_aws():
        create_table(boto3.client("dynamodb", region_name="us-east-1"), TABLE, TEMPLATE)
        configure(table_name=TABLE, host=None, region="us-east-1")
        clock = FixedClock(datetime(2026, 3, 15, 15, 0, tzinfo=UTC))
        ledger = Ledger.build(Deps(DynamoLedgerRepository(), clock, TimeOrderedIds(clock)))
        admin = Principal("fuzz", "acme", Role.ADMIN)
        ledger.tenants.update(admin, TenantPatch(name="Acme", country="PE"))
        portfolio = ledger.portfolios.create(admin, PortfolioInput(name="Retail", currency="PEN"))
        debtor = ledger.debtors.create(
            admin,
            DebtorInput(
                name="Juan Pérez", external_id="C-1", document_type="DNI", document_number="45678912"
            ),
        )
        ledger.debts.create(
            admin,
            DebtInput(
                debtor_id=debtor.id,
                portfolio_id=portfolio.id,
                original_amount="1500.00",
                due_date=date(2026, 1, 31),
                external_id="D-1",
                issue_date=date(2026, 1, 1),
            ),
        )
        yield create_app(ledger)


@pytest.fixture(scope="module")
def headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {token('acme', 'ADMIN')}"}


def check_response(status: int, text: str) -> None:
    assert status < 500, f"server error {status}: {text}"
    assert status in (200, 400), f"unexpected status {status}: {text}"
    try:
        body: Any = json.loads(text)
    except ValueError:
        pytest.fail(f"response is not JSON: {text!r}")
    assert isinstance(body, dict), f"response is not a JSON object: {text}"
    assert "data" in body or "errors" in body, f"neither data nor errors: {text}"
    if status == 400:
        assert body.get("errors"), f"400 without errors: {text}"
    for error in body.get("errors") or []:
        message = str(error.get("message", ""))
        assert message != MASKED, f"unhandled exception in a resolver (masked): {error}"
        assert not LEAK.search(message), f"error message leaks internals: {message!r}"
        assert "Cannot return null for non-nullable field" not in message, f"schema violation: {message}"


@SCHEMA.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_graphql(case: schemathesis.Case, app: Starlette, headers: dict[str, str]) -> None:
    response = case.call(app=app, headers=headers)
    check_response(response.status_code, response.text)
