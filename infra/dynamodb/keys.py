"""Key builders of the single-table design (DESIGN.md). Pure string functions, no I/O.

Every key value begins with the tenant (`T#<tenant>` for the tenant's own partition, `T#<tenant>#…`
for everything else); tenant ids are validated here so no caller can forge a key across tenants. The
one exception is `TENANTS_PK`, the registry partition that lists tenant ids (see DESIGN.md).
"""

from __future__ import annotations

import re
import zlib
from datetime import date, datetime

from domain.clock import iso_utc

_TENANT_ID = re.compile(r"[a-z0-9-]{1,40}\Z")

TENANT_SK = "TENANT"
DEBTOR_SK = "DEBTOR"
CLAIM_SK = "UQ"
OUTBOX_SK = "EVENT"
TENANTS_PK = "TENANTS"
"""GSI1 partition of the tenant registry: one entry per tenant settings item, GSI1SK = the tenant id.
It holds tenant ids only (no tenant data is read through it), for workers that run for every tenant."""
PORTFOLIO_PREFIX = "PF#"
DEBT_PREFIX = "DEBT#"
PAYMENT_PREFIX = "PAY#"
AGENT_DEBTOR_PREFIX = "DR#"
AGENT_DEBT_PREFIX = "DT#"


def check_tenant(tenant: str) -> str:
    """Return `tenant` if it is a valid tenant id, else raise ValueError."""
    if not isinstance(tenant, str) or not _TENANT_ID.match(tenant):
        raise ValueError(f"invalid tenant id {tenant!r}")
    return tenant


def tenant_prefix(tenant: str) -> str:
    """`T#<tenant>#`: the start of every key value that belongs to the tenant."""
    return f"T#{check_tenant(tenant)}#"


def tenant_pk(tenant: str) -> str:
    return f"T#{check_tenant(tenant)}"


def portfolio_sk(portfolio_id: str) -> str:
    return f"{PORTFOLIO_PREFIX}{portfolio_id}"


def debtor_pk(tenant: str, debtor_id: str) -> str:
    return f"{tenant_prefix(tenant)}DR#{debtor_id}"


def debt_sk(debt_id: str) -> str:
    return f"{DEBT_PREFIX}{debt_id}"


def payment_sk(payment_id: str) -> str:
    return f"{PAYMENT_PREFIX}{payment_id}"


def adjustment_prefix(debt_id: str) -> str:
    return f"ADJ#{debt_id}#"


def adjustment_sk(debt_id: str, adjustment_id: str) -> str:
    return f"{adjustment_prefix(debt_id)}{adjustment_id}"


def dispute_prefix(debt_id: str) -> str:
    return f"DSP#{debt_id}#"


def dispute_sk(debt_id: str, dispute_id: str) -> str:
    return f"{dispute_prefix(debt_id)}{dispute_id}"


def claim_pk(tenant: str, kind: str, value: str) -> str:
    return f"{tenant_prefix(tenant)}UQ#{kind}#{value}"


def audit_pk(tenant: str, entity_id: str) -> str:
    return f"{tenant_prefix(tenant)}AUDIT#{entity_id}"


def audit_sk(at: datetime, audit_id: str) -> str:
    return f"{iso_utc(at)}#{audit_id}"


def outbox_pk(tenant: str, event_id: str) -> str:
    return f"{tenant_prefix(tenant)}OUTBOX#{event_id}"


def debtors_pk(tenant: str) -> str:
    """GSI1 partition of all debtors, sorted by normalised name."""
    return f"{tenant_prefix(tenant)}DEBTORS"


def document_pk(tenant: str, document_number: str) -> str:
    """GSI2 partition of the debtors with one document number."""
    return f"{tenant_prefix(tenant)}DOC#{document_number}"


def agent_pk(tenant: str, agent_id: str) -> str:
    """GSI3 partition of an agent's debtors (`DR#…`) and debts (`DT#…`)."""
    return f"{tenant_prefix(tenant)}AG#{agent_id}"


def portfolio_debts_pk(tenant: str, portfolio_id: str) -> str:
    """GSI1 partition of a portfolio's debts."""
    return f"{tenant_prefix(tenant)}PF#{portfolio_id}"


def tenant_debts_pk(tenant: str) -> str:
    """GSI2 partition of all debts of the tenant."""
    return f"{tenant_prefix(tenant)}DEBTS"


def currency_debts_pk(tenant: str, currency: str) -> str:
    """GSI4 partition of the debts in one currency."""
    return f"{tenant_prefix(tenant)}CUR#{currency}"


def payments_pk(tenant: str) -> str:
    """GSI1 partition of all payments of the tenant, sorted by payment time."""
    return f"{tenant_prefix(tenant)}PAYMENTS"


DUE_SHARDS = 8
"""The due index (GSI5) spreads each tenant's scheduled debts over this many partitions."""


def due_shard(debt_id: str) -> int:
    """A stable shard for a debt (a hash of its id, so a debt stays on one shard)."""
    return zlib.crc32(debt_id.encode()) % DUE_SHARDS


def due_pk(tenant: str, shard: int) -> str:
    """GSI5 partition: one shard of the tenant's debts that have a next action."""
    if not 0 <= shard < DUE_SHARDS:
        raise ValueError(f"invalid due shard {shard}")
    return f"{tenant_prefix(tenant)}DUE#{shard}"


def due_sort(at: datetime, debt_id: str) -> str:
    """`<next action UTC ts>#<debtId>`: the planner reads each shard up to now."""
    return f"{iso_utc(at)}#{debt_id}"


def debt_sort(state: str, due: date, debt_id: str) -> str:
    """`<state>#<due>#<debtId>`: the sort key of a debt on GSI1, GSI2 and GSI4 (GSI3 adds `DT#`)."""
    return f"{state}#{due.isoformat()}#{debt_id}"


def payment_sort(paid_at: datetime, payment_id: str) -> str:
    return f"{iso_utc(paid_at)}#{payment_id}"
