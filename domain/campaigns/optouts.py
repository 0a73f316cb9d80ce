"""Marking a debtor's addresses invalid or opted out (bounces, complaints, STOP/BAJA, by hand)."""

from __future__ import annotations

from domain.campaigns.deps import EngineDeps
from domain.entities import AuditEntry, ContactStatus, Debtor
from domain.errors import ConcurrencyConflict
from domain.ports import Transaction
from domain.snapshot import snapshot

SYSTEM_ACTOR = "recaudo-delivery-feedback"


def mark_address(
    deps: EngineDeps,
    debtor: Debtor,
    address: str,
    status: ContactStatus,
    reason: str,
    actor: str = SYSTEM_ACTOR,
    actor_role: str = "SYSTEM",
) -> bool:
    """Set the status of every contact point of `debtor` whose value is `address` (case-insensitive),
    with an audit entry; re-reads and retries on a concurrent write. False when nothing changed
    (already so, or no such address): applying the same feedback twice changes nothing more."""
    current: Debtor | None = debtor
    for _ in range(5):
        if current is None:
            return False
        changed = False
        before = snapshot(current)
        for point in current.contacts:
            same = point.value.casefold() == address.casefold() and point.status is not status
            # An opt-out is never undone by a bounce: INVALID does not overwrite OPTED_OUT.
            keeps_opt_out = status is ContactStatus.INVALID and point.status is ContactStatus.OPTED_OUT
            if same and not keeps_opt_out:
                point.status, changed = status, True
        if not changed:
            return False
        now = deps.clock.now()
        current.updated_at = now
        tx = Transaction()
        tx.save(current)
        tx.audits.append(
            AuditEntry(
                tenant=current.tenant,
                id=deps.ids.new_id(),
                entity_type="Debtor",
                entity_id=current.id,
                action=f"contact{status.value.title().replace('_', '')}",
                actor=actor,
                actor_role=actor_role,
                at=now,
                before={"contacts": before.get("contacts"), "reason": None},
                after={"contacts": snapshot(current).get("contacts"), "reason": reason},
            )
        )
        try:
            deps.ledger.commit(current.tenant, tx)
            return True
        except ConcurrencyConflict:
            current = deps.ledger.get_debtor(current.tenant, current.id)
    return False
