"""WhatsApp through AWS End User Messaging Social (`socialmessaging.send_whatsapp_message`), and the
recording sender used where that service is not available (moto does not implement it)."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

from domain.messaging import OutgoingMessage, PermanentSendError, SendReceipt, TransientSendError
from infra.messaging.errors import classify


def meta_payload(message: OutgoingMessage) -> dict[str, Any]:
    """The Meta Cloud API body of an approved template message with positional body parameters."""
    if not message.whatsapp_template:
        raise PermanentSendError("a WhatsApp message needs an approved template", "NO_TEMPLATE")
    return {
        "messaging_product": "whatsapp",
        "to": message.to,
        "type": "template",
        "template": {
            "name": message.whatsapp_template,
            "language": {"code": message.whatsapp_language or "es"},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": p} for p in message.whatsapp_params]}
            ],
        },
    }


class EndUserMessagingWhatsAppSender:
    def __init__(self, client: Any, phone_number_id: str, meta_api_version: str = "v20.0") -> None:
        self.client, self.phone_number_id, self.meta_api_version = client, phone_number_id, meta_api_version

    def send(self, message: OutgoingMessage) -> SendReceipt:
        body = json.dumps(meta_payload(message)).encode()
        try:
            response = self.client.send_whatsapp_message(
                originationPhoneNumberId=self.phone_number_id,
                message=body,
                metaApiVersion=self.meta_api_version,
            )
        except Exception as error:
            raise classify(error) from error
        return SendReceipt("whatsapp", str(response["messageId"]))


class RecordingWhatsAppSender:
    """Keeps what it "sends" (local stack, tests); can be told to fail the next sends."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.fail_next: list[Exception] = []
        self._lock = threading.Lock()

    def send(self, message: OutgoingMessage) -> SendReceipt:
        payload = meta_payload(message)
        with self._lock:
            if self.fail_next:
                error = self.fail_next.pop(0)
                raise error if isinstance(error, TransientSendError | PermanentSendError) else classify(error)
            message_id = f"wamid.{uuid.uuid4().hex}"
            self.sent.append({"id": message_id, "payload": payload})
        return SendReceipt("whatsapp", message_id)
