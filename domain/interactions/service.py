"""`Interactions`: log a contact attempt and its outcome, read one, list them.

A log is one transaction (the interaction, its idempotency claim and its contact-history entry), so
the contact-policy caps, `contactCheck` and the dispatcher count an agent's call exactly like an
automatic message. An outbound contact the policy did not allow at `occurredAt` is still recorded —
it happened — with the decision as proof and flagged as a violation for supervisors.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from domain.campaigns.contact_points import contact_request
from domain.entities import Debt, Debtor
from domain.errors import DomainError, ErrorCode, FieldError, NotFound
from domain.interactions.effects import OutcomeEffects
from domain.interactions.model import (
    Interaction,
    InteractionOutcome,
    PolicyVerdict,
    attempt_kind,
    policy_channel,
)
from domain.interactions.ports import (
    InteractionFilter,
    InteractionLogged,
    InteractionObserver,
    InteractionRepository,
    NoObserver,
    Replay,
)
from domain.interactions.timeline import Timeline, TimelineSource
from domain.interactions.validation import MAX_DEBTS, InteractionInput, check_outcome, check_times
from domain.policy import ContactRecord, Direction, PolicyBook
from domain.ports import Page, PageRequest
from domain.principal import Action, Principal
from domain.services import Ledger
from domain.services.base import clean_text


class ContactHistory(Protocol):
    def contact_history(self, tenant: str, debtor_id: str, since: datetime) -> list[ContactRecord]: ...


@dataclass(frozen=True)
class LogResult:
    interaction: Interaction
    replayed: bool


@dataclass
class InteractionDeps:
    ledger: Ledger
    repo: InteractionRepository
    history: ContactHistory
    policies_for: Callable[[str], PolicyBook]
    observer: InteractionObserver = field(default_factory=NoObserver)
    """The agent queue and risk score hook (the composition root wires it; nobody listens by default)."""
    sources: Sequence[TimelineSource] = ()
    """The debtor timeline's sources (infra's `default_sources()`; promises and plans append theirs)."""


class Interactions:
    def __init__(self, deps: InteractionDeps) -> None:
        self.deps = deps
        self.ledger = deps.ledger
        self.clock = deps.ledger.deps.clock
        self.effects = OutcomeEffects(deps.ledger)
        self.timeline = Timeline(deps.sources)

    # --- log -------------------------------------------------------------------------------------

    def log(self, principal: Principal, data: InteractionInput) -> LogResult:
        """Record an interaction once per idempotency key; a retry returns it with `replayed`."""
        principal.require(Action.INTERACTION_LOG)
        key = clean_text(data.idempotency_key, "idempotencyKey", required=True, max_len=200) or ""
        fingerprint = data.fingerprint()
        stored = self.deps.repo.find_by_key(principal.tenant, key)
        if stored is not None:
            return self._replay(principal, stored, fingerprint)
        debtor = self._debtor(principal, data.debtor_id)
        errors = check_times(data, self.clock.now())
        debts = self._debts(principal, debtor, data.debt_ids)
        try:
            checked = check_outcome(data, debtor, debts)
        except DomainError as err:
            raise DomainError.many(errors + err.errors) from None
        if errors:
            raise DomainError.many(errors)
        if data.outcome is InteractionOutcome.DISPUTE:
            principal.require(Action.DISPUTE_OPEN)
        interaction = Interaction(
            tenant=principal.tenant,
            id=self.ledger.deps.ids.new_id(),
            debtor_id=debtor.id,
            channel=data.channel,
            direction=data.direction,
            outcome=data.outcome,
            occurred_at=data.occurred_at.astimezone(UTC),
            recorded_at=self.clock.now(),
            logged_by=principal.sub,
            idempotency_key=key,
            debt_ids=tuple(d.id for d in checked.debts),
            note=checked.note,
            callback_at=data.callback_at.astimezone(UTC) if data.callback_at else None,
            agent_id=principal.agent_id if principal.is_agent else None,
            address=checked.address,
            kind=attempt_kind(data.channel, data.outcome),
        )
        contact = self._contact(interaction)
        if contact is not None and interaction.direction is Direction.OUTBOUND:
            interaction.verdict = self._verdict(debtor, interaction)
        raced = self.deps.repo.log(interaction, contact, fingerprint)
        if raced is not None:  # the same key committed concurrently
            return self._replay(principal, raced, fingerprint)
        interaction.version = 1
        self._follow_up(principal, interaction)
        return LogResult(interaction, False)

    def _replay(self, principal: Principal, stored: Replay, fingerprint: str) -> LogResult:
        if stored.fingerprint != fingerprint:
            raise DomainError(
                ErrorCode.IDEMPOTENCY_KEY_REUSED,
                "this idempotency key was used for a different interaction",
                "idempotencyKey",
            )
        interaction = stored.interaction
        if interaction is None:
            raise DomainError(ErrorCode.CONFLICT, "the interaction is being recorded; try again", None)
        self._debtor(principal, interaction.debtor_id)
        self._follow_up(principal, interaction)
        return LogResult(interaction, True)

    def _follow_up(self, principal: Principal, interaction: Interaction) -> None:
        interaction.effects = self.effects.apply(principal, interaction)
        self.deps.observer.interaction_logged(
            InteractionLogged(
                tenant=interaction.tenant,
                debtor_id=interaction.debtor_id,
                interaction_id=interaction.id,
                occurred_at=interaction.occurred_at,
                outcome=interaction.outcome,
                channel=interaction.channel,
                callback_at=interaction.callback_at,
                agent_id=interaction.agent_id,
            )
        )

    def _debtor(self, principal: Principal, debtor_id: str) -> Debtor:
        debtor = self.ledger.deps.repo.get_debtor(principal.tenant, debtor_id)
        if debtor is None or not principal.sees_agent(debtor.assigned_agent_id):
            raise NotFound("debtor", "debtorId")
        return debtor

    def _debts(self, principal: Principal, debtor: Debtor, debt_ids: tuple[str, ...]) -> list[Debt]:
        ids = list(dict.fromkeys(debt_ids))
        if len(ids) > MAX_DEBTS:
            raise DomainError(ErrorCode.INVALID, "at most 50 debts per interaction", "debtIds")
        found = self.ledger.deps.repo.get_debts(principal.tenant, [(debtor.id, i) for i in ids])
        debts: list[Debt] = []
        errors: list[FieldError] = []
        for n, debt_id in enumerate(ids):
            debt = found.get((debtor.id, debt_id))
            if debt is None or not principal.sees_agent(debt.assigned_agent_id):
                errors.append(NotFound("debt", f"debtIds[{n}]").errors[0])
            else:
                debts.append(debt)
        if errors:
            raise DomainError.many(errors)
        return debts

    @staticmethod
    def _contact(interaction: Interaction) -> ContactRecord | None:
        channel = policy_channel(interaction.channel)
        if channel is None:
            return None
        return ContactRecord(
            channel=channel,
            at=interaction.occurred_at,
            direction=interaction.direction,
            kind=interaction.kind,
            debt_ids=interaction.debt_ids,
            address=interaction.address,
        )

    def _verdict(self, debtor: Debtor, interaction: Interaction) -> PolicyVerdict:
        """The policy's decision had the agent asked `contactCheck` at `occurredAt`: the history before
        that instant only (a call logged late is judged by what was known when it was made)."""
        channel = policy_channel(interaction.channel)
        assert channel is not None
        at = interaction.occurred_at
        book = self.deps.policies_for(interaction.tenant)
        since = at - book.lookback(debtor.jurisdiction)
        history = [
            r for r in self.deps.history.contact_history(interaction.tenant, debtor.id, since) if r.at < at
        ]
        request = contact_request(debtor, channel, at, interaction.debt_ids)
        return PolicyVerdict.of(book.evaluate(request, history))

    # --- read ------------------------------------------------------------------------------------

    def get(self, principal: Principal, ref: str) -> Interaction | None:
        principal.require(Action.INTERACTION_READ)
        found = self.deps.repo.get(principal.tenant, ref)
        if found is None:
            return None
        debtor = self.ledger.deps.repo.get_debtor(principal.tenant, found.debtor_id)
        if debtor is None or not principal.sees_agent(debtor.assigned_agent_id):
            return None
        return found

    def list(self, principal: Principal, query: InteractionFilter, page: PageRequest) -> Page[Interaction]:
        """Supervisors and admins: any filter. Agents: a debtor assigned to them (its whole history), or
        else the interactions they logged themselves on debtors still assigned to them."""
        principal.require(Action.INTERACTION_READ)
        if query.debtor_id:
            self._debtor(principal, query.debtor_id)
            return self.deps.repo.list(principal.tenant, query, page)
        if not principal.is_agent:
            return self.deps.repo.list(principal.tenant, query, page)
        if query.agent_id not in (None, principal.agent_id) or not principal.agent_id:
            return Page([], None, False)
        mine = InteractionFilter(
            agent_id=principal.agent_id,
            channel=query.channel,
            outcome=query.outcome,
            occurred_from=query.occurred_from,
            occurred_to=query.occurred_to,
            violations=query.violations,
        )
        found = self.deps.repo.list(principal.tenant, mine, page)
        debtors = self.ledger.deps.repo.get_debtors(
            principal.tenant, list({i.debtor_id for i in found.items})
        )
        keep = [
            n
            for n, i in enumerate(found.items)
            if i.debtor_id in debtors and principal.sees_agent(debtors[i.debtor_id].assigned_agent_id)
        ]
        cursors = [found.cursors[n] for n in keep] if found.cursors else []
        return Page([found.items[n] for n in keep], found.end_cursor, found.has_next_page, cursors)
