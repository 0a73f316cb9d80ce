"""`SnsSmsSender`: transactional SMS through SNS `Publish`; a number SNS has opted out is refused."""

from __future__ import annotations

from typing import Any

from domain.messaging import OutgoingMessage, PermanentSendError, SendReceipt
from infra.messaging.errors import classify


class SnsSmsSender:
    def __init__(self, client: Any) -> None:
        self.client = client

    def send(self, message: OutgoingMessage) -> SendReceipt:
        attributes: dict[str, Any] = {
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}
        }
        if message.sender:
            attributes["AWS.SNS.SMS.SenderID"] = {"DataType": "String", "StringValue": message.sender[:11]}
        try:
            if self.client.check_if_phone_number_is_opted_out(phoneNumber=message.to).get("isOptedOut"):
                raise PermanentSendError(f"{message.to} opted out of SMS", "OPTED_OUT")
            response = self.client.publish(
                PhoneNumber=message.to, Message=message.text or "", MessageAttributes=attributes
            )
        except PermanentSendError:
            raise
        except Exception as error:
            raise classify(error) from error
        return SendReceipt("sns", str(response["MessageId"]))
