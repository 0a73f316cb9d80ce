"""`DebtExtensions`: extend a debt's due date (prórroga) within the tenant's caps, read the history,
and the tenant's extension settings.

One transaction writes the extension record, the debt with its new due date and re-anchored next
action, the audit entry and the events (`DebtUpdated` with `change: debtUpdate`, and `DebtExtended`).
The debt is saved conditioned on the version read before the history, so two racing extensions of
one debt cannot both pass the cap: the loser re-reads and is refused (or replays).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from domain.campaigns.cadence import evaluate_marker
from domain.campaigns.pause import paused_action
from domain.clock import local_date
from domain.entities import Debt, NextAction
from domain.errors import DomainError, ErrorCode, NotFound
from domain.ports import Transaction
from domain.principal import Action, Principal
from domain.services.base import clean_text
from domain.services.debts import debt_event_data
from domain.snapshot import snapshot
from domain.terms import rules
from domain.terms.base import TermsBase
from domain.terms.model import DebtExtension, ExtensionSettings


@dataclass
class ExtensionResult:
    debt: Debt
    extension: DebtExtension
    replayed: bool


def reanchored(debt: Debt, now_action: NextAction) -> NextAction:
    """As when `debtUpdate` changes a due date: the debt is up for evaluation now, so the next planner
    cycle recomputes its step from the new date (jobs planned for the old date are dropped by the
    dispatcher); a debt paused by a pending promise keeps waiting for the pause's end."""
    if debt.paused_until is not None:
        return paused_action(debt, now_action, now_action.at)
    return now_action


class DebtExtensions(TermsBase):
    def extend(
        self, principal: Principal, debtor_id: str, debt_id: str, new_due_date: date, reason: str
    ) -> ExtensionResult:
        """Move an open debt's due date later; the same request again (the date already set by the last
        extension) returns that extension and writes nothing."""
        principal.require(Action.DEBT_EXTEND)
        text = clean_text(reason, "reason", required=True, max_len=2000) or ""
        return self.retrying(lambda: self._extend(principal, debtor_id, debt_id, new_due_date, text))

    def _extend(
        self, principal: Principal, debtor_id: str, debt_id: str, new_due: date, reason: str
    ) -> ExtensionResult:
        tenant = principal.tenant
        debtor = self._visible_debtor(principal, debtor_id, "debtId")
        debt = self.repo.get_debt(tenant, debtor.id, debt_id)
        if debt is None:
            raise NotFound("debt", "debtId")
        history = self.history(tenant, debtor.id, debt.id)
        if rules.is_replay(debt, history, new_due):
            return ExtensionResult(debt, history[-1], replayed=True)
        now = self.now()
        settings = self.store.get_settings(tenant)
        rules.check_extension(debt, history, new_due, local_date(now, debtor.time_zone), settings)
        extension = DebtExtension(
            tenant=tenant,
            id=self.deps.ids.new_id(),
            debtor_id=debtor.id,
            debt_id=debt.id,
            previous_due_date=debt.due_date,
            new_due_date=new_due,
            reason=reason,
            created_by=principal.sub,
            created_at=now,
        )
        before = snapshot(debt)
        debt.due_date, debt.updated_at = new_due, now
        debt.next_action = reanchored(debt, evaluate_marker(now, debt, debtor.time_zone, debtor.jurisdiction))
        tx = Transaction()
        tx.save(extension)
        tx.save(debt)
        after = snapshot(debt) | {"extensionId": extension.id, "reason": reason}
        self.audit(tx, principal, "Debt", debt.id, "debtExtend", before, after)
        self.event(tx, tenant, "DebtUpdated", debt.id, debt_event_data(debt) | {"change": "debtUpdate"})
        self.event(tx, tenant, "DebtExtended", debt.id, extension_event_data(debt, extension, history))
        self.repo.commit(tenant, tx)
        return ExtensionResult(debt, extension, replayed=False)

    def history(self, tenant: str, debtor_id: str, debt_id: str) -> list[DebtExtension]:
        """The debt's extensions, oldest first (strongly consistent: the cap counts them)."""
        found = self.store.extensions_of_debtor(tenant, debtor_id, consistent=True)
        return sorted((x for x in found if x.debt_id == debt_id), key=lambda x: (x.created_at, x.id))

    def settings_of(self, principal: Principal) -> ExtensionSettings:
        principal.require(Action.DEBT_READ)
        return self.store.get_settings(principal.tenant)

    def update_settings(
        self,
        principal: Principal,
        *,
        max_extensions_per_debt: int | None = None,
        max_days_per_extension: int | None = None,
    ) -> ExtensionSettings:
        principal.require(Action.TERMS_SETTINGS)
        checks = [
            ("maxExtensionsPerDebt", max_extensions_per_debt, 0, 24),
            ("maxDaysPerExtension", max_days_per_extension, 1, 365),
        ]
        for field, value, low, high in checks:
            if value is not None and not low <= value <= high:
                raise DomainError(ErrorCode.INVALID, f"{field} is {low} to {high}", field)
        return self.retrying(
            lambda: self._update_settings(principal.tenant, max_extensions_per_debt, max_days_per_extension)
        )

    def _update_settings(
        self, tenant: str, max_extensions_per_debt: int | None, max_days_per_extension: int | None
    ) -> ExtensionSettings:
        current = self.store.get_settings(tenant)
        updated = ExtensionSettings(
            max_extensions_per_debt=(
                current.max_extensions_per_debt
                if max_extensions_per_debt is None
                else max_extensions_per_debt
            ),
            max_days_per_extension=(
                current.max_days_per_extension if max_days_per_extension is None else max_days_per_extension
            ),
            version=current.version,
        )
        self.store.save_settings(tenant, updated, current.version)
        return replace(updated, version=current.version + 1)


def extension_event_data(
    debt: Debt, extension: DebtExtension, history: list[DebtExtension]
) -> dict[str, object]:
    return debt_event_data(debt) | {
        "extensionId": extension.id,
        "previousDueDate": extension.previous_due_date.isoformat(),
        "originalDueDate": rules.original_due_date(debt.due_date, [*history, extension]).isoformat(),
        "extensionCount": len(history) + 1,
        "reason": extension.reason,
    }
