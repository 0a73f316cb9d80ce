"""`DynamoCampaignRepository`: campaigns and templates in the tenant's root partition.

| item | PK | SK |
|---|---|---|
| campaign | `T#t` | `CMP#<id>` |
| template | `T#t` | `TPL#<id>` |

A tenant has tens of campaigns and templates, read whole: one Query per list, BatchGetItem for the
templates of a campaign. Each item is one JSON document plus `version` (conditional puts).
"""

from __future__ import annotations

import json

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import PutError

from domain.campaigns.model import Campaign, CampaignStatus, MessageTemplate
from domain.errors import ConcurrencyConflict
from domain.templates import TemplateChannel
from infra.dynamodb.campaign_codec import (
    campaign_from_json,
    campaign_to_json,
    template_from_json,
    template_to_json,
)
from infra.dynamodb.codec import dumps
from infra.dynamodb.keys import tenant_pk
from infra.dynamodb.models import TableItem

CAMPAIGN_PREFIX = "CMP#"
TEMPLATE_PREFIX = "TPL#"


class CampaignItem(TableItem, discriminator="CAMPAIGN"):
    doc = UnicodeAttribute()


class TemplateItem(TableItem, discriminator="TEMPLATE"):
    doc = UnicodeAttribute()


def conditional_save(item: TableItem, expected: int) -> None:
    """Put `item` if the stored version is still `expected` (0: the item must not exist)."""
    condition = TableItem.PK.does_not_exist() if expected == 0 else TableItem.version == expected
    item.version = expected + 1
    try:
        item.save(condition=condition)
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise ConcurrencyConflict(f"{item.PK}/{item.SK}") from None
        raise


def _version(item: TableItem) -> int:
    return int(item.version or 0)


class DynamoCampaignRepository:
    def get_campaign(self, tenant: str, campaign_id: str) -> Campaign | None:
        try:
            item = CampaignItem.get(
                tenant_pk(tenant), f"{CAMPAIGN_PREFIX}{campaign_id}", consistent_read=True
            )
        except CampaignItem.DoesNotExist:
            return None
        return campaign_from_json(tenant, json.loads(item.doc), _version(item))

    def list_campaigns(self, tenant: str, status: CampaignStatus | None = None) -> list[Campaign]:
        items = CampaignItem.query(tenant_pk(tenant), TableItem.SK.startswith(CAMPAIGN_PREFIX))
        campaigns = [campaign_from_json(tenant, json.loads(i.doc), _version(i)) for i in items]
        return [c for c in campaigns if status is None or c.status is status]

    def save_campaign(self, campaign: Campaign, expected_version: int) -> None:
        item = CampaignItem(
            tenant_pk(campaign.tenant),
            f"{CAMPAIGN_PREFIX}{campaign.id}",
            tenant=campaign.tenant,
            doc=dumps(campaign_to_json(campaign)),
        )
        conditional_save(item, expected_version)
        campaign.version = expected_version + 1

    def get_template(self, tenant: str, template_id: str) -> MessageTemplate | None:
        return self.get_templates(tenant, [template_id]).get(template_id)

    def get_templates(self, tenant: str, ids: list[str]) -> dict[str, MessageTemplate]:
        keys = [(tenant_pk(tenant), f"{TEMPLATE_PREFIX}{i}") for i in dict.fromkeys(ids)]
        found: dict[str, MessageTemplate] = {}
        for start in range(0, len(keys), 100):
            for item in TemplateItem.batch_get(keys[start : start + 100]):
                template = template_from_json(tenant, json.loads(item.doc), _version(item))
                found[template.id] = template
        return found

    def list_templates(self, tenant: str, channel: TemplateChannel | None = None) -> list[MessageTemplate]:
        items = TemplateItem.query(tenant_pk(tenant), TableItem.SK.startswith(TEMPLATE_PREFIX))
        templates = [template_from_json(tenant, json.loads(i.doc), _version(i)) for i in items]
        return [t for t in templates if channel is None or t.channel is channel]

    def save_template(self, template: MessageTemplate, expected_version: int) -> None:
        item = TemplateItem(
            tenant_pk(template.tenant),
            f"{TEMPLATE_PREFIX}{template.id}",
            tenant=template.tenant,
            doc=dumps(template_to_json(template)),
        )
        conditional_save(item, expected_version)
        template.version = expected_version + 1
