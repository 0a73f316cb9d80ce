"""`CachedCampaignRepository`: campaigns and templates kept for a minute in a worker's memory.

A dispatcher handles thousands of jobs of a handful of campaigns; reading the same campaign and
template for each is most of its DynamoDB traffic. A warm Lambda keeps them 60 seconds, so pausing a
campaign or editing a template reaches every worker within a minute (the planner, which decides what
is due, reads them fresh each cycle). Writes through this instance drop what it cached.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from domain.campaigns.model import Campaign, CampaignStatus, MessageTemplate
from domain.campaigns.ports import CampaignRepository
from domain.templates import TemplateChannel

T = TypeVar("T")
TTL_SECONDS = 60.0


class CachedCampaignRepository:
    def __init__(self, inner: CampaignRepository, ttl: float = TTL_SECONDS) -> None:
        self.inner, self.ttl = inner, ttl
        self._cache: dict[tuple[str, ...], tuple[float, object]] = {}

    def _get(self, key: tuple[str, ...], load: Callable[[], T]) -> T:
        now = time.monotonic()  # a cache's age, not business time
        hit = self._cache.get(key)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]  # type: ignore[return-value]
        value = load()
        self._cache[key] = (now, value)
        return value

    def _drop(self, tenant: str) -> None:
        self._cache = {k: v for k, v in self._cache.items() if k[1] != tenant}

    def get_campaign(self, tenant: str, campaign_id: str) -> Campaign | None:
        return self._get(
            ("campaign", tenant, campaign_id), lambda: self.inner.get_campaign(tenant, campaign_id)
        )

    def list_campaigns(self, tenant: str, status: CampaignStatus | None = None) -> list[Campaign]:
        return self.inner.list_campaigns(tenant, status)

    def save_campaign(self, campaign: Campaign, expected_version: int) -> None:
        self._drop(campaign.tenant)
        self.inner.save_campaign(campaign, expected_version)

    def get_template(self, tenant: str, template_id: str) -> MessageTemplate | None:
        return self._get(
            ("template", tenant, template_id), lambda: self.inner.get_template(tenant, template_id)
        )

    def get_templates(self, tenant: str, ids: list[str]) -> dict[str, MessageTemplate]:
        return self.inner.get_templates(tenant, ids)

    def list_templates(self, tenant: str, channel: TemplateChannel | None = None) -> list[MessageTemplate]:
        return self.inner.list_templates(tenant, channel)

    def save_template(self, template: MessageTemplate, expected_version: int) -> None:
        self._drop(template.tenant)
        self.inner.save_template(template, expected_version)
