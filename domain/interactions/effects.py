"""What a logged outcome changes elsewhere, through the ledger's own use cases.

Effects run after the interaction is stored and again whenever a retry replays it, and each one
converges (it writes only what is not yet so): a crash between the log and its effects is healed by the
phone's retry, and a retry of a complete log writes nothing.
"""

from __future__ import annotations

from domain.entities import ContactKind, ContactStatus, DebtState
from domain.errors import DomainError, ErrorCode
from domain.interactions.model import Interaction, InteractionOutcome
from domain.ports import Transaction
from domain.principal import Principal
from domain.services import Ledger
from domain.services.base import UseCase
from domain.snapshot import snapshot

_PHONE_KINDS = (ContactKind.PHONE, ContactKind.WHATSAPP)


class OutcomeEffects(UseCase):
    def __init__(self, ledger: Ledger) -> None:
        super().__init__(ledger.deps)
        self.ledger = ledger

    def apply(self, principal: Principal, interaction: Interaction) -> list[str]:
        """WRONG_NUMBER: the number is marked INVALID on the debtor (reminders and contactCheck stop
        using it). DISPUTE: a dispute is opened on each named debt still OPEN (the ledger's
        `debtDisputeOpen`, with the note as its reason). Other outcomes change nothing here: PROMISE is
        recorded and the promise itself is made with `promiseCreate`; CALLBACK reaches the agent queue
        through the `InteractionObserver`."""
        done: list[str] = []
        if interaction.outcome is InteractionOutcome.WRONG_NUMBER and interaction.address:
            address = interaction.address
            if self.retrying(lambda: self._invalidate(principal, interaction.debtor_id, address)):
                done.append(f"phone-invalid:{address}")
        if interaction.outcome is InteractionOutcome.DISPUTE:
            for debt_id in interaction.debt_ids:
                if self._dispute(principal, interaction, debt_id):
                    done.append(f"dispute:{debt_id}")
        return done

    def _invalidate(self, principal: Principal, debtor_id: str, address: str) -> bool:
        debtor = self.repo.get_debtor(principal.tenant, debtor_id)
        if debtor is None:
            return False
        hits = [
            c
            for c in debtor.contacts
            if c.kind in _PHONE_KINDS and c.value == address and c.status is ContactStatus.VALID
        ]
        if not hits:
            return False
        before = snapshot(debtor)
        for contact in hits:
            contact.status = ContactStatus.INVALID
        debtor.updated_at = self.now()
        tx = Transaction()
        tx.save(debtor)
        self.audit(tx, principal, "Debtor", debtor.id, "interactionLog", before, snapshot(debtor))
        self.repo.commit(principal.tenant, tx)
        return True

    def _dispute(self, principal: Principal, interaction: Interaction, debt_id: str) -> bool:
        debt = self.repo.get_debt(principal.tenant, interaction.debtor_id, debt_id)
        if debt is None or debt.state is not DebtState.OPEN:
            return False
        try:
            self.ledger.debts.dispute_open(
                principal, interaction.debtor_id, debt_id, interaction.note or "disputed in a contact"
            )
        except DomainError as err:
            if err.code is ErrorCode.INVALID_STATE:  # disputed, paid or written off meanwhile
                return False
            raise
        return True
