"""`SnsDigestTopics`: one SNS topic per tenant that supervisors subscribe an e-mail or phone to."""

from __future__ import annotations

import re
from typing import Any

from domain.messaging import PermanentSendError
from infra.messaging.errors import classify

_NAME = re.compile(r"[^A-Za-z0-9_-]")


class SnsDigestTopics:
    def __init__(self, client: Any, prefix: str = "recaudo-digest") -> None:
        self.client, self.prefix = client, prefix

    def topic_arn(self, tenant: str) -> str:
        """The tenant's topic (CreateTopic is idempotent: the same name gives the same ARN)."""
        name = _NAME.sub("-", f"{self.prefix}-{tenant}")[:256]
        return str(self.client.create_topic(Name=name, Tags=[{"Key": "tenant", "Value": tenant}])["TopicArn"])

    def subscribe(self, tenant: str, protocol: str, endpoint: str) -> str:
        if protocol not in ("email", "sms"):
            raise PermanentSendError("digests go to an e-mail address or a phone", "INVALID_PROTOCOL")
        try:
            response = self.client.subscribe(
                TopicArn=self.topic_arn(tenant),
                Protocol=protocol,
                Endpoint=endpoint,
                ReturnSubscriptionArn=True,
            )
        except Exception as error:
            raise classify(error) from error
        return str(response["SubscriptionArn"])

    def publish(self, tenant: str, subject: str, text: str) -> str:
        try:
            response = self.client.publish(
                TopicArn=self.topic_arn(tenant), Subject=subject[:100], Message=text
            )
        except Exception as error:
            raise classify(error) from error
        return str(response["MessageId"])
