"""Property-based fuzzing of /graphql with schemathesis: every root field, in-process, on moto.

Schemathesis makes one test per root field (``test_graphql[Query.debts]``,
``test_graphql[Mutation.debtCreate]``, ...) from the SDL the app serves, and Hypothesis draws
documents for it, valid and invalid. Each one is posted as an ADMIN of tenant "acme" to the real
Starlette app, whose ledger runs on a moto table with a configured tenant, a portfolio, a debtor
and a debt. The server must never crash: no 5xx, always a JSON object, no stack trace or source
path in an error, no null in a non-null field, and above all no "Unexpected error." (what
MaskErrors shows for an unhandled exception).

Known server bugs are listed in KNOWN_BUGS: the fuzz test tolerates exactly the documents they
describe, and ``test_known_bug`` keeps a minimal reproduction of each as a strict xfail, so a fix
shows up as an XPASS that asks for the entry to be removed.

Runs are derandomized: the same code gives the same documents. (Hypothesis also mixes in literals
from the application's source, so editing the app can change which documents are drawn.)
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
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
from starlette.testclient import TestClient

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

# Examples shared by all root fields (~20 ms each on 2 cores, mostly spent drawing documents), so the
# file runs in ~35 s however many fields the API grows.
EXAMPLES_BUDGET = 1600
NOW = datetime(2026, 3, 15, 15, 0, tzinfo=UTC)
TODAY = date(2026, 3, 15)  # NOW in the tenant's zone (America/Lima)
MASKED = "Unexpected error."
# A stack trace or a source path leaking into an error message.
LEAK = re.compile(
    r"Traceback|File \"|site-packages|[\w.-]+\.py\b|(?<![\w/])(?:/[\w.-]+){2,}|\b[A-Za-z]:\\[\w.-]+\\"
)


# The SDL the app really serves (strawberry's), so the fuzzer never tests a stale copy.
SDL = graphql_schema.as_str()
CLIENT_SCHEMA = graphql.build_schema(SDL)
ROOT_FIELDS = sum(len(t.fields) for t in (CLIENT_SCHEMA.query_type, CLIENT_SCHEMA.mutation_type) if t)
MAX_EXAMPLES = max(20, EXAMPLES_BUDGET // ROOT_FIELDS)

# --- known bugs: documents the fuzz test tolerates, each with a strict-xfail reproduction ---


def _int_fields(document: graphql.DocumentNode, names: set[str]) -> Iterator[int]:
    """The integer literals given to input-object fields or arguments with one of these names."""
    found: list[int] = []

    class Visitor(graphql.Visitor):
        def enter_object_field(self, node: graphql.ObjectFieldNode, *_: Any) -> None:
            if node.name.value in names and isinstance(node.value, graphql.IntValueNode):
                found.append(int(node.value.value))

        def enter_argument(self, node: graphql.ArgumentNode, *_: Any) -> None:
            if node.name.value in names and isinstance(node.value, graphql.IntValueNode):
                found.append(int(node.value.value))

    graphql.visit(document, Visitor())
    return iter(found)


def _days_overflow(days: int) -> bool:
    try:
        TODAY - timedelta(days=days)
    except OverflowError:
        return True
    return False


def _dpd_overflows(document: graphql.DocumentNode) -> bool:
    return any(_days_overflow(v) for v in _int_fields(document, {"minDaysPastDue", "maxDaysPastDue"}))


def _after_on(document: graphql.DocumentNode, fields: set[tuple[str, str]]) -> bool:
    """Whether one of these (type, field) connections is selected with a string `after` cursor."""
    type_info = graphql.TypeInfo(CLIENT_SCHEMA)
    found: list[graphql.FieldNode] = []

    class Visitor(graphql.Visitor):
        def enter_field(self, node: graphql.FieldNode, *_: Any) -> None:
            parent = type_info.get_parent_type()
            if parent is None or (parent.name, node.name.value) not in fields:
                return
            after = next((a.value for a in node.arguments if a.name.value == "after"), None)
            if isinstance(after, graphql.StringValueNode):
                found.append(node)

    graphql.visit(document, graphql.TypeInfoVisitor(type_info, Visitor()))
    return bool(found)


@dataclass(frozen=True)
class KnownBug:
    id: str
    operation: str | None  # schemathesis label of the root field ("Query.debts"), None for any
    matches: Callable[[graphql.DocumentNode], bool]
    reproduction: str
    reason: str


FIXED_BUGS = [
    KnownBug(
        id="debts-days-past-due-overflow",
        operation="Query.debts",
        matches=_dpd_overflows,
        reproduction="{ debts(filter: { maxDaysPastDue: 1000000 }) { nodes { id } } }",
        reason=(
            "domain.ledger.dpd_due_range computes today - timedelta(days=n) unchecked: OverflowError "
            "for a minDaysPastDue/maxDaysPastDue past the date range (or |n| > 999999999)"
        ),
    ),
    KnownBug(
        id="portfolio-debts-invalid-cursor",
        operation=None,
        matches=lambda document: _after_on(document, {("Portfolio", "debts")}),
        reproduction='{ portfolios { nodes { debts(after: "x") { nodes { id } } } } }',
        reason=(
            "Portfolio.debts (schema/types.py) calls ledger.debts.list without schema.errors.query(), "
            "so the DomainError for a bad cursor is masked instead of becoming INVALID_CURSOR"
        ),
    ),
    KnownBug(
        id="debtor-payments-invalid-cursor",
        operation=None,
        matches=lambda document: _after_on(document, {("Debtor", "payments")}),
        reproduction='{ debtors { nodes { payments(after: "x") { nodes { id } } } } }',
        reason=(
            "Debtor.payments (schema/types.py) calls ledger.payments.list without schema.errors.query(), "
            "so the DomainError for a bad cursor is masked instead of becoming INVALID_CURSOR"
        ),
    ),
]


KNOWN_BUGS: list[KnownBug] = []
"""Bugs found and not fixed yet: the fuzz test tolerates their documents (none today)."""


def _known_bug(operation: str | None, document: graphql.DocumentNode | None) -> KnownBug | None:
    if document is None:
        return None
    return next(
        (b for b in KNOWN_BUGS if b.operation in (None, operation) and b.matches(document)),
        None,
    )


# --- generation ---


def _json_values() -> st.SearchStrategy[graphql.ValueNode]:
    """Any JSON value as a GraphQL literal (the JSON scalar, e.g. `customFields`)."""
    leaves = st.one_of(
        st.just(nodes.Null),
        st.booleans().map(nodes.Boolean),
        st.integers(min_value=-(2**53), max_value=2**53).map(nodes.Int),
        st.floats(allow_nan=False, allow_infinity=False).map(nodes.Float),
        st.text(max_size=20).map(nodes.String),
    )

    def object_node(fields: dict[str, graphql.ValueNode]) -> graphql.ValueNode:
        return nodes.Object(
            [graphql.ObjectFieldNode(name=graphql.NameNode(value=k), value=v) for k, v in fields.items()]
        )

    def extend(children: st.SearchStrategy[graphql.ValueNode]) -> st.SearchStrategy[graphql.ValueNode]:
        keys = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
        return st.one_of(
            st.lists(children, max_size=4).map(nodes.List),
            st.dictionaries(keys, children, max_size=4).map(object_node),
        )

    return st.recursive(leaves, extend, max_leaves=8)


# Date and DateTime have built-in strategies; JSON does not.
schemathesis.graphql.scalar("JSON", _json_values())

# Posted to /graphql, as `from_asgi` would set it.
SCHEMA = schemathesis.graphql.from_file(SDL)
SCHEMA.location = "/graphql"


# --- the app on moto ---


@pytest.fixture(scope="module")
def app() -> Iterator[Starlette]:
    """The app on a moto table: tenant "acme" (PE) with one portfolio, one debtor and one debt."""
    with mock_aws():
        create_table(boto3.client("dynamodb", region_name="us-east-1"), TABLE, TEMPLATE)
        configure(table_name=TABLE, host=None, region="us-east-1")
        clock = FixedClock(NOW)
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


# --- checks ---


def _parse(document: str) -> graphql.DocumentNode | None:
    try:
        return graphql.parse(document)
    except graphql.GraphQLError:
        return None


def _echoed(text: str, document: str, ast: graphql.DocumentNode | None) -> bool:
    """Whether `text` comes from the request itself (validation errors quote the values sent)."""
    if text in document:
        return True
    strings: list[str] = []

    class Visitor(graphql.Visitor):
        def enter_string_value(self, node: graphql.StringValueNode, *_: Any) -> None:
            strings.append(node.value)

    if ast is not None:
        graphql.visit(ast, Visitor())
    return any(text in s for s in strings)


def check_response(operation: str | None, document: str, status: int, text: str) -> None:
    """Fail unless the response is a well-formed GraphQL answer with no sign of a server bug.

    With an operation label, a masked error is allowed for the documents of a KNOWN_BUGS entry.
    """
    assert status < 500, f"server error {status} for:\n{document}\n{text}"
    assert status in (200, 400), f"unexpected status {status} for:\n{document}\n{text}"
    try:
        body: Any = json.loads(text)
    except ValueError:
        pytest.fail(f"response is not JSON for:\n{document}\n{text!r}")
    assert isinstance(body, dict), f"response is not a JSON object: {text}"
    assert "data" in body or "errors" in body, f"neither data nor errors: {text}"
    if status == 400:
        assert body.get("errors"), f"400 without errors: {text}"
    ast = _parse(document)
    for error in body.get("errors") or []:
        message = str(error.get("message", ""))
        if message == MASKED and operation is not None and _known_bug(operation, ast) is not None:
            continue
        assert message != MASKED, f"unhandled exception in a resolver for:\n{document}\n{error}"
        leak = LEAK.search(message)
        assert leak is None or _echoed(leak.group(), document, ast), (
            f"error message leaks internals ({leak and leak.group()!r}) for:\n{document}\n{message}"
        )
        assert "Cannot return null for non-nullable field" not in message, (
            f"null in a non-null field for:\n{document}\n{message}"
        )


# --- tests ---


@SCHEMA.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_graphql(case: schemathesis.Case[Any], app: Starlette, headers: dict[str, str]) -> None:
    response = case.call(app=app, headers=headers)
    check_response(case.operation.label, str(case.body), response.status_code, response.text)


def test_known_bugs_match_their_reproductions() -> None:
    for bug in [*KNOWN_BUGS, *FIXED_BUGS]:
        assert bug.matches(_parse(bug.reproduction)), bug.id


@pytest.mark.parametrize(
    "bug",
    [
        *(
            pytest.param(b, id=b.id, marks=pytest.mark.xfail(strict=True, reason=b.reason))
            for b in KNOWN_BUGS
        ),
        *(pytest.param(b, id=f"fixed-{b.id}") for b in FIXED_BUGS),
    ],
)
def test_known_bug(bug: KnownBug, app: Starlette, headers: dict[str, str]) -> None:
    """The minimal reproduction of each bug the fuzzer found: known ones still fail, fixed ones pass."""
    with TestClient(app) as client:
        response = client.post("/graphql", json={"query": bug.reproduction}, headers=headers)
    check_response(None, bug.reproduction, response.status_code, response.text)
