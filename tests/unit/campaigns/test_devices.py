"""Agents' phones and call tasks: an agent registers its own phone and sees only its own tasks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.campaigns.model import CallTask
from domain.errors import DomainError, Forbidden
from domain.ports import PageRequest
from domain.principal import Principal, Role
from tests.unit.campaigns.dispatch_fakes import AT_10_LIMA, Scenario

AGENT = Principal("luis", "acme", Role.AGENT, agent_id="ag-1")
OTHER_AGENT = Principal("eva", "acme", Role.AGENT, agent_id="ag-2")
SUPERVISOR = Principal("sara", "acme", Role.SUPERVISOR)
PARTNER = Principal("bank", "acme", Role.PARTNER)


@pytest.fixture
def world() -> Scenario:
    return Scenario()


def task(world: Scenario, task_id: str, agent: str | None, hours: int = 0) -> CallTask:
    t = CallTask("acme", task_id, "dr-1", ["dt-1"], agent, "cmp-1", "s0", AT_10_LIMA + timedelta(hours=hours))
    world.messages.save_task(t)
    return t


def test_an_agent_registers_its_own_phone(world: Scenario) -> None:
    device = world.reminders.devices.register(AGENT, " fcm-token-1 ", "android")
    assert (device.agent_id, device.platform, device.created_at) == ("ag-1", "ANDROID", AT_10_LIMA)
    assert device.endpoint_arn.startswith("arn:aws:sns")
    assert world.registry.registered == [("fcm-token-1", "acme/ag-1")]
    assert [d.token for d in world.reminders.devices.devices("acme", "ag-1")] == ["fcm-token-1"]


def test_an_agent_cannot_register_a_phone_for_another_agent(world: Scenario) -> None:
    with pytest.raises(Forbidden):
        world.reminders.devices.register(AGENT, "tok", "IOS", agent_id="ag-2")
    assert world.registry.registered == []


def test_a_supervisor_registers_for_an_agent_and_a_partner_cannot(world: Scenario) -> None:
    assert world.reminders.devices.register(SUPERVISOR, "tok", "IOS", agent_id="ag-2").agent_id == "ag-2"
    with pytest.raises(DomainError) as missing:
        world.reminders.devices.register(SUPERVISOR, "tok", "IOS")
    assert missing.value.errors[0].field == "agentId"
    with pytest.raises(Forbidden):
        world.reminders.devices.register(PARTNER, "tok", "IOS", agent_id="ag-2")


@pytest.mark.parametrize(
    ("token", "platform", "field"), [("", "IOS", "token"), ("t", "BLACKBERRY", "platform")]
)
def test_registration_input_is_checked(world: Scenario, token: str, platform: str, field: str) -> None:
    with pytest.raises(DomainError) as invalid:
        world.reminders.devices.register(AGENT, token, platform)
    assert invalid.value.errors[0].field == field


def test_a_phone_handed_to_another_agent_leaves_the_first_agents_list(world: Scenario) -> None:
    world.reminders.devices.register(AGENT, "shared-phone", "ANDROID")
    world.reminders.devices.register(OTHER_AGENT, "shared-phone", "ANDROID")
    assert world.reminders.devices.devices("acme", "ag-1") == []
    assert [d.agent_id for d in world.reminders.devices.devices("acme", "ag-2")] == ["ag-2"]


def test_without_push_configured_registration_is_an_error(world: Scenario) -> None:
    world.deps.devices = None
    with pytest.raises(DomainError):
        world.reminders.devices.register(AGENT, "tok", "IOS")


def test_agents_see_only_their_tasks_and_managers_choose(world: Scenario) -> None:
    task(world, "t-2", "ag-1", hours=2)
    task(world, "t-1", "ag-1", hours=1)
    task(world, "t-3", "ag-2")
    task(world, "t-4", None)
    page = PageRequest(first=10)
    assert [t.id for t in world.reminders.devices.tasks(AGENT, None, page).items] == ["t-1", "t-2"]
    assert [t.id for t in world.reminders.devices.tasks(AGENT, "ag-1", page).items] == ["t-1", "t-2"]
    with pytest.raises(Forbidden):
        world.reminders.devices.tasks(AGENT, "ag-2", page)
    assert [t.id for t in world.reminders.devices.tasks(SUPERVISOR, "ag-2", page).items] == ["t-3"]
    assert len(world.reminders.devices.tasks(SUPERVISOR, None, page).items) == 4
    with pytest.raises(Forbidden):
        world.reminders.devices.tasks(PARTNER, None, page)
