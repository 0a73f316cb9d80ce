"""`Reminders`: every use case of the reminder engine, wired to the same `EngineDeps`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from domain.campaigns.deps import EngineDeps

if TYPE_CHECKING:
    from domain.campaigns.attribution import PaymentAttribution
    from domain.campaigns.campaigns import Campaigns
    from domain.campaigns.contact_check import ContactChecks
    from domain.campaigns.devices import AgentDevices
    from domain.campaigns.digests import Digests
    from domain.campaigns.dispatcher import Dispatcher
    from domain.campaigns.feedback import DeliveryFeedback
    from domain.campaigns.messages import MessageQueries
    from domain.campaigns.planner import Planner
    from domain.campaigns.policy_settings import PolicySettings
    from domain.campaigns.simulator import Simulator
    from domain.campaigns.templates import Templates


@dataclass
class Reminders:
    deps: EngineDeps
    campaigns: Campaigns
    templates: Templates
    contact: ContactChecks
    messages: MessageQueries
    planner: Planner
    simulator: Simulator
    dispatcher: Dispatcher
    feedback: DeliveryFeedback
    devices: AgentDevices
    digests: Digests
    attribution: PaymentAttribution
    policy_settings: PolicySettings

    @classmethod
    def build(cls, deps: EngineDeps) -> Reminders:
        from domain.campaigns.attribution import PaymentAttribution
        from domain.campaigns.campaigns import Campaigns
        from domain.campaigns.contact_check import ContactChecks
        from domain.campaigns.devices import AgentDevices
        from domain.campaigns.digests import Digests
        from domain.campaigns.dispatcher import Dispatcher
        from domain.campaigns.feedback import DeliveryFeedback
        from domain.campaigns.messages import MessageQueries
        from domain.campaigns.planner import Planner
        from domain.campaigns.policy_settings import PolicySettings
        from domain.campaigns.simulator import Simulator
        from domain.campaigns.templates import Templates

        return cls(
            deps=deps,
            campaigns=Campaigns(deps),
            templates=Templates(deps),
            contact=ContactChecks(deps),
            messages=MessageQueries(deps),
            planner=Planner(deps),
            simulator=Simulator(deps),
            dispatcher=Dispatcher(deps),
            feedback=DeliveryFeedback(deps),
            devices=AgentDevices(deps),
            digests=Digests(deps, deps.digest_topics, deps.digest_log),
            attribution=PaymentAttribution(deps),
            policy_settings=PolicySettings(deps.policy_settings, deps.policy_books(), deps.clock),
        )
