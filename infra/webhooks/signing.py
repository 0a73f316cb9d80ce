"""Standard Webhooks signatures (https://www.standardwebhooks.com) with the `standardwebhooks` library."""

from __future__ import annotations

import base64
import math
import secrets as _secrets
from datetime import UTC, datetime

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
USER_AGENT = "Recaudo-Webhooks/1"


def _utc(timestamp: datetime) -> datetime:
    # The library does `timestamp.replace(tzinfo=utc)`, which shifts the instant of an aware non-UTC
    # datetime and silently treats a naive one as UTC: hand it a UTC datetime, and refuse naive ones.
    if timestamp.tzinfo is None or timestamp.utcoffset() is None:
        raise ValueError("webhook timestamps must be timezone-aware")
    return timestamp.astimezone(UTC)


def unix_seconds(timestamp: datetime) -> int:
    """The `webhook-timestamp` value: whole seconds since the epoch (floored, as the signature uses)."""
    return math.floor(_utc(timestamp).timestamp())


def headers(message_id: str, timestamp: datetime, signature: str) -> dict[str, str]:
    """The request headers of one delivery attempt; `signature` is `StandardWebhooksSigner.sign`'s value."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(unix_seconds(timestamp)),
        "webhook-signature": signature,
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


class StandardWebhooksSigner:
    """`domain.webhooks.Signer`: `v1,<base64 HMAC-SHA256>` per secret, space-separated."""

    headers = staticmethod(headers)

    def sign(self, secrets: list[str], message_id: str, timestamp: datetime, body: str) -> str:
        if not secrets:
            raise ValueError("at least one signing secret is needed")
        at = _utc(timestamp)
        return " ".join(Webhook(secret).sign(message_id, at, body) for secret in secrets)

    def new_secret(self) -> str:
        return SECRET_PREFIX + base64.b64encode(_secrets.token_bytes(SECRET_BYTES)).decode("ascii")
