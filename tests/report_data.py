"""A small ledger for export tests: three currencies, every aging bucket, payments (one reversed).

Seen on 2026-03-15 in Lima. Expected outstanding balances per currency and bucket are in `EXPECTED`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from domain.aging import AgingBucket
from domain.entities import PaymentMethod
from domain.principal import Principal, Role
from domain.services import Ledger
from domain.services.debtors import DebtorInput
from domain.services.debts import DebtInput
from domain.services.payments import PaymentInput
from domain.services.portfolios import PortfolioInput
from domain.services.tenants import TenantPatch

AS_OF = date(2026, 3, 15)
ADMIN = Principal(sub="u-admin", tenant="acme", role=Role.ADMIN)
OTHER = Principal(sub="u-globex", tenant="globex", role=Role.ADMIN)

EXPECTED: dict[str, dict[AgingBucket, Decimal]] = {
    "PEN": {
        AgingBucket.CURRENT: Decimal("1000.50"),
        AgingBucket.D1_30: Decimal("200.00"),
        AgingBucket.D61_90: Decimal("99.99"),
    },
    "USD": {AgingBucket.D31_60: Decimal("120.10"), AgingBucket.D120_PLUS: Decimal("500.00")},
    "CLP": {AgingBucket.D91_120: Decimal("150000")},
}
COLLECTED = {"PEN": Decimal("350.25")}
"""Payments not reversed: 50.25 on the 1-30 debt and 300.00 paying a debt off (a 80.00 one reversed)."""


@dataclass
class Seeded:
    portfolios: dict[str, str] = field(default_factory=dict)
    debtors: dict[str, str] = field(default_factory=dict)
    debts: dict[str, tuple[str, str]] = field(default_factory=dict)


def seed_report_ledger(ledger: Ledger, principal: Principal = ADMIN) -> Seeded:
    s = Seeded()
    ledger.tenants.update(principal, TenantPatch(name="Acme Cobranzas", country="PE"))
    retail = ledger.portfolios.create(principal, PortfolioInput(name="Retail", external_id="PF-R"))
    cards = ledger.portfolios.create(principal, PortfolioInput(name="Tarjetas", external_id="PF-C"))
    s.portfolios = {"retail": retail.id, "cards": cards.id}
    people = {
        "maria": DebtorInput(
            name="María Pérez", external_id="C-1", document_type="DNI", document_number="12345678",
            assigned_agent_id="ag-1",
        ),
        "jose": DebtorInput(name="José Ñúñez", external_id="C-2", assigned_agent_id="ag-2"),
        "ana": DebtorInput(
            name="Ana Soto", external_id="C-3", jurisdiction="CL", time_zone="America/Santiago"
        ),
    }  # fmt: skip
    for key, data in people.items():
        s.debtors[key] = ledger.debtors.create(principal, data).id
    debts = [
        ("current", "maria", "retail", "PEN", "1000.50", date(2026, 3, 20), "ag-1"),
        ("d1_30", "maria", "retail", "PEN", "250.25", date(2026, 3, 1), "ag-1"),
        ("d61_90", "jose", "cards", "PEN", "99.99", date(2026, 1, 10), "ag-2"),
        ("d120", "jose", "retail", "USD", "500.00", date(2025, 10, 1), "ag-2"),
        ("d31_60", "maria", "cards", "USD", "120.10", date(2026, 2, 1), "ag-1"),
        ("d91_120", "ana", "retail", "CLP", "150000", date(2025, 12, 1), None),
        ("paid", "jose", "retail", "PEN", "300.00", date(2026, 2, 15), "ag-2"),
    ]
    for key, who, pf, currency, amount, due, agent in debts:
        debt = ledger.debts.create(
            principal,
            DebtInput(
                debtor_id=s.debtors[who],
                portfolio_id=s.portfolios[pf],
                original_amount=amount,
                due_date=due,
                external_id=f"D-{key}",
                number=f"F001-{key}",
                currency=currency,
                issue_date=date(2025, 9, 1),
                assigned_agent_id=agent,
            ),
        )
        s.debts[key] = (debt.debtor_id, debt.id)
    pay = ledger.payments.record
    pay(principal, _payment(s, "maria", "d1_30", "50.25", "PEN", datetime(2026, 3, 5, 15, tzinfo=UTC), "k1"))
    pay(principal, _payment(s, "jose", "paid", "300.00", "PEN", datetime(2026, 3, 10, 4, tzinfo=UTC), "k2"))
    bounced = pay(
        principal, _payment(s, "jose", "d61_90", "80.00", "PEN", datetime(2026, 3, 11, tzinfo=UTC), "k3")
    )
    ledger.payments.reverse(principal, s.debtors["jose"], bounced.payment.id, "cheque sin fondos")
    return s


def _payment(
    s: Seeded, who: str, debt: str, amount: str, currency: str, at: datetime, key: str
) -> PaymentInput:
    return PaymentInput(
        debtor_id=s.debtors[who],
        amount=amount,
        currency=currency,
        method=PaymentMethod.TRANSFER,
        idempotency_key=key,
        paid_at=at,
        debt_id=s.debts[debt][1],
        reference=f"OP-{key}",
    )
