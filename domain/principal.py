"""Who is calling, and what each role may do (the permission matrix in the README comes from here)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.errors import Forbidden


class Role(StrEnum):
    ADMIN = "ADMIN"
    SUPERVISOR = "SUPERVISOR"
    AGENT = "AGENT"
    PARTNER = "PARTNER"


class Action(StrEnum):
    TENANT_READ = "tenant:read"
    TENANT_UPDATE = "tenant:update"
    PORTFOLIO_READ = "portfolio:read"
    PORTFOLIO_WRITE = "portfolio:write"
    DEBTOR_READ = "debtor:read"
    DEBTOR_CREATE = "debtor:create"
    DEBTOR_UPDATE = "debtor:update"
    DEBT_READ = "debt:read"
    DEBT_WRITE = "debt:write"
    DEBT_IMPORT = "debt:import"
    PAYMENT_READ = "payment:read"
    PAYMENT_RECORD = "payment:record"
    PAYMENT_REVERSE = "payment:reverse"
    DEBT_ADJUST = "debt:adjust"
    DISPUTE_OPEN = "dispute:open"
    DISPUTE_RESOLVE = "dispute:resolve"
    DEBT_WRITE_OFF = "debt:write-off"
    AUDIT_READ = "audit:read"
    WEBHOOK_MANAGE = "webhook:manage"
    CAMPAIGN_READ = "campaign:read"
    CAMPAIGN_MANAGE = "campaign:manage"
    MESSAGE_READ = "message:read"
    CONTACT_CHECK = "contact:check"
    DEBTOR_OPT_OUT = "debtor:opt-out"
    DEVICE_REGISTER = "device:register"
    TASK_READ = "task:read"
    POLICY_MANAGE = "policy:manage"
    REPORT_EXPORT = "report:export"
    INTERACTION_LOG = "interaction:log"
    INTERACTION_READ = "interaction:read"
    PROMISE_READ = "promise:read"
    PROMISE_CREATE = "promise:create"
    PROMISE_CANCEL = "promise:cancel"
    PROMISE_SETTINGS = "promise:settings"
    DASHBOARD_READ = "dashboard:read"
    AGENT_READ = "agent:read"
    AGENT_MANAGE = "agent:manage"
    ASSIGNMENT_SET = "assignment:set"
    QUEUE_READ = "queue:read"
    PLAN_READ = "plan:read"
    PLAN_CREATE = "plan:create"
    PLAN_CANCEL = "plan:cancel"
    PLAN_SETTINGS = "plan:settings"
    DEBT_EXTEND = "debt:extend"
    DISCOUNT_OFFER = "discount:offer"
    TERMS_SETTINGS = "terms:settings"


_A, _S, _G, _P = Role.ADMIN, Role.SUPERVISOR, Role.AGENT, Role.PARTNER

PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.TENANT_READ: frozenset({_A, _S, _G}),
    Action.TENANT_UPDATE: frozenset({_A}),
    Action.PORTFOLIO_READ: frozenset({_A, _S, _G}),
    Action.PORTFOLIO_WRITE: frozenset({_A, _S}),
    Action.DEBTOR_READ: frozenset({_A, _S, _G}),
    Action.DEBTOR_CREATE: frozenset({_A, _S}),
    Action.DEBTOR_UPDATE: frozenset({_A, _S, _G}),
    Action.DEBT_READ: frozenset({_A, _S, _G}),
    Action.DEBT_WRITE: frozenset({_A, _S}),
    Action.DEBT_IMPORT: frozenset({_A, _S}),
    Action.PAYMENT_READ: frozenset({_A, _S, _G, _P}),
    Action.PAYMENT_RECORD: frozenset({_A, _S, _G}),
    Action.PAYMENT_REVERSE: frozenset({_A, _S}),
    Action.DEBT_ADJUST: frozenset({_A, _S}),
    Action.DISPUTE_OPEN: frozenset({_A, _S, _G}),
    Action.DISPUTE_RESOLVE: frozenset({_A, _S}),
    Action.DEBT_WRITE_OFF: frozenset({_A}),
    Action.AUDIT_READ: frozenset({_A, _S}),
    Action.WEBHOOK_MANAGE: frozenset({_A, _P}),
    Action.CAMPAIGN_READ: frozenset({_A, _S}),
    Action.CAMPAIGN_MANAGE: frozenset({_A, _S}),
    Action.MESSAGE_READ: frozenset({_A, _S, _G}),
    Action.CONTACT_CHECK: frozenset({_A, _S, _G}),
    Action.DEBTOR_OPT_OUT: frozenset({_A, _S, _G}),
    Action.DEVICE_REGISTER: frozenset({_A, _S, _G}),
    Action.TASK_READ: frozenset({_A, _S, _G}),
    Action.POLICY_MANAGE: frozenset({_A}),
    # Agents export only their own debts (AGING, DEBTS); see domain/reports/exports.py.
    Action.REPORT_EXPORT: frozenset({_A, _S, _G}),
    Action.INTERACTION_LOG: frozenset({_A, _S, _G}),
    Action.INTERACTION_READ: frozenset({_A, _S, _G}),
    Action.PROMISE_READ: frozenset({_A, _S, _G}),
    Action.PROMISE_CREATE: frozenset({_A, _S, _G}),
    Action.PROMISE_CANCEL: frozenset({_A, _S, _G}),
    Action.PROMISE_SETTINGS: frozenset({_A}),
    Action.DASHBOARD_READ: frozenset({_A, _S}),
    Action.AGENT_READ: frozenset({_A, _S}),
    Action.AGENT_MANAGE: frozenset({_A, _S}),
    Action.ASSIGNMENT_SET: frozenset({_A, _S}),
    Action.QUEUE_READ: frozenset({_A, _S, _G}),
    # Agents: payment plans of their own debtors only (domain/plans/base.py).
    Action.PLAN_READ: frozenset({_A, _S, _G}),
    Action.PLAN_CREATE: frozenset({_A, _S, _G}),
    Action.PLAN_CANCEL: frozenset({_A, _S, _G}),
    Action.PLAN_SETTINGS: frozenset({_A}),
    # Agents extend only their own debtors' debts (domain/terms/extensions.py).
    Action.DEBT_EXTEND: frozenset({_A, _S, _G}),
    Action.DISCOUNT_OFFER: frozenset({_A, _S}),
    Action.TERMS_SETTINGS: frozenset({_A}),
}
"""Role → allowed actions. An AGENT is further limited to the debtors and debts assigned to it."""


@dataclass(frozen=True)
class Principal:
    sub: str
    tenant: str
    role: Role
    agent_id: str | None = None

    @property
    def is_agent(self) -> bool:
        return self.role is Role.AGENT

    def can(self, action: Action) -> bool:
        return self.role in PERMISSIONS[action]

    def require(self, action: Action) -> None:
        if not self.can(action):
            raise Forbidden(f"role {self.role} may not {action}")

    def sees_agent(self, assigned_agent_id: str | None) -> bool:
        """Whether this principal's scope covers a record assigned to `assigned_agent_id`."""
        if not self.is_agent:
            return True
        return self.agent_id is not None and assigned_agent_id == self.agent_id
