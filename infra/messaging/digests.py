"""`SnsDigestTopics`: one SNS topic per tenant (`<prefix>-<tenant>`) that supervisors subscribe an e-mail
address or a phone to; the daily digest is published to it."""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from typing import Any

from domain.messaging import PermanentSendError, SendError
from infra.messaging.errors import classify

PROTOCOLS = ("email", "sms")
_TENANT = re.compile(r"^[A-Za-z0-9-]{1,40}$")
PENDING = "PendingConfirmation"
"""What SNS lists instead of an ARN for an e-mail subscription not yet confirmed."""


@dataclass(frozen=True)
class DigestSubscription:
    arn: str
    """The subscription ARN, or "PendingConfirmation" until the address confirms."""
    protocol: str
    endpoint: str

    @property
    def pending(self) -> bool:
        return not self.arn.startswith("arn:")


def _subject(text: str) -> str:
    """SNS subjects: no line breaks or control characters, under 100 characters."""
    plain = "".join(" " if unicodedata.category(c).startswith("C") else c for c in text)
    return " ".join(plain.split())[:99] or "Recaudo"


class SnsDigestTopics:
    """Raises SendError (classified like the senders) when SNS refuses a call."""

    def __init__(self, client: Any, prefix: str = "recaudo-digest") -> None:
        self.client, self.prefix = client, prefix
        self._arns: dict[str, str] = {}
        self._lock = threading.Lock()

    def topic_name(self, tenant: str) -> str:
        # Tenant ids are already [A-Za-z0-9-]; anything else is refused rather than rewritten, so two
        # tenants can never share a topic.
        if not _TENANT.match(tenant):
            raise PermanentSendError(f"not a tenant id: {tenant!r}", "INVALID_TENANT")
        return f"{self.prefix}-{tenant}"

    def topic_arn(self, tenant: str) -> str:
        """The tenant's topic, created on first use (CreateTopic is idempotent for the same name and tags)."""
        with self._lock:
            cached = self._arns.get(tenant)
        if cached:
            return cached
        name = self.topic_name(tenant)
        arn = str(
            self._call(self.client.create_topic, Name=name, Tags=[{"Key": "tenant", "Value": tenant}])[
                "TopicArn"
            ]
        )
        with self._lock:
            self._arns[tenant] = arn
        return arn

    def subscribe(self, tenant: str, protocol: str, endpoint: str) -> str:
        """Subscribe an address (`email`: SNS mails a confirmation link) or an E.164 phone (`sms`);
        subscribing the same endpoint again returns the same subscription."""
        if protocol not in PROTOCOLS:
            raise PermanentSendError("digests go to an e-mail address or a phone", "INVALID_PROTOCOL")
        response = self._call(
            self.client.subscribe,
            TopicArn=self.topic_arn(tenant),
            Protocol=protocol,
            Endpoint=endpoint,
            ReturnSubscriptionArn=True,
        )
        return str(response["SubscriptionArn"])

    def unsubscribe(self, arn: str, tenant: str | None = None) -> None:
        """Remove a subscription (already gone is fine). With `tenant`, an ARN of another tenant's topic
        is refused, so a caller that passes on a user's input cannot reach across tenants."""
        if tenant is not None and not arn.startswith(self.topic_arn(tenant) + ":"):
            raise PermanentSendError("not a digest subscription of this tenant", "NOT_FOUND")
        try:
            self._call(self.client.unsubscribe, SubscriptionArn=arn)
        except PermanentSendError as error:
            if error.code not in ("NotFound", "ResourceNotFound"):
                raise

    def subscriptions(self, tenant: str) -> list[DigestSubscription]:
        """Everyone subscribed to the tenant's digest, confirmed or not."""
        found: list[DigestSubscription] = []
        try:
            paginator = self.client.get_paginator("list_subscriptions_by_topic")
            for page in paginator.paginate(TopicArn=self.topic_arn(tenant)):
                for sub in page.get("Subscriptions", []):
                    found.append(
                        DigestSubscription(
                            str(sub.get("SubscriptionArn", PENDING)),
                            str(sub.get("Protocol", "")),
                            str(sub.get("Endpoint", "")),
                        )
                    )
        except SendError:
            raise
        except Exception as error:
            raise classify(error) from error
        return found

    def publish(self, tenant: str, subject: str, text: str) -> str:
        """Publish the digest (the subject is the e-mail's; SMS subscribers get the text)."""
        response = self._call(
            self.client.publish, TopicArn=self.topic_arn(tenant), Subject=_subject(subject), Message=text
        )
        return str(response["MessageId"])

    @staticmethod
    def _call(operation: Any, **kwargs: Any) -> Any:
        try:
            return operation(**kwargs)
        except Exception as error:
            raise classify(error) from error
