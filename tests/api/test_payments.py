"""Idempotent payment replay, concurrent payments, and the nested-query request budget."""

from __future__ import annotations

from typing import Any

from domain.services import Ledger
from tests.api.conftest import PAYMENT_RECORD, Api, RequestCounter, create_debt


def _pay(api: Api, debt_id: str, amount: str, key: str) -> dict[str, Any]:
    return api.ok(
        PAYMENT_RECORD,
        i={"debtId": debt_id, "amount": amount, "currency": "PEN", "method": "ONLINE", "idempotencyKey": key},
    )["paymentRecord"]


def test_replay_returns_first_result_and_writes_nothing(
    api: Api, acme: dict[str, Any], aws_calls: RequestCounter
) -> None:
    debt = create_debt(api, acme, "F-1", "300.00", "2026-03-01")
    first = _pay(api, debt["id"], "100.00", "pay-123")
    aws_calls.reset()
    second = _pay(api, debt["id"], "100.00", "pay-123")
    assert second["replayed"] is True and second["payment"]["id"] == first["payment"]["id"]
    writes = [
        c
        for c in aws_calls.dynamodb
        if c.split(".")[1] in {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}
    ]
    assert writes == []
    balance = api.ok("query($id: ID!) { debt(id: $id) { balance { amount } } }", id=debt["id"])
    assert balance["debt"]["balance"]["amount"] == "200.00"
    reused = _pay(api, debt["id"], "90.00", "pay-123")
    assert reused["errors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"


def test_concurrent_payments_on_one_debt_both_land(api: Api, acme: dict[str, Any], ledger: Ledger) -> None:
    # GIVEN payment A has read the debt, and payment B commits before A does (a real race, replayed
    # deterministically: moto's in-process backend is not thread-safe)
    debt = create_debt(api, acme, "F-1", "1000.00", "2026-03-01")
    repo = ledger.deps.repo
    original_commit = repo.commit
    raced: list[dict[str, Any]] = []
    started: list[bool] = []

    def commit_after_a_competitor(tenant: str, tx: Any) -> None:
        if not started:
            started.append(True)
            raced.append(_pay(api, debt["id"], "10.00", "pay-B"))
        original_commit(tenant, tx)

    repo.commit = commit_after_a_competitor  # type: ignore[method-assign]
    # WHEN payment A commits on stale versions
    a = _pay(api, debt["id"], "25.00", "pay-A")
    repo.commit = original_commit  # type: ignore[method-assign]
    # THEN A's conditional write failed, it re-read and retried, and both payments landed
    assert a["errors"] == [] and raced[0]["errors"] == []
    balance = api.ok(
        "query($id: ID!) { debt(id: $id) { balance { amount } paidAmount { amount } } }", id=debt["id"]
    )["debt"]
    assert balance == {"balance": {"amount": "965.00"}, "paidAmount": {"amount": "35.00"}}
    payments = api.ok("{ payments { edges { node { amount { amount } } } } }")["payments"]["edges"]
    assert sorted(p["node"]["amount"]["amount"] for p in payments) == ["10.00", "25.00"]


def test_unexpected_errors_are_masked(api: Api, acme: dict[str, Any], ledger: Ledger) -> None:
    def boom(*args: Any) -> Any:
        raise RuntimeError("secret internals at /var/task/x.py")

    ledger.payments.record = boom  # type: ignore[method-assign]
    body = api(
        PAYMENT_RECORD,
        i={
            "debtorId": acme["debtor"],
            "amount": "1.00",
            "currency": "PEN",
            "method": "CASH",
            "idempotencyKey": "m",
        },
    )
    assert body["errors"][0]["message"] == "Unexpected error."
    assert "secret" not in str(body) and "Traceback" not in str(body)


def test_nested_debts_query_costs_at_most_three_requests(
    api: Api, acme: dict[str, Any], aws_calls: RequestCounter
) -> None:
    rows = [
        {
            "debtorExternalId": f"D-{i % 40}",
            "debtorName": f"Cliente {i % 40}",
            "externalId": f"INV-{i}",
            "originalAmount": "10.00",
            "dueDate": "2026-02-15",
        }
        for i in range(120)
    ]
    out = api.ok(
        """mutation($i: DebtsImportInput!) { debtsImport(input: $i) { created rowErrors { code } } }""",
        i={"portfolioId": acme["portfolio"], "rows": rows},
    )["debtsImport"]
    assert out == {"created": 120, "rowErrors": []}
    aws_calls.reset()
    data = api.ok("{ debts(first: 100) { edges { node { debtor { name } portfolio { name } } } } }")
    assert len(data["debts"]["edges"]) == 100
    assert all(e["node"]["debtor"]["name"].startswith("Cliente") for e in data["debts"]["edges"])
    assert len(aws_calls.dynamodb) <= 3, aws_calls.dynamodb
