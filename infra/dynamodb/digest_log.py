"""`DynamoDigestLog`: the day each tenant's campaign digest was last published and the counters it
reported (`T#t` / `DIGEST`), so the next digest shows the change and a retried run publishes nothing."""

from __future__ import annotations

import json

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import PutError

from infra.dynamodb.codec import dumps
from infra.dynamodb.keys import tenant_pk
from infra.dynamodb.models import TableItem

DIGEST_SK = "DIGEST"


class DigestItem(TableItem, discriminator="DIGEST_LOG"):
    day = UnicodeAttribute()
    doc = UnicodeAttribute()


class DynamoDigestLog:
    def last(self, tenant: str) -> tuple[str, dict[str, dict[str, int]]] | None:
        try:
            item = DigestItem.get(tenant_pk(tenant), DIGEST_SK, consistent_read=True)
        except DigestItem.DoesNotExist:
            return None
        return item.day, json.loads(item.doc)

    def record(
        self, tenant: str, day: str, counters: dict[str, dict[str, int]], expected_day: str | None
    ) -> bool:
        item = DigestItem(tenant_pk(tenant), DIGEST_SK, tenant=tenant, day=day, doc=dumps(counters))
        condition = TableItem.PK.does_not_exist() if expected_day is None else DigestItem.day == expected_day
        try:
            item.save(condition=condition)
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True
