"""The newcomer's path through the API, and every ledger mutation's happy path."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import PAYMENT_RECORD, Api, create_debt

AUDIT = """query($id: ID!) {
  auditLog(entityId: $id) { edges { node { action actor actorRole before after } } } }"""
DEBT = """query($id: ID!) { debt(id: $id) { balance { amount currency } status daysPastDue agingBucket
  paidAmount { amount } creditAmount { amount } feeAmount { amount } version
  payments { id } adjustments { kind amount { amount } reason } disputes { state reason resolution } } }"""


def test_tenant_settings_default_from_country(api: Api, acme: dict[str, Any]) -> None:
    tenant = api.ok("{ tenant { id name country defaultCurrency timeZone locale } }")["tenant"]
    assert tenant == {
        "id": "acme",
        "name": "Acme SAC",
        "country": "PE",
        "defaultCurrency": "PEN",
        "timeZone": "America/Lima",
        "locale": "es-PE",
    }


def test_debtor_contacts_are_normalised(api: Api, acme: dict[str, Any]) -> None:
    debtor = api.ok(
        "query($id: ID!) { debtor(id: $id) { timeZone jurisdiction contacts { kind value } } }",
        id=acme["debtor"],
    )["debtor"]
    assert debtor["timeZone"] == "America/Lima" and debtor["jurisdiction"] == "PE"
    assert {"kind": "PHONE", "value": "+51987654321"} in debtor["contacts"]


def test_payment_changes_balance_status_and_audit(api: Api, acme: dict[str, Any]) -> None:
    # GIVEN two overdue debts (the clock says 2026-03-15 in Lima)
    old = create_debt(api, acme, "F-1", "100.00", "2026-01-31")
    new = create_debt(api, acme, "F-2", "250.50", "2026-02-28")
    assert old["status"] == "OVERDUE" and old["daysPastDue"] == 43 and old["agingBucket"] == "DPD_31_60"
    assert new["debtor"]["name"] == "Juan Pérez" and new["portfolio"]["name"] == "Retail"
    # WHEN a payment of 150.00 arrives
    pay = api.mutate(
        "paymentRecord",
        PAYMENT_RECORD,
        i={
            "debtorId": acme["debtor"],
            "amount": "150.00",
            "currency": "PEN",
            "method": "TRANSFER",
            "idempotencyKey": "k-1",
        },
    )["payment"]
    # THEN the oldest debt is paid first and the rest goes to the next
    allocations = {a["debtId"]: a["amount"]["amount"] for a in pay["allocations"]}
    assert allocations == {old["id"]: "100.00", new["id"]: "50.00"}
    first = api.ok(DEBT, id=old["id"])["debt"]
    second = api.ok(DEBT, id=new["id"])["debt"]
    assert first["status"] == "PAID" and first["balance"]["amount"] == "0.00" and first["daysPastDue"] == 0
    assert second["status"] == "OVERDUE" and second["balance"] == {"amount": "200.50", "currency": "PEN"}
    assert len(first["payments"]) == 1
    trail = [e["node"] for e in api.ok(AUDIT, id=old["id"])["auditLog"]["edges"]]
    assert [e["action"] for e in trail] == ["paymentRecord", "debtCreate"]
    assert trail[0]["before"]["balance"] == "100.00" and trail[0]["after"]["state"] == "PAID"
    assert trail[0]["actor"] == "ana" and trail[0]["actorRole"] == "ADMIN"


def test_overpayment_is_kept_as_unapplied_credit(api: Api, acme: dict[str, Any]) -> None:
    create_debt(api, acme, "F-1", "80.00", "2026-03-01")
    pay = api.mutate(
        "paymentRecord",
        PAYMENT_RECORD,
        i={
            "debtorId": acme["debtor"],
            "amount": "100.00",
            "currency": "PEN",
            "method": "CASH",
            "idempotencyKey": "k-over",
        },
    )["payment"]
    assert pay["unapplied"]["amount"] == "20.00"
    credit = api.ok(
        "query($id: ID!) { debtor(id: $id) { unappliedCredit { amount currency } } }", id=acme["debtor"]
    )["debtor"]["unappliedCredit"]
    assert credit == [{"amount": "20.00", "currency": "PEN"}]


def test_payment_reverse_restores_balances(api: Api, acme: dict[str, Any]) -> None:
    debt = create_debt(api, acme, "F-1", "80.00", "2026-03-01")
    pay = api.mutate(
        "paymentRecord",
        PAYMENT_RECORD,
        i={
            "debtId": debt["id"],
            "amount": "80.00",
            "currency": "PEN",
            "method": "CHECK",
            "idempotencyKey": "k-check",
        },
    )["payment"]
    assert api.ok(DEBT, id=debt["id"])["debt"]["status"] == "PAID"
    reverse = """mutation($i: PaymentReverseInput!) { paymentReverse(input: $i) {
      payment { reversed reversalReason } errors { code field } } }"""
    out = api.mutate("paymentReverse", reverse, i={"paymentId": pay["id"], "reason": "cheque rebotado"})
    assert out["payment"] == {"reversed": True, "reversalReason": "cheque rebotado"}
    after = api.ok(DEBT, id=debt["id"])["debt"]
    assert after["status"] == "OVERDUE" and after["balance"]["amount"] == "80.00"
    again = api.ok(reverse, i={"paymentId": pay["id"], "reason": "again"})["paymentReverse"]
    assert again["errors"] == [{"code": "ALREADY_REVERSED", "field": "paymentId"}]


def test_adjust_dispute_and_write_off(api: Api, acme: dict[str, Any]) -> None:
    debt = create_debt(api, acme, "F-1", "500.00", "2026-02-01")
    adjust = """mutation($i: DebtAdjustInput!) { debtAdjust(input: $i) {
      debt { balance { amount } } adjustment { kind amount { amount } } errors { code field } } }"""
    out = api.mutate(
        "debtAdjust",
        adjust,
        i={"debtId": debt["id"], "kind": "CREDIT", "amount": "100.00", "reason": "nota de crédito"},
    )
    assert out["debt"]["balance"]["amount"] == "400.00"
    out = api.mutate(
        "debtAdjust",
        adjust,
        i={"debtId": debt["id"], "kind": "FEE", "amount": "15.50", "reason": "gastos de cobranza"},
    )
    assert out["debt"]["balance"]["amount"] == "415.50"
    dispute = """mutation($i: DebtDisputeOpenInput!) { debtDisputeOpen(input: $i) {
      debt { status } dispute { state reason } errors { code field } } }"""
    out = api.mutate("debtDisputeOpen", dispute, i={"debtId": debt["id"], "reason": "no reconoce la factura"})
    assert out["debt"]["status"] == "DISPUTED" and out["dispute"]["state"] == "OPEN"
    resolve = """mutation($i: DebtDisputeResolveInput!) { debtDisputeResolve(input: $i) {
      debt { status balance { amount } } dispute { state resolution } errors { code field } } }"""
    out = api.mutate(
        "debtDisputeResolve",
        resolve,
        i={"debtId": debt["id"], "resolution": "parcial", "creditAmount": "15.50"},
    )
    assert out["debt"] == {"status": "OVERDUE", "balance": {"amount": "400.00"}}
    write_off = """mutation($i: DebtWriteOffInput!) { debtWriteOff(input: $i) {
      debt { status writeOffReason balance { amount } } errors { code field } } }"""
    out = api.mutate("debtWriteOff", write_off, i={"debtId": debt["id"], "reason": "incobrable"})
    assert out["debt"] == {
        "status": "WRITTEN_OFF",
        "writeOffReason": "incobrable",
        "balance": {"amount": "400.00"},
    }
    full = api.ok(DEBT, id=debt["id"])["debt"]
    assert [a["kind"] for a in full["adjustments"]].count("CREDIT") == 2
    assert full["disputes"][0]["state"] == "RESOLVED"


def test_debt_update_recomputes_and_portfolio_update(api: Api, acme: dict[str, Any]) -> None:
    debt = create_debt(api, acme, "F-1", "100.00", "2026-03-01")
    update = """mutation($i: DebtUpdateInput!) { debtUpdate(input: $i) {
      debt { dueDate status originalAmount { amount } balance { amount } tags customFields }
      errors { code field } } }"""
    out = api.mutate(
        "debtUpdate",
        update,
        i={
            "id": debt["id"],
            "dueDate": "2026-04-30",
            "originalAmount": "120.00",
            "tags": ["Prórroga"],
            "customFields": {"contract": "C-77"},
        },
    )
    assert out["debt"] == {
        "dueDate": "2026-04-30",
        "status": "CURRENT",
        "originalAmount": {"amount": "120.00"},
        "balance": {"amount": "120.00"},
        "tags": ["prórroga"],
        "customFields": {"contract": "C-77"},
    }
    pf = api.mutate(
        "portfolioUpdate",
        """mutation($i: PortfolioUpdateInput!) { portfolioUpdate(input: $i) {
      portfolio { name description } errors { code } } }""",
        i={"id": acme["portfolio"], "name": "Retail Lima", "description": "B2C"},
    )
    assert pf["portfolio"] == {"name": "Retail Lima", "description": "B2C"}


def test_debtor_update_and_search(api: Api, acme: dict[str, Any]) -> None:
    update = """mutation($i: DebtorUpdateInput!) { debtorUpdate(input: $i) {
      debtor { name tags contacts { kind value status } } errors { code field } } }"""
    out = api.mutate(
        "debtorUpdate",
        update,
        i={
            "id": acme["debtor"],
            "name": "Juan Pérez Soto",
            "tags": ["VIP"],
            "contacts": [{"kind": "WHATSAPP", "value": "+51 912 345 678", "consent": True}],
        },
    )
    assert out["debtor"]["contacts"] == [{"kind": "WHATSAPP", "value": "+51912345678", "status": "VALID"}]
    search = "query($f: DebtorFilter) { debtors(filter: $f) { edges { node { name } } } }"
    for f in ({"search": "juan pe"}, {"search": "45678912"}, {"externalId": "C-1"}, {"namePrefix": "JUAN"}):
        names = [e["node"]["name"] for e in api.ok(search, f=f)["debtors"]["edges"]]
        assert names == ["Juan Pérez Soto"], f
    assert api.ok(search, f={"search": "maria"})["debtors"]["edges"] == []


def test_debts_import_is_idempotent(api: Api, acme: dict[str, Any]) -> None:
    rows = [
        {
            "debtorExternalId": f"D-{i % 3}",
            "debtorName": f"Cliente {i % 3}",
            "externalId": f"INV-{i}",
            "originalAmount": "99.90",
            "dueDate": "2026-02-15",
            "phone": "987654321",
        }
        for i in range(7)
    ]
    rows.append(
        {
            "debtorExternalId": "D-X",
            "debtorName": "Bad",
            "externalId": "INV-BAD",
            "originalAmount": "1.234",
            "dueDate": "2026-02-15",
        }
    )
    mutation = """mutation($i: DebtsImportInput!) { debtsImport(input: $i) {
      created updated unchanged rowErrors { row field code } errors { code } } }"""
    first = api.ok(mutation, i={"portfolioId": acme["portfolio"], "rows": rows})["debtsImport"]
    assert (first["created"], first["updated"], first["unchanged"]) == (7, 0, 0)
    assert first["rowErrors"] == [{"row": 7, "field": "originalAmount", "code": "INVALID_AMOUNT"}]
    again = api.ok(mutation, i={"portfolioId": acme["portfolio"], "rows": rows})["debtsImport"]
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 7)
    rows[0]["originalAmount"] = "120.00"
    changed = api.ok(mutation, i={"portfolioId": acme["portfolio"], "rows": rows[:1]})["debtsImport"]
    assert (changed["created"], changed["updated"]) == (0, 1)
    total = api.ok("{ debts(first: 50) { edges { node { id } } } }")["debts"]["edges"]
    assert len(total) == 7
