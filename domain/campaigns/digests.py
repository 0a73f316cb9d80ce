"""Daily campaign digests for supervisors: an e-mail or SMS subscription to the tenant's digest topic."""

from __future__ import annotations

from typing import Protocol

from domain.campaigns.deps import EngineDeps
from domain.campaigns.model import CampaignStatus
from domain.contacts import normalize_email, normalize_phone
from domain.errors import DomainError, ErrorCode
from domain.principal import Action, Principal


class DigestTopics(Protocol):
    def subscribe(self, tenant: str, protocol: str, endpoint: str) -> str: ...

    def publish(self, tenant: str, subject: str, text: str) -> str: ...


class Digests:
    def __init__(self, deps: EngineDeps, topics: DigestTopics | None) -> None:
        self.deps, self.topics = deps, topics

    def subscribe(self, principal: Principal, protocol: str, endpoint: str) -> str:
        """An ADMIN or SUPERVISOR subscribes an e-mail (SNS asks it to confirm) or a phone (E.164)."""
        principal.require(Action.CAMPAIGN_MANAGE)
        if self.topics is None:
            raise DomainError(ErrorCode.INVALID_STATE, "digests are not configured on this server", None)
        tenant = self.deps.ledger.get_tenant(principal.tenant)
        if protocol == "EMAIL":
            address = normalize_email(endpoint, "endpoint")
        elif protocol == "SMS":
            address = normalize_phone(endpoint, tenant.country if tenant else "", "endpoint")
        else:
            raise DomainError(ErrorCode.INVALID, "protocol is EMAIL or SMS", "protocol")
        return self.topics.subscribe(principal.tenant, protocol.lower(), address)

    def text(self, tenant: str) -> str | None:
        """Each active or paused campaign's counters, one line each; None without campaigns."""
        lines = []
        for c in self.deps.campaigns.list_campaigns(tenant):
            if c.status not in (CampaignStatus.ACTIVE, CampaignStatus.PAUSED):
                continue
            s = self.deps.messages.get_stats(tenant, c.id)
            blocked = ", ".join(f"{rule} {n}" for rule, n in sorted(s.blocked_by_rule.items())) or "none"
            lines.append(
                f"{c.name} ({c.status.value}): planned {s.planned}, sent {s.sent}, delivered {s.delivered}, "
                f"failed {s.failed}, skipped {s.skipped}, blocked {s.blocked} ({blocked})"
            )
        return "\n".join(lines) if lines else None

    def send_daily(self) -> int:
        """Publish every tenant's digest (workers only); returns how many were published."""
        if self.topics is None:
            return 0
        sent = 0
        day = self.deps.clock.now().date().isoformat()
        for tenant in self.deps.ledger.list_tenants():
            text = self.text(tenant)
            if text:
                self.topics.publish(tenant, f"Recaudo: campaigns on {day}", text)
                sent += 1
        return sent
