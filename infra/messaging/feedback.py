"""Provider notifications (delivered through SNS) → the domain's `Feedback`.

Understands SES notifications in both shapes — the classic `notificationType` (Bounce, Complaint,
Delivery) and configuration-set event publishing `eventType` (Bounce, Complaint, Delivery, Reject) —
and SNS two-way SMS inbound messages. Anything else is logged and ignored: raising would make SNS
retry a message that can never be understood.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from domain.messaging import Feedback, FeedbackKind, SendChannel

log = logging.getLogger("recaudo.feedback")


def _tags(mail: dict[str, Any]) -> tuple[str | None, str | None]:
    tags = mail.get("tags") or {}
    ref = (tags.get("recaudo-ref") or [None])[0]
    tenant = (tags.get("recaudo-tenant") or [None])[0]
    return ref, tenant


def _ses(body: dict[str, Any]) -> list[Feedback]:
    kind = body.get("notificationType") or body.get("eventType")
    mail = body.get("mail") or {}
    ref, tenant = _tags(mail)
    provider_id = mail.get("messageId")
    at = mail.get("timestamp", "")

    def one(k: FeedbackKind, address: str, detail: str = "") -> Feedback:
        return Feedback(k, SendChannel.EMAIL, address, at, provider_id, ref, tenant, detail)

    if kind == "Bounce":
        bounce = body.get("bounce") or {}
        k = FeedbackKind.BOUNCED if bounce.get("bounceType") == "Permanent" else FeedbackKind.SOFT_BOUNCED
        return [
            one(k, r.get("emailAddress", ""), r.get("diagnosticCode", ""))
            for r in bounce.get("bouncedRecipients", [])
        ]
    if kind == "Complaint":
        complaint = body.get("complaint") or {}
        detail = complaint.get("complaintFeedbackType", "")
        return [
            one(FeedbackKind.COMPLAINED, r.get("emailAddress", ""), detail)
            for r in complaint.get("complainedRecipients", [])
        ]
    if kind == "Delivery":
        return [one(FeedbackKind.DELIVERED, r) for r in (body.get("delivery") or {}).get("recipients", [])]
    return []


def parse_feedback(message: str | dict[str, Any]) -> list[Feedback]:
    try:
        body = json.loads(message) if isinstance(message, str) else message
    except json.JSONDecodeError:
        log.warning("feedback is not JSON; ignored")
        return []
    if not isinstance(body, dict):
        return []
    if "notificationType" in body or "eventType" in body:
        return _ses(body)
    if "originationNumber" in body and "messageBody" in body:
        return [
            Feedback(
                FeedbackKind.INBOUND,
                SendChannel.SMS,
                str(body["originationNumber"]),
                str(body.get("inboundMessageId", "")),
                text=str(body["messageBody"]),
            )
        ]
    log.warning("unknown feedback shape; ignored: keys %s", sorted(body)[:10])
    return []
