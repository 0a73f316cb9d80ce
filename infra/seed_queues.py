"""A large agent's book for benchmarks and request-count tests: `n` debtors with one open debt each,
assigned to one agent, and their work items, written with batch writes (no per-debtor refresh)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from domain.clock import local_date
from domain.entities import ContactKind, ContactPoint, Debt, DebtKind, Debtor, PartyKind
from domain.ports import Transaction
from domain.queues.model import WorkState
from domain.queues.priority import base_priority
from domain.risk.score import risk_score
from infra.dynamodb.models import TableItem
from infra.dynamodb.queue_items import work_item
from infra.dynamodb.repository import DynamoLedgerRepository

TIME_ZONE = "America/Lima"


def seed_queue_entries(
    tenant: str, agent_id: str, count: int, now: datetime, portfolio_id: str = "pf-bench", prefix: str = "q"
) -> list[str]:
    """Write `count` assigned debtors, debts and work items; return the debtor ids."""
    repo = DynamoLedgerRepository()
    today = local_date(now, TIME_ZONE)
    txs: list[Transaction] = []
    states: list[WorkState] = []
    ids: list[str] = []
    for n in range(count):
        debtor_id = f"{prefix}{n:06d}"
        ids.append(debtor_id)
        debtor = Debtor(
            tenant=tenant,
            id=debtor_id,
            external_id=f"EXT-{prefix}{n:06d}",
            kind=PartyKind.PERSON,
            name=f"Deudor {n:06d}",
            document_type=None,
            document_number=None,
            time_zone=TIME_ZONE,
            jurisdiction="PE",
            contacts=[ContactPoint(ContactKind.PHONE, f"+5198{n:07d}", consent=True)],
            assigned_agent_id=agent_id,
            created_at=now,
            updated_at=now,
        )
        debt = Debt(
            tenant=tenant,
            id=f"{debtor_id}-d",
            debtor_id=debtor_id,
            portfolio_id=portfolio_id,
            external_id=f"F-{prefix}{n:06d}",
            kind=DebtKind.INVOICE,
            currency="PEN",
            original_amount=Decimal(100 + (n * 37) % 5000),
            issue_date=date(2025, 1, 1),
            due_date=today - timedelta(days=(n * 7) % 150),
            assigned_agent_id=agent_id,
            created_at=now,
            updated_at=now,
        )
        tx = Transaction(batchable=True)
        tx.save(debtor)
        tx.save(debt)
        txs.append(tx)
        state = WorkState(tenant=tenant, debtor_id=debtor_id, time_zone=TIME_ZONE, agent_id=agent_id)
        state.risk = risk_score([debt], [], 0, now, TIME_ZONE)
        state.days_past_due = max((today - debt.due_date).days, 0)
        state.overdue = {"PEN": debt.balance} if state.days_past_due else {}
        state.priority = base_priority(state, now)
        state.refreshed_at = now
        states.append(state)
    repo.commit_many(tenant, txs)
    with TableItem.batch_write() as batch:
        for state in states:
            item = work_item(state)
            item.version = 1
            batch.save(item)
    return ids
