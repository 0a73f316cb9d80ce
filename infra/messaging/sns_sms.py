"""`SnsSmsSender`: transactional SMS through SNS `Publish`; a number SNS has opted out is refused."""

from __future__ import annotations

import re
from typing import Any

from domain.messaging import OutgoingMessage, PermanentSendError, SendError, SendReceipt
from infra.messaging.errors import classify

_SENDER_ID = re.compile(r"[^A-Za-z0-9]")


def sender_id(value: str) -> str | None:
    """An SMS sender id is 1–11 ASCII letters and digits with at least one letter; anything else is
    dropped rather than failing the message (the carrier then shows a number)."""
    cleaned = _SENDER_ID.sub("", value)[:11]
    return cleaned if any(c.isalpha() for c in cleaned) else None


class SnsSmsSender:
    def __init__(self, client: Any) -> None:
        self.client = client

    def send(self, message: OutgoingMessage) -> SendReceipt:
        if not message.text:
            raise PermanentSendError("an SMS needs a text", "EMPTY_MESSAGE")
        attributes: dict[str, Any] = {
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}
        }
        sender = sender_id(message.sender or "")
        if sender:
            attributes["AWS.SNS.SMS.SenderID"] = {"DataType": "String", "StringValue": sender}
        try:
            opted_out = self.client.check_if_phone_number_is_opted_out(phoneNumber=message.to)
            if opted_out.get("isOptedOut"):
                raise PermanentSendError(f"{message.to} opted out of SMS", "OPTED_OUT")
            response = self.client.publish(
                PhoneNumber=message.to, Message=message.text, MessageAttributes=attributes
            )
        except SendError:
            raise
        except Exception as error:
            raise classify(error) from error
        return SendReceipt("sns", str(response["MessageId"]))
