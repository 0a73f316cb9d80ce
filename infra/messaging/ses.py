"""`SesEmailSender`: a MIME multipart/alternative message through SES `SendRawEmail` (so headers such as
List-Unsubscribe go out as written), tagged with our message reference for delivery feedback."""

from __future__ import annotations

import re
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from domain.messaging import OutgoingMessage, PermanentSendError, SendReceipt
from infra.messaging.errors import classify

_TAG = re.compile(r"[^A-Za-z0-9_-]")


def _tag(value: str) -> str:
    return _TAG.sub("_", value)[:256] or "_"


def build_mime(message: OutgoingMessage) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = message.sender or ""
    mail["To"] = message.to
    mail["Subject"] = message.subject or ""
    mail["Message-ID"] = make_msgid(domain=(message.sender or "recaudo.local").split("@")[-1])
    for name, value in message.headers.items():
        mail[name] = value
    mail.set_content(message.text or "", charset="utf-8")
    if message.html:
        mail.add_alternative(message.html, subtype="html", charset="utf-8")
    return mail


class SesEmailSender:
    def __init__(self, client: Any, configuration_set: str | None = None) -> None:
        self.client, self.configuration_set = client, configuration_set

    def send(self, message: OutgoingMessage) -> SendReceipt:
        if not message.sender:
            raise PermanentSendError("the tenant has no sender e-mail address", "NO_SENDER")
        request: dict[str, Any] = {
            "Source": message.sender,
            "Destinations": [message.to],
            "RawMessage": {"Data": build_mime(message).as_bytes()},
            "Tags": [
                {"Name": "recaudo-ref", "Value": _tag(message.reference)},
                {"Name": "recaudo-tenant", "Value": _tag(message.tenant)},
            ],
        }
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        try:
            response = self.client.send_raw_email(**request)
        except Exception as error:
            raise classify(error) from error
        return SendReceipt("ses", str(response["MessageId"]))
