"""WhatsApp through AWS End User Messaging Social (`socialmessaging.send_whatsapp_message`), and the
recording sender used where that service is not available (moto does not implement it).

Outside the 24-hour customer-service window WhatsApp only delivers approved templates, so every reminder
is a template message: name, language and positional body parameters, in the Meta Cloud API format that
End User Messaging passes through unchanged.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from domain.messaging import OutgoingMessage, PermanentSendError, SendError, SendReceipt, TransientSendError
from infra.messaging.errors import classify

DEFAULT_LANGUAGE = "es"
_BLANKS = re.compile(r"\s+")


def template_parameter(value: str) -> str:
    """Meta refuses body parameters with new lines, tabs or more than four spaces in a row (error
    132018): whitespace runs become one space. An empty parameter is refused as well."""
    text = _BLANKS.sub(" ", value).strip()
    if not text:
        raise PermanentSendError("a WhatsApp template parameter is empty", "INVALID_PARAMETER")
    return text


def meta_payload(message: OutgoingMessage) -> dict[str, Any]:
    """The Meta Cloud API body of an approved template message with positional body parameters."""
    if not message.whatsapp_template:
        raise PermanentSendError("a WhatsApp message needs an approved template", "NO_TEMPLATE")
    template: dict[str, Any] = {
        "name": message.whatsapp_template,
        "language": {"code": message.whatsapp_language or DEFAULT_LANGUAGE},
    }
    if message.whatsapp_params:
        parameters = [{"type": "text", "text": template_parameter(p)} for p in message.whatsapp_params]
        template["components"] = [{"type": "body", "parameters": parameters}]
    return {"messaging_product": "whatsapp", "to": message.to, "type": "template", "template": template}


class EndUserMessagingWhatsAppSender:
    """`phone_number_id` is the origination number's id in End User Messaging Social
    (`phone-number-id-…`) or its ARN."""

    def __init__(self, client: Any, phone_number_id: str, meta_api_version: str = "v20.0") -> None:
        self.client, self.phone_number_id, self.meta_api_version = client, phone_number_id, meta_api_version

    def send(self, message: OutgoingMessage) -> SendReceipt:
        body = json.dumps(meta_payload(message)).encode("utf-8")
        try:
            response = self.client.send_whatsapp_message(
                originationPhoneNumberId=self.phone_number_id,
                message=body,
                metaApiVersion=self.meta_api_version,
            )
        except Exception as error:
            raise classify(error) from error
        return SendReceipt("whatsapp", str(response["messageId"]))


@dataclass(frozen=True)
class RecordedWhatsApp:
    id: str
    to: str
    reference: str
    tenant: str
    payload: dict[str, Any]


class RecordingWhatsAppSender:
    """Keeps what it "sends" (local stack, tests) and can be told to fail the next sends.

    Safe to share between threads (the local stack's dispatcher pump and the API's test hooks)."""

    def __init__(self) -> None:
        self._sent: list[RecordedWhatsApp] = []
        self.fail_next: list[Exception] = []
        """Errors raised by the next sends, one per call (SendErrors as they are, others classified)."""
        self._lock = threading.Lock()

    def send(self, message: OutgoingMessage) -> SendReceipt:
        payload = meta_payload(message)
        with self._lock:
            if self.fail_next:
                error = self.fail_next.pop(0)
                raise error if isinstance(error, SendError) else classify(error)
            record = RecordedWhatsApp(
                f"wamid.{uuid.uuid4().hex}", message.to, message.reference, message.tenant, payload
            )
            self._sent.append(record)
        return SendReceipt("whatsapp", record.id)

    def fail_transiently(self, times: int = 1, code: str = "ThrottledRequestException") -> None:
        self._queue(
            TransientSendError("WhatsApp is throttling (recorded failure)", code) for _ in range(times)
        )

    def fail_permanently(self, times: int = 1, code: str = "InvalidParametersException") -> None:
        self._queue(
            PermanentSendError("WhatsApp refused the message (recorded failure)", code) for _ in range(times)
        )

    def _queue(self, errors: Iterable[Exception]) -> None:
        with self._lock:
            self.fail_next.extend(errors)

    @property
    def sent(self) -> list[RecordedWhatsApp]:
        """A snapshot of the messages accepted so far, oldest first."""
        with self._lock:
            return list(self._sent)

    def clear(self) -> None:
        with self._lock:
            self._sent.clear()
            self.fail_next.clear()
