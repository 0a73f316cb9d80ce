"""SES e-mail: a raw multipart message with our headers and tags, and SES's refusals classified."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any
from unittest import mock

import boto3
import moto
import pytest
from botocore.exceptions import ReadTimeoutError
from botocore.stub import ANY, Stubber

from domain.messaging import OutgoingMessage, PermanentSendError, SendChannel, TransientSendError
from infra.messaging.ses import SesEmailSender, build_mime, tag_value

from . import REGION, backend

SENDER = "cobranzas@acme.pe"
EMAIL = OutgoingMessage(
    SendChannel.EMAIL,
    "rosa@example.pe",
    "01JF0MSG7Q2R9W3X4Y5Z6A7B8C",
    "acme",
    sender=f"Cobranzas Acme Perú <{SENDER}>",
    subject="Acme: su cuota vence mañana",
    html="<p>Hola Rosa, su cuota de S/ 150.00 vence mañana.</p>",
    text="Hola Rosa, su cuota de S/ 150.00 vence mañana.",
    headers={
        "List-Unsubscribe": "<https://recaudo.example/u/acme/01JF0DEBTOR>, <mailto:baja@acme.pe>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    },
)


@pytest.fixture
def ses() -> Iterator[Any]:
    with moto.mock_aws():
        client = boto3.client("ses", region_name=REGION)
        client.verify_email_identity(EmailAddress=SENDER)
        yield client


def _parts(mail: EmailMessage) -> dict[str, str]:
    return {part.get_content_type(): part.get_content() for part in mail.walk() if not part.is_multipart()}


def test_the_raw_mail_reaches_ses_with_both_parts_and_the_unsubscribe_headers(ses: Any) -> None:
    # GIVEN a verified sender WHEN a reminder is sent
    receipt = SesEmailSender(ses, "recaudo-test").send(EMAIL)

    # THEN SES's id comes back and moto holds the raw message as written
    assert receipt.provider == "ses" and receipt.provider_message_id
    [sent] = backend("ses").sent_messages
    assert sent.id == receipt.provider_message_id
    assert set(sent.destinations) == {"rosa@example.pe"}  # moto adds the To header's address again
    raw = sent.raw_data.encode() if isinstance(sent.raw_data, str) else sent.raw_data
    mail = message_from_bytes(raw, policy=policy.default)
    assert isinstance(mail, EmailMessage)
    assert mail.get_content_type() == "multipart/alternative"
    assert mail["List-Unsubscribe"] == EMAIL.headers["List-Unsubscribe"]
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["Subject"] == "Acme: su cuota vence mañana"
    assert mail["From"].addresses[0].display_name == "Cobranzas Acme Perú"
    assert mail["Message-ID"].endswith("@acme.pe>")
    parts = _parts(mail)
    assert parts["text/plain"].strip() == EMAIL.text
    assert parts["text/html"].strip() == EMAIL.html


def test_the_request_carries_the_configuration_set_and_sanitised_tags() -> None:
    client = boto3.client("ses", region_name=REGION)
    message = OutgoingMessage(
        SendChannel.EMAIL, "rosa@example.pe", "ref:01/ü", "acme", sender=SENDER, subject="s", text="t"
    )
    expected = {
        "Source": SENDER,
        "Destinations": ["rosa@example.pe"],
        "RawMessage": {"Data": ANY},
        "ConfigurationSetName": "recaudo-prod",
        "Tags": [{"Name": "recaudo-ref", "Value": "ref_01__"}, {"Name": "recaudo-tenant", "Value": "acme"}],
    }
    with Stubber(client) as stub:
        stub.add_response("send_raw_email", {"MessageId": "0100018c-abc"}, expected)
        assert SesEmailSender(client, "recaudo-prod").send(message).provider_message_id == "0100018c-abc"
        stub.assert_no_pending_responses()


def test_without_a_configuration_set_none_is_named() -> None:
    client = boto3.client("ses", region_name=REGION)
    with Stubber(client) as stub:
        stub.add_response(
            "send_raw_email",
            {"MessageId": "m-1"},
            {"Source": SENDER, "Destinations": ["rosa@example.pe"], "RawMessage": ANY, "Tags": ANY},
        )
        SesEmailSender(client).send(EMAIL)


def test_tag_values_keep_only_what_ses_allows() -> None:
    assert tag_value("01JF0MSG7Q2R9W3X4Y5Z6A7B8C") == "01JF0MSG7Q2R9W3X4Y5Z6A7B8C"
    assert tag_value("acme.pe/ñ") == "acme_pe__"
    assert tag_value("") == "_"
    assert len(tag_value("x" * 300)) == 256


def test_throttling_is_transient_and_a_rejection_permanent() -> None:
    client = boto3.client("ses", region_name=REGION)
    sender = SesEmailSender(client)
    with Stubber(client) as stub:
        stub.add_client_error("send_raw_email", "Throttling", "Maximum sending rate exceeded.", 400)
        stub.add_client_error("send_raw_email", "MessageRejected", "Email address is not verified.", 400)
        with pytest.raises(TransientSendError) as slow:
            sender.send(EMAIL)
        with pytest.raises(PermanentSendError) as refused:
            sender.send(EMAIL)
    assert slow.value.code == "Throttling"
    assert refused.value.code == "MessageRejected"


def test_a_read_timeout_is_transient() -> None:
    client = mock.Mock()
    client.send_raw_email.side_effect = ReadTimeoutError(endpoint_url="https://email.us-east-1.amazonaws.com")
    with pytest.raises(TransientSendError) as err:
        SesEmailSender(client).send(EMAIL)
    assert err.value.code == "ReadTimeoutError"


def test_moto_refuses_an_unverified_sender_permanently(ses: Any) -> None:
    unverified = OutgoingMessage(
        SendChannel.EMAIL, "rosa@example.pe", "ref", "acme", sender="otro@ejemplo.pe", subject="s", text="t"
    )
    with pytest.raises(PermanentSendError) as err:
        SesEmailSender(ses).send(unverified)
    assert err.value.code == "MessageRejected"


def test_a_message_that_cannot_be_built_is_permanent_and_never_sent(ses: Any) -> None:
    injected = OutgoingMessage(
        SendChannel.EMAIL,
        "rosa@example.pe",
        "ref",
        "acme",
        sender=SENDER,
        subject="s",
        text="t",
        headers={"List-Unsubscribe": "<mailto:baja@acme.pe>\r\nBcc: todos@example.pe"},
    )
    with pytest.raises(PermanentSendError) as err:
        SesEmailSender(ses).send(injected)
    assert err.value.code == "INVALID_MESSAGE"
    with pytest.raises(PermanentSendError) as bad_to:
        SesEmailSender(ses).send(OutgoingMessage(SendChannel.EMAIL, "rosa", "ref", "acme", sender=SENDER))
    assert bad_to.value.code == "INVALID_MESSAGE"
    assert backend("ses").sent_messages == []


def test_a_tenant_without_a_sender_address_cannot_send() -> None:
    with pytest.raises(PermanentSendError) as err:
        SesEmailSender(mock.Mock()).send(OutgoingMessage(SendChannel.EMAIL, "rosa@example.pe", "r", "acme"))
    assert err.value.code == "NO_SENDER"


def test_template_headers_cannot_replace_the_builders_own() -> None:
    spoof = OutgoingMessage(
        SendChannel.EMAIL,
        "rosa@example.pe",
        "ref",
        "acme",
        sender=SENDER,
        subject="s",
        text="t",
        headers={"From": "ceo@bank.example", "Reply-To": "cobranzas@acme.pe"},
    )
    mail = build_mime(spoof)
    assert mail.get_all("From") == [SENDER]
    assert mail["Reply-To"] == "cobranzas@acme.pe"
    assert b"\r\n" in mail.as_bytes()  # SMTP line endings
