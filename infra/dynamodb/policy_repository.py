"""`DynamoPolicySettingRepository`: a tenant's tightening of the contact policies, one item per
jurisdiction in the tenant's root partition (`T#t` / `POLICY#<jurisdiction or *>`), read whole with one
Query; conditional on `version` like campaigns and templates."""

from __future__ import annotations

import json
from datetime import datetime

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import DeleteError

from domain.campaigns.policy_settings import PolicySetting
from domain.errors import ConcurrencyConflict
from infra.dynamodb.campaign_repository import conditional_save
from infra.dynamodb.codec import dumps
from infra.dynamodb.keys import tenant_pk
from infra.dynamodb.models import TableItem

POLICY_PREFIX = "POLICY#"


class PolicySettingItem(TableItem, discriminator="POLICY_SETTING"):
    doc = UnicodeAttribute()


class DynamoPolicySettingRepository:
    def list_settings(self, tenant: str) -> list[PolicySetting]:
        items = PolicySettingItem.query(
            tenant_pk(tenant), TableItem.SK.startswith(POLICY_PREFIX), consistent_read=True
        )
        return [_setting(tenant, item) for item in items]

    def save_setting(self, setting: PolicySetting, expected_version: int) -> None:
        doc = {
            "jurisdiction": setting.jurisdiction,
            "data": setting.data,
            "updatedAt": setting.updated_at.isoformat(),
            "updatedBy": setting.updated_by,
        }
        item = PolicySettingItem(
            tenant_pk(setting.tenant),
            f"{POLICY_PREFIX}{setting.jurisdiction}",
            tenant=setting.tenant,
            doc=dumps(doc),
        )
        conditional_save(item, expected_version)

    def delete_setting(self, tenant: str, jurisdiction: str, expected_version: int) -> None:
        item = PolicySettingItem(tenant_pk(tenant), f"{POLICY_PREFIX}{jurisdiction}", tenant=tenant)
        try:
            item.delete(condition=TableItem.version == expected_version)
        except DeleteError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise ConcurrencyConflict(f"{item.PK}/{item.SK}") from None
            raise


def _setting(tenant: str, item: PolicySettingItem) -> PolicySetting:
    doc = json.loads(item.doc)
    return PolicySetting(
        tenant=tenant,
        jurisdiction=doc["jurisdiction"],
        data=doc["data"],
        version=int(item.version or 0),
        updated_at=datetime.fromisoformat(doc["updatedAt"]),
        updated_by=doc["updatedBy"],
    )
