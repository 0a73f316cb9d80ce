"""An agent's logged call counts for the reminder dispatcher exactly like a sent reminder: the same
contact history, the same caps (Colombia, Ley 2300: one contact a day)."""

from __future__ import annotations

from datetime import timedelta

from domain.interactions.model import InteractionChannel, InteractionOutcome
from domain.interactions.service import InteractionDeps, Interactions
from domain.interactions.validation import InteractionInput
from domain.principal import Principal, Role
from domain.services import Deps, Ledger
from domain.templates import TemplateChannel
from tests.unit.campaigns.dispatch_fakes import AT_10_LIMA, Scenario, step
from tests.unit.interactions.fakes import InMemoryInteractionRepository

AGENT = Principal("carla", "acme", Role.AGENT, "ag-1")


def _colombian(world: Scenario) -> Interactions:
    def move(debtor: object) -> None:
        debtor.jurisdiction, debtor.time_zone = "CO", "America/Bogota"  # type: ignore[attr-defined]
        debtor.assigned_agent_id = "ag-1"  # type: ignore[attr-defined]

    world.update_debtor(move)
    ledger = Ledger.build(Deps(world.ledger, world.clock, world.deps.ids))
    repo = InMemoryInteractionRepository(world.messages)
    return Interactions(InteractionDeps(ledger, repo, world.messages, world.deps.policies_for))


def test_a_logged_call_defers_todays_reminder_in_colombia() -> None:
    world = Scenario()
    interactions = _colombian(world)
    world.campaign(step(TemplateChannel.SMS))
    call = InteractionInput(
        "dr-1", InteractionChannel.CALL, InteractionOutcome.NO_ANSWER, AT_10_LIMA - timedelta(hours=1), "k-1"
    )
    assert not interactions.log(AGENT, call).interaction.violation
    result = world.reminders.dispatcher.handle(world.job())
    assert result.status != "SENT" and world.sms.sent == []
    [message] = world.messages.all()
    assert message.decision is not None and "CO-2300-one-per-day" in message.decision.rule_ids


def test_without_the_call_the_reminder_goes() -> None:
    world = Scenario()
    _colombian(world)
    world.campaign(step(TemplateChannel.SMS))
    assert world.reminders.dispatcher.handle(world.job()).status == "SENT"
