"""Provider adapters against moto (SES, SNS) and botocore's Stubber (WhatsApp: moto lacks the service)."""

from __future__ import annotations

import json
from email import message_from_bytes
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from domain.messaging import OutgoingMessage, PermanentSendError, SendChannel, TransientSendError
from infra.messaging.push import SnsDeviceRegistry, SnsPushSender
from infra.messaging.ses import SesEmailSender
from infra.messaging.sns_sms import SnsSmsSender
from infra.messaging.whatsapp import EndUserMessagingWhatsAppSender, meta_payload

EMAIL = OutgoingMessage(
    SendChannel.EMAIL,
    "rosa@example.pe",
    "01JREF",
    "acme",
    sender="cobranzas@acme.pe",
    subject="Acme: vence hoy",
    html="<p>Hola Rosa</p>",
    text="Hola Rosa",
    headers={"List-Unsubscribe": "<mailto:baja@acme.pe>"},
)


def test_ses_sends_both_parts_with_the_unsubscribe_header(dynamodb: Any) -> None:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    client = boto3.client("ses", region_name="us-east-1")
    client.verify_email_identity(EmailAddress="cobranzas@acme.pe")
    receipt = SesEmailSender(client).send(EMAIL)
    assert receipt.provider == "ses" and receipt.provider_message_id
    [sent] = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
    mail = message_from_bytes(sent.raw_data.encode() if isinstance(sent.raw_data, str) else sent.raw_data)
    assert mail["List-Unsubscribe"] == "<mailto:baja@acme.pe>"
    assert sorted(p.get_content_type() for p in mail.walk() if not p.is_multipart()) == [
        "text/html",
        "text/plain",
    ]


def test_ses_errors_are_classified() -> None:
    client = boto3.client("ses", region_name="us-east-1")
    sender = SesEmailSender(client)
    with Stubber(client) as stub:
        stub.add_client_error("send_raw_email", "Throttling", "Maximum sending rate exceeded.", 400)
        stub.add_client_error("send_raw_email", "MessageRejected", "Email address is not verified.", 400)
        with pytest.raises(TransientSendError):
            sender.send(EMAIL)
        with pytest.raises(PermanentSendError) as err:
            sender.send(EMAIL)
    assert err.value.code == "MessageRejected"


def test_sns_sms_and_an_opted_out_number(dynamodb: Any) -> None:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    client = boto3.client("sns", region_name="us-east-1")
    sms = OutgoingMessage(
        SendChannel.SMS, "+51987654321", "ref", "acme", sender="ACME", text="Acme: vence hoy"
    )
    assert SnsSmsSender(client).send(sms).provider == "sns"
    backend = sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    assert ("+51987654321", "Acme: vence hoy") in [(v[0], v[1]) for v in backend.sms_messages.values()]
    # moto reports numbers ending in 99 as opted out
    with pytest.raises(PermanentSendError) as err:
        SnsSmsSender(client).send(OutgoingMessage(SendChannel.SMS, "+15005550099", "ref", "acme", text="x"))
    assert err.value.code == "OPTED_OUT"


def test_push_registration_and_notification(dynamodb: Any) -> None:
    client = boto3.client("sns", region_name="us-east-1")
    app = client.create_platform_application(
        Name="agents", Platform="GCM", Attributes={"PlatformCredential": "k"}
    )
    registry = SnsDeviceRegistry(client, app["PlatformApplicationArn"])
    arn = registry.register("token-123", "acme/ag-1")
    assert registry.register("token-123", "acme/ag-1") == arn
    push = OutgoingMessage(
        SendChannel.PUSH, arn, "task-1", "acme", subject="Nueva gestión", text="Llamar a Rosa"
    )
    assert SnsPushSender(client).send(push).provider_message_id


def test_whatsapp_sends_an_approved_template_through_end_user_messaging() -> None:
    client = boto3.client("socialmessaging", region_name="us-east-1")
    message = OutgoingMessage(
        SendChannel.WHATSAPP,
        "+51987654321",
        "ref",
        "acme",
        whatsapp_template="saldo_vencido",
        whatsapp_language="es_PE",
        whatsapp_params=("Rosa", "S/ 150.00"),
    )
    body = json.dumps(meta_payload(message)).encode()
    with Stubber(client) as stub:
        stub.add_response(
            "send_whatsapp_message",
            {"messageId": "wamid.123"},
            {"originationPhoneNumberId": "phone-number-id-1", "message": body, "metaApiVersion": "v20.0"},
        )
        receipt = EndUserMessagingWhatsAppSender(client, "phone-number-id-1").send(message)
    assert (receipt.provider, receipt.provider_message_id) == ("whatsapp", "wamid.123")
    payload = meta_payload(message)
    assert payload["template"]["components"][0]["parameters"] == [
        {"type": "text", "text": "Rosa"},
        {"type": "text", "text": "S/ 150.00"},
    ]
