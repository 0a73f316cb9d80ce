"""Provider notifications (delivered through SNS) → the domain's `Feedback`.

Understands
- SES notifications in both shapes: the classic identity notifications (`notificationType`: Bounce,
  Complaint, Delivery; they carry no message tags) and configuration-set event publishing (`eventType`:
  Bounce, Complaint, Delivery, Reject, DeliveryDelay; Send, Open, Click … are known and ignored);
- two-way SMS inbound messages (AWS End User Messaging SMS / SNS), whatever the text says: whether it is
  an opt-out keyword is the domain's call.

The input may be the SNS `Message` string, its parsed dict, the SNS envelope (`{"Type": "Notification",
"Message": …}`) or the Lambda record (`{"Sns": {…}}`); from the last two the SNS timestamp is used when
the notification has none of its own. Anything unknown is logged and ignored: raising would make SNS
retry, forever, a message that can never be understood.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from email.utils import parseaddr
from typing import Any

from domain.messaging import Feedback, FeedbackKind, SendChannel
from infra.messaging import TAG_REFERENCE, TAG_TENANT

log = logging.getLogger("recaudo.feedback")

IGNORED_SES_EVENTS = frozenset(
    {
        "Send",
        "Open",
        "Click",
        "Rendering Failure",
        "Subscription",
        "Received",
        "AmazonSnsSubscriptionSucceeded",
    }
)
"""Known SES notifications that say nothing about deliverability or consent."""
_SES_VALIDATION = "Successfully validated SNS topic for Amazon SES event publishing"


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _first_tag(tags: Mapping[str, Any], name: str) -> str | None:
    values = tags.get(name)
    if isinstance(values, list) and values:
        return str(values[0])
    return str(values) if isinstance(values, str) and values else None


def _address(raw: Any) -> str:
    return parseaddr(str(raw or ""))[1] or str(raw or "").strip()


_SES_OBJECTS = {"bounce": "Bounce", "complaint": "Complaint", "delivery": "Delivery"}


def _ses_kind(body: dict[str, Any]) -> str:
    kind = str(body.get("eventType") or body.get("notificationType") or "")
    if kind in _SES_OBJECTS.values() or kind in IGNORED_SES_EVENTS or kind in ("Reject", "DeliveryDelay"):
        return kind
    # moto's simulator notifications say "Bounce, Complaint, or Delivery.": the object present decides.
    present = [name for key, name in _SES_OBJECTS.items() if isinstance(body.get(key), dict)]
    return present[0] if len(present) == 1 else kind


def _ses(body: dict[str, Any], received_at: str) -> list[Feedback]:
    kind = _ses_kind(body)
    mail = _object(body.get("mail"))
    tags = _object(mail.get("tags"))  # only event publishing carries tags
    provider_id = str(mail["messageId"]) if mail.get("messageId") else None
    reference, tenant = _first_tag(tags, TAG_REFERENCE), _first_tag(tags, TAG_TENANT)

    def feedback(k: FeedbackKind, address: Any, at: Any, detail: str = "") -> Feedback:
        when = str(at or mail.get("timestamp") or received_at)
        return Feedback(k, SendChannel.EMAIL, _address(address), when, provider_id, reference, tenant, detail)

    if kind == "Bounce":
        bounce = _object(body.get("bounce"))
        permanent = bounce.get("bounceType") == "Permanent"
        sub_type = str(bounce.get("bounceSubType") or "")

        def bounce_kind(recipient: dict[str, Any]) -> FeedbackKind:
            # Only a Permanent bounce condemns an address, and not for a recipient merely delayed
            # (action "delayed", a 4.x.x status); Transient and Undetermined may pass next time.
            delayed = recipient.get("action") == "delayed" or str(recipient.get("status", "")).startswith("4")
            return FeedbackKind.BOUNCED if permanent and not delayed else FeedbackKind.SOFT_BOUNCED

        return [
            feedback(
                bounce_kind(r),
                r.get("emailAddress"),
                bounce.get("timestamp"),
                _detail(sub_type, r.get("diagnosticCode")),
            )
            for r in map(_object, bounce.get("bouncedRecipients") or [])
        ]
    if kind == "Complaint":
        complaint = _object(body.get("complaint"))
        why = str(complaint.get("complaintFeedbackType") or complaint.get("complaintSubType") or "")
        return [
            feedback(FeedbackKind.COMPLAINED, r.get("emailAddress"), complaint.get("timestamp"), why)
            for r in map(_object, complaint.get("complainedRecipients") or [])
        ]
    if kind == "Delivery":
        delivery = _object(body.get("delivery"))
        smtp = str(delivery.get("smtpResponse") or "")
        return [
            feedback(FeedbackKind.DELIVERED, r, delivery.get("timestamp"), smtp)
            for r in delivery.get("recipients") or []
        ]
    if kind == "Reject":
        reason = str(_object(body.get("reject")).get("reason") or "rejected")
        return [feedback(FeedbackKind.REJECTED, r, None, reason) for r in mail.get("destination") or []]
    if kind == "DeliveryDelay":
        delay = _object(body.get("deliveryDelay"))
        sub_type = str(delay.get("delayType") or "delayed")
        return [
            feedback(
                FeedbackKind.SOFT_BOUNCED,
                r.get("emailAddress"),
                delay.get("timestamp"),
                _detail(sub_type, r.get("diagnosticCode")),
            )
            for r in map(_object, delay.get("delayedRecipients") or [])
        ]
    if kind in IGNORED_SES_EVENTS:
        log.debug("SES %s notification ignored", kind)
        return []
    log.warning("unknown SES notification type %r; ignored", kind)
    return []


def _detail(kind: str, diagnostic: Any) -> str:
    return ": ".join(part for part in (kind, str(diagnostic or "")) if part)


def _inbound_sms(body: dict[str, Any], received_at: str) -> list[Feedback]:
    previous = body.get("previousPublishedMessageId")
    return [
        Feedback(
            FeedbackKind.INBOUND,
            SendChannel.SMS,
            str(body["originationNumber"]),
            received_at,
            provider_message_id=str(previous) if previous else None,
            detail=f"inbound {body.get('inboundMessageId', '')} to {body.get('destinationNumber', '')}",
            text=str(body.get("messageBody") or ""),
        )
    ]


def parse_feedback(message: str | dict[str, Any], *, received_at: str = "") -> list[Feedback]:
    """Normalised feedback in `message` (see the module's docstring for the shapes understood);
    `received_at` is the SNS timestamp, used when the notification carries no time of its own."""
    if isinstance(message, str):
        if message.startswith(_SES_VALIDATION):
            log.info("SES validated the feedback topic")
            return []
        try:
            body: Any = json.loads(message)
        except json.JSONDecodeError:
            log.warning("feedback is not JSON; ignored: %.80r", message)
            return []
    else:
        body = message
    if not isinstance(body, dict):
        log.warning("feedback is not a JSON object; ignored")
        return []
    if isinstance(body.get("Sns"), dict):  # a Lambda SNS event record
        body = body["Sns"]
    if "Type" in body and "Message" in body:  # the SNS envelope
        if body["Type"] != "Notification":
            log.info("SNS %s ignored", body["Type"])
            return []
        inner = body["Message"]  # a string on AWS; moto's SES simulator publishes a dict
        inner = inner if isinstance(inner, dict) else str(inner)
        return parse_feedback(inner, received_at=str(body.get("Timestamp") or received_at))
    if "eventType" in body or "notificationType" in body:
        return _ses(body, received_at)
    if "originationNumber" in body and "messageBody" in body:
        return _inbound_sms(body, received_at)
    log.warning("unknown feedback shape; ignored: keys %s", sorted(body)[:10])
    return []
