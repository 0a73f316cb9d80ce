"""What a batch of jobs reads before acting, in one go: the `DispatchReads` port and its fallback.

A dispatcher Lambda gets up to ten jobs at once. Reading each job's tenant, debtor, debts and claims on
its own costs several round trips per message; the store can hand them all over in one batch read
(`infra.dynamodb.dispatch_reads`). Without such a store, `PortReads` asks the ordinary ports item by item.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from domain.campaigns.model import Message
from domain.campaigns.ports import RecentContacts, SendClaim, SendJob
from domain.entities import Debt, Debtor, Tenant

if TYPE_CHECKING:
    from domain.campaigns.deps import EngineDeps


@dataclass
class Snapshot:
    """The items a batch names, as they were when the batch started (strongly consistent reads)."""

    tenants: dict[str, Tenant] = field(default_factory=dict)
    debtors: dict[tuple[str, str], Debtor] = field(default_factory=dict)
    """(tenant, debtor id) → debtor."""
    debts: dict[tuple[str, str, str], Debt] = field(default_factory=dict)
    """(tenant, debtor id, debt id) → debt."""
    owners: dict[tuple[str, SendClaim], Message | None] = field(default_factory=dict)
    """(tenant, claim) → the message that owns it, or None when nobody does: every claim of every job."""
    contacts: dict[tuple[str, str], RecentContacts] = field(default_factory=dict)
    """(tenant, debtor id) → the debtor's recent contacts, when the store keeps them by key."""


class DispatchReads(Protocol):
    def read(self, jobs: Sequence[SendJob]) -> Snapshot:
        """The tenants, debtors, debts and claims (with their messages) the jobs name."""
        ...


class PortReads:
    """`DispatchReads` over the ledger and message ports, one item at a time."""

    def __init__(self, deps: EngineDeps) -> None:
        self.deps = deps

    def read(self, jobs: Sequence[SendJob]) -> Snapshot:
        ledger, messages = self.deps.ledger, self.deps.messages
        snap = Snapshot()
        for job in jobs:
            if job.tenant not in snap.tenants:
                tenant = ledger.get_tenant(job.tenant)
                if tenant is not None:
                    snap.tenants[job.tenant] = tenant
            if (job.tenant, job.debtor_id) not in snap.debtors:
                debtor = ledger.get_debtor(job.tenant, job.debtor_id)
                if debtor is not None:
                    snap.debtors[(job.tenant, job.debtor_id)] = debtor
            claims = job.claims()
            found = ledger.get_debts(job.tenant, [(job.debtor_id, c.debt_id) for c in claims])
            for (debtor_id, debt_id), debt in found.items():
                snap.debts[(job.tenant, debtor_id, debt_id)] = debt
            for claim in claims:
                if (job.tenant, claim) not in snap.owners:
                    snap.owners[(job.tenant, claim)] = messages.message_for_claim(job.tenant, claim)
        return snap
