"""`SesEmailSender`: a MIME multipart/alternative message through SES `SendRawEmail` (so headers such as
List-Unsubscribe go out as written), tagged with our message reference for delivery feedback."""

from __future__ import annotations

import re
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr
from typing import Any

from domain.messaging import OutgoingMessage, PermanentSendError, SendReceipt
from infra.messaging import TAG_REFERENCE, TAG_TENANT
from infra.messaging.errors import classify

_TAG = re.compile(r"[^A-Za-z0-9_-]")
_OURS = frozenset({"from", "to", "subject", "message-id", "mime-version", "content-type"})
"""Headers the builder sets itself; a template's `headers` cannot replace or duplicate them."""
_POLICY = policy.SMTP.clone(max_line_length=998)
"""CRLF line ends; headers unfolded up to RFC 5322's hard limit, so List-Unsubscribe stays on one line
(folding right after the colon leaves some parsers a leading blank in the value)."""


def tag_value(value: str) -> str:
    """SES tag values allow only ASCII letters, digits, `_` and `-`, at most 256 of them."""
    return _TAG.sub("_", value)[:256] or "_"


def _address(raw: str) -> str:
    """The bare address of `Name <addr>` (or of `addr`)."""
    return parseaddr(raw)[1] or raw.strip()


def build_mime(message: OutgoingMessage) -> EmailMessage:
    """text/plain (+ text/html when there is one) as multipart/alternative, UTF-8, with the message's
    extra headers. Raises ValueError for a header that would not survive (CR/LF injection)."""
    mail = EmailMessage(policy=_POLICY)
    mail["From"] = message.sender or ""
    mail["To"] = message.to
    mail["Subject"] = message.subject or ""
    domain = _address(message.sender or "").rpartition("@")[2] or "recaudo.local"
    mail["Message-ID"] = make_msgid(domain=domain)
    for name, value in message.headers.items():
        if name.lower() in _OURS:
            continue
        if "\r" in value or "\n" in value or "\r" in name or "\n" in name:
            raise ValueError(f"header {name!r} contains a line break")
        mail[name] = value
    # Quoted-printable keeps the message 7-bit with short lines whatever the template renders.
    mail.set_content(message.text or "", charset="utf-8", cte="quoted-printable")
    if message.html:
        mail.add_alternative(message.html, subtype="html", charset="utf-8", cte="quoted-printable")
    return mail


class SesEmailSender:
    """Sends through SES v1 `SendRawEmail`; `configuration_set` routes events to delivery feedback."""

    def __init__(self, client: Any, configuration_set: str | None = None) -> None:
        self.client, self.configuration_set = client, configuration_set

    def send(self, message: OutgoingMessage) -> SendReceipt:
        if not message.sender:
            raise PermanentSendError("the tenant has no sender e-mail address", "NO_SENDER")
        try:
            Address(addr_spec=_address(message.to))
            raw = build_mime(message).as_bytes()
        except (ValueError, TypeError, IndexError) as error:  # header syntax the email package refuses
            raise PermanentSendError(f"cannot build the e-mail: {error}", "INVALID_MESSAGE") from error
        request: dict[str, Any] = {
            # The bare address: SES takes From (display name included) from the raw message itself.
            "Source": _address(message.sender),
            "Destinations": [_address(message.to)],
            "RawMessage": {"Data": raw},
            "Tags": [
                {"Name": TAG_REFERENCE, "Value": tag_value(message.reference)},
                {"Name": TAG_TENANT, "Value": tag_value(message.tenant)},
            ],
        }
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        try:
            response = self.client.send_raw_email(**request)
        except Exception as error:
            raise classify(error) from error
        return SendReceipt("ses", str(response["MessageId"]))
