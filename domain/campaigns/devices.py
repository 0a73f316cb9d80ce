"""Agents' phones (push endpoints, for the notices of new call tasks) and their call tasks."""

from __future__ import annotations

from domain.campaigns.deps import EngineDeps
from domain.campaigns.model import AgentDevice, CallTask
from domain.errors import DomainError, ErrorCode, Forbidden
from domain.ports import Page, PageRequest
from domain.principal import Action, Principal

PLATFORMS = ("ANDROID", "IOS")


class AgentDevices:
    def __init__(self, deps: EngineDeps) -> None:
        self.deps = deps

    def register(
        self, principal: Principal, token: str, platform: str, agent_id: str | None = None
    ) -> AgentDevice:
        """An agent registers its own phone; a supervisor or admin may register one for an agent."""
        principal.require(Action.DEVICE_REGISTER)
        agent = principal.agent_id if principal.is_agent else (agent_id or principal.agent_id)
        if not agent:
            raise DomainError(ErrorCode.REQUIRED, "which agent's phone this is", "agentId")
        if principal.is_agent and agent_id not in (None, principal.agent_id):
            raise Forbidden("an agent registers only its own phone")
        token = (token or "").strip()
        if not token or len(token) > 4096:
            raise DomainError(ErrorCode.INVALID, "a device token is 1 to 4096 characters", "token")
        platform = (platform or "").strip().upper()
        if platform not in PLATFORMS:
            raise DomainError(ErrorCode.INVALID, f"platform is one of {', '.join(PLATFORMS)}", "platform")
        if self.deps.devices is None:
            raise DomainError(ErrorCode.INVALID_STATE, "push notifications are not configured", None)
        arn = self.deps.devices.register(token, f"{principal.tenant}/{agent}")
        device = AgentDevice(principal.tenant, agent, token, platform, arn, self.deps.clock.now())
        self.deps.messages.save_device(device)
        return device

    def devices(self, tenant: str, agent_id: str) -> list[AgentDevice]:
        """The phones an agent registered (workers only: no permission check)."""
        return self.deps.messages.devices_of_agent(tenant, agent_id)

    def tasks(self, principal: Principal, agent_id: str | None, page: PageRequest) -> Page[CallTask]:
        """Call tasks, oldest due first: an agent's own (AGENT role), or one agent's / all (managers)."""
        principal.require(Action.TASK_READ)
        if principal.is_agent:
            if agent_id not in (None, principal.agent_id):
                raise Forbidden("an agent sees only its own tasks")
            agent_id = principal.agent_id
        return self.deps.messages.list_tasks(principal.tenant, agent_id, page)
