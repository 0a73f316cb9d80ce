"""Extending a debt through the use case: history and replay, the cadence re-anchored (or kept paused),
agents limited to their debtors, and the cap holding when two extensions race."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.entities import DebtState
from domain.errors import DomainError, ErrorCode
from domain.principal import Principal, Role
from domain.terms.extensions import DebtExtensions
from domain.terms.model import DebtExtension, ExtensionSettings
from tests.terms_fakes import InMemoryTermsRepository
from tests.unit.terms.conftest import World


def test_an_extension_keeps_the_history_and_re_anchors_the_cadence(world: World, agent: Principal) -> None:
    debt = world.debts[0]
    result = world.terms.extensions.extend(agent, world.debtor.id, debt.id, date(2026, 4, 10), " job loss ")
    stored = world.debt(0)
    assert stored.due_date == date(2026, 4, 10) and stored.state is DebtState.OPEN
    assert stored.next_action is not None
    assert (stored.next_action.at, stored.next_action.campaign_id) == (world.clock.now(), "")
    assert (stored.next_action.occurrence, stored.next_action.time_zone) == (
        date(2026, 4, 10),
        "America/Lima",
    )
    assert result.extension.reason == "job loss" and result.extension.days == 31
    replay = world.terms.extensions.extend(agent, world.debtor.id, debt.id, date(2026, 4, 10), "job loss")
    assert replay.replayed and replay.extension.id == result.extension.id
    assert [e.type for e in world.repo.events][-2:] == ["DebtUpdated", "DebtExtended"]
    assert world.repo.events[-1].data["originalDueDate"] == "2026-03-10"


def test_a_paused_debt_stays_paused_until_its_promise_deadline(world: World, admin: Principal) -> None:
    debt = world.debt(0)
    until = datetime(2026, 3, 22, 5, 0, tzinfo=UTC)
    debt.paused_until = until
    world.repo._items["acme"][("DEBT", debt.debtor_id, debt.id)] = debt
    world.terms.extensions.extend(admin, world.debtor.id, debt.id, date(2026, 4, 10), "r")
    action = world.debt(0).next_action
    assert action is not None and action.at == until and action.occurrence == date(2026, 4, 10)


def test_an_agent_cannot_extend_another_agents_debtor(world: World) -> None:
    other = Principal(sub="u-2", tenant="acme", role=Role.AGENT, agent_id="ag-2")
    with pytest.raises(DomainError) as err:
        world.terms.extensions.extend(other, world.debtor.id, world.debts[0].id, date(2026, 4, 10), "r")
    assert (err.value.code, err.value.errors[0].field) == (ErrorCode.NOT_FOUND, "debtId")
    assert world.debt(0).due_date == date(2026, 3, 10)


def test_two_racing_extensions_cannot_both_pass_the_cap(world: World, admin: Principal) -> None:
    world.terms.extensions.extend(admin, world.debtor.id, world.debts[0].id, date(2026, 3, 20), "one")

    class BlindOnce(InMemoryTermsRepository):
        """A racing request that read the debt and the history before the first extension committed."""

        hide = True

        def extensions_of_debtor(
            self, tenant: str, debtor_id: str, consistent: bool = False
        ) -> list[DebtExtension]:
            found = super().extensions_of_debtor(tenant, debtor_id, consistent)
            if self.hide:
                self.hide = False
                return []
            return found

    store = BlindOnce(world.repo)
    store._settings["acme"] = ExtensionSettings(max_extensions_per_debt=1)
    racing = DebtExtensions(world.ledger.deps, store)
    stale_debt = world.debt(0)
    stale_debt.version -= 1  # as read before the first commit
    real_get = world.repo.get_debt
    calls = iter([stale_debt])
    world.repo.get_debt = lambda t, dr, dt: next(calls, None) or real_get(t, dr, dt)  # type: ignore[method-assign]
    with pytest.raises(DomainError) as err:
        racing.extend(admin, world.debtor.id, world.debts[0].id, date(2026, 3, 30), "two")
    assert err.value.code is ErrorCode.EXTENSION_LIMIT_REACHED
    assert world.debt(0).due_date == date(2026, 3, 20)
