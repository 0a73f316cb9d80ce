"""SNS SMS: transactional texts with the tenant's sender id; a number SNS has opted out is refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import moto
import pytest
from botocore.stub import Stubber

from domain.messaging import OutgoingMessage, PermanentSendError, SendChannel, TransientSendError
from infra.messaging.sns_sms import SnsSmsSender, sender_id

from . import REGION, backend

SMS = OutgoingMessage(
    SendChannel.SMS, "+51987654321", "01JF0MSG", "acme", sender="ACME", text="Acme: su cuota vence hoy"
)


@pytest.fixture
def sns() -> Iterator[Any]:
    with moto.mock_aws():
        yield boto3.client("sns", region_name=REGION)


def test_the_text_is_published_to_the_number(sns: Any) -> None:
    receipt = SnsSmsSender(sns).send(SMS)
    assert receipt.provider == "sns"
    assert backend("sns").sms_messages[receipt.provider_message_id] == ("+51987654321", SMS.text)


def test_an_opted_out_number_is_refused_before_publishing(sns: Any) -> None:
    # GIVEN a number SNS reports as opted out (moto: every number ending in 99)
    assert sns.check_if_phone_number_is_opted_out(phoneNumber="+15005550099")["isOptedOut"]
    # WHEN a reminder goes to it THEN it is a permanent OPTED_OUT and nothing is sent
    with pytest.raises(PermanentSendError) as err:
        SnsSmsSender(sns).send(OutgoingMessage(SendChannel.SMS, "+15005550099", "ref", "acme", text="x"))
    assert err.value.code == "OPTED_OUT"
    assert backend("sns").sms_messages == {}


def test_the_request_is_transactional_with_a_clean_sender_id() -> None:
    client = boto3.client("sns", region_name=REGION)
    message = OutgoingMessage(
        SendChannel.SMS, "+51987654321", "r", "acme", sender="Acme Perú S.A.C.", text="hola"
    )
    with Stubber(client) as stub:
        stub.add_response(
            "check_if_phone_number_is_opted_out", {"isOptedOut": False}, {"phoneNumber": "+51987654321"}
        )
        stub.add_response(
            "publish",
            {"MessageId": "m-1"},
            {
                "PhoneNumber": "+51987654321",
                "Message": "hola",
                "MessageAttributes": {
                    "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
                    "AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": "AcmePerSAC"},
                },
            },
        )
        assert SnsSmsSender(client).send(message).provider_message_id == "m-1"


def test_sender_ids_are_letters_and_digits_with_a_letter() -> None:
    assert sender_id("ACME") == "ACME"
    assert sender_id("Cobranzas Acme Perú") == "CobranzasAc"
    assert sender_id("12345") is None
    assert sender_id("") is None


def test_throttling_is_transient_and_a_bad_number_permanent() -> None:
    client = boto3.client("sns", region_name=REGION)
    with Stubber(client) as stub:
        stub.add_client_error("check_if_phone_number_is_opted_out", "Throttled", "Rate exceeded", 429)
        stub.add_client_error("check_if_phone_number_is_opted_out", "InvalidParameter", "Invalid phone", 400)
        with pytest.raises(TransientSendError):
            SnsSmsSender(client).send(SMS)
        with pytest.raises(PermanentSendError) as err:
            SnsSmsSender(client).send(SMS)
    assert err.value.code == "InvalidParameter"


def test_an_empty_text_is_not_sent() -> None:
    with pytest.raises(PermanentSendError) as err:
        SnsSmsSender(object()).send(OutgoingMessage(SendChannel.SMS, "+51987654321", "r", "acme", text=""))
    assert err.value.code == "EMPTY_MESSAGE"
