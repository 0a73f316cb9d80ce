"""WhatsApp through End User Messaging Social (checked against the service model with Stubber: moto does
not implement the service) and the recording sender the local stack and tests use."""

from __future__ import annotations

import json
import re
import threading

import boto3
import pytest
from botocore.stub import Stubber

from domain.messaging import OutgoingMessage, PermanentSendError, SendChannel, TransientSendError
from infra.messaging.whatsapp import EndUserMessagingWhatsAppSender, RecordingWhatsAppSender, meta_payload

from . import REGION

PHONE_NUMBER_ID = "phone-number-id-0123456789abcdef0123456789abcdef"
MESSAGE = OutgoingMessage(
    SendChannel.WHATSAPP,
    "+51987654321",
    "01JF0MSG",
    "acme",
    whatsapp_template="saldo_vencido",
    whatsapp_language="es_PE",
    whatsapp_params=("Rosa", "S/ 150.00", "07/12/2026"),
)


def test_an_approved_template_is_sent_in_the_meta_cloud_api_shape() -> None:
    client = boto3.client("socialmessaging", region_name=REGION)
    expected_body = {
        "messaging_product": "whatsapp",
        "to": "+51987654321",
        "type": "template",
        "template": {
            "name": "saldo_vencido",
            "language": {"code": "es_PE"},
            "components": [
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": "Rosa"},
                        {"type": "text", "text": "S/ 150.00"},
                        {"type": "text", "text": "07/12/2026"},
                    ],
                }
            ],
        },
    }
    with Stubber(client) as stub:  # Stubber validates the request and the response against the model
        stub.add_response(
            "send_whatsapp_message",
            {"messageId": "wamid.HBgLNTE5ODc2NTQzMjEVAgARGBI"},
            {
                "originationPhoneNumberId": PHONE_NUMBER_ID,
                "message": json.dumps(expected_body).encode(),
                "metaApiVersion": "v20.0",
            },
        )
        receipt = EndUserMessagingWhatsAppSender(client, PHONE_NUMBER_ID).send(MESSAGE)
        stub.assert_no_pending_responses()
    assert (receipt.provider, receipt.provider_message_id) == (
        "whatsapp",
        "wamid.HBgLNTE5ODc2NTQzMjEVAgARGBI",
    )


def test_the_phone_number_id_matches_the_models_pattern() -> None:
    shape = (
        boto3.client("socialmessaging", region_name=REGION)
        .meta.service_model.operation_model("SendWhatsAppMessage")
        .input_shape.members["originationPhoneNumberId"]
    )
    assert re.search(shape.metadata["pattern"], PHONE_NUMBER_ID)


def test_parameters_are_made_acceptable_to_meta_and_empty_ones_refused() -> None:
    multiline = OutgoingMessage(
        SendChannel.WHATSAPP,
        "+51987654321",
        "r",
        "acme",
        whatsapp_template="t",
        whatsapp_params=("Rosa\nQuispe", "S/\t150.00     hoy"),
    )
    [body] = meta_payload(multiline)["template"]["components"]
    assert [p["text"] for p in body["parameters"]] == ["Rosa Quispe", "S/ 150.00 hoy"]
    no_params = OutgoingMessage(SendChannel.WHATSAPP, "+51987654321", "r", "acme", whatsapp_template="hola")
    assert "components" not in meta_payload(no_params)["template"]
    assert meta_payload(no_params)["template"]["language"] == {"code": "es"}
    with pytest.raises(PermanentSendError) as empty:
        meta_payload(
            OutgoingMessage(
                SendChannel.WHATSAPP, "+5198", "r", "acme", whatsapp_template="t", whatsapp_params=(" ",)
            )
        )
    assert empty.value.code == "INVALID_PARAMETER"
    with pytest.raises(PermanentSendError) as no_template:
        meta_payload(OutgoingMessage(SendChannel.WHATSAPP, "+51987654321", "r", "acme", text="hola"))
    assert no_template.value.code == "NO_TEMPLATE"


@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        ("ThrottledRequestException", 429, TransientSendError),
        ("DependencyException", 502, TransientSendError),
        ("InternalServiceException", 500, TransientSendError),
        ("ValidationException", 400, PermanentSendError),
        ("InvalidParametersException", 400, PermanentSendError),
    ],
)
def test_service_errors_are_classified(code: str, status: int, kind: type[Exception]) -> None:
    client = boto3.client("socialmessaging", region_name=REGION)
    with Stubber(client) as stub:
        stub.add_client_error("send_whatsapp_message", code, code, status)
        with pytest.raises(kind):
            EndUserMessagingWhatsAppSender(client, PHONE_NUMBER_ID).send(MESSAGE)


def test_the_recording_sender_keeps_messages_and_fails_on_demand() -> None:
    sender = RecordingWhatsAppSender()
    first = sender.send(MESSAGE)
    assert first.provider == "whatsapp" and first.provider_message_id.startswith("wamid.")
    sender.fail_transiently()
    sender.fail_permanently(code="131026")
    with pytest.raises(TransientSendError):
        sender.send(MESSAGE)
    with pytest.raises(PermanentSendError) as refused:
        sender.send(MESSAGE)
    assert refused.value.code == "131026"
    sender.fail_next.append(RuntimeError("boom"))  # anything else is classified like a real failure
    with pytest.raises(PermanentSendError):
        sender.send(MESSAGE)
    [kept] = sender.sent
    assert (kept.id, kept.to, kept.reference, kept.tenant) == (
        first.provider_message_id,
        "+51987654321",
        "01JF0MSG",
        "acme",
    )
    assert kept.payload == meta_payload(MESSAGE)


def test_the_recording_sender_is_safe_across_threads() -> None:
    sender = RecordingWhatsAppSender()
    threads = [threading.Thread(target=lambda: [sender.send(MESSAGE) for _ in range(50)]) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({m.id for m in sender.sent}) == 400
    sender.clear()
    assert sender.sent == []
