"""Delivery feedback: every sample notification (tests/events/messaging, shapes from the AWS docs)
becomes the domain's Feedback; unknown shapes are logged and ignored, never raised."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import boto3
import moto
import pytest

from domain.messaging import Feedback, FeedbackKind, OutgoingMessage, SendChannel
from infra.messaging.bootstrap import ensure_messaging_resources
from infra.messaging.feedback import parse_feedback
from infra.messaging.ses import SesEmailSender

from . import EVENTS, REGION, event

SES_ID = "0100018c5e1f7a2b-3f1c9d2e-8a4b-4c6d-9e0f-1a2b3c4d5e6f-000000"
OUR_REF, TENANT = "01JF0MSG7Q2R9W3X4Y5Z6A7B8C", "acme"
ROSA = "rosa.quispe@example.pe"


def _one(name: str) -> Feedback:
    [feedback] = parse_feedback(json.dumps(event(name)))
    return feedback


def test_a_permanent_bounce_condemns_the_address_and_names_our_message() -> None:
    f = _one("ses_event_bounce_permanent.json")
    assert (f.kind, f.channel, f.address) == (FeedbackKind.BOUNCED, SendChannel.EMAIL, ROSA)
    assert (f.provider_message_id, f.reference, f.tenant) == (SES_ID, OUR_REF, TENANT)
    assert f.at_iso == "2026-12-07T15:00:03.669Z"
    assert f.detail == "General: smtp; 550 5.1.1 user unknown"


def test_a_transient_bounce_is_soft() -> None:
    f = _one("ses_event_bounce_transient.json")
    assert (f.kind, f.address, f.reference) == (FeedbackKind.SOFT_BOUNCED, ROSA, OUR_REF)
    assert f.detail.startswith("MailboxFull")


def test_a_complaint_opts_the_recipient_out() -> None:
    f = _one("ses_event_complaint.json")
    assert (f.kind, f.address, f.detail, f.tenant) == (FeedbackKind.COMPLAINED, ROSA, "abuse", TENANT)
    assert f.at_iso == "2026-12-07T18:41:02.669Z"


def test_a_delivery_marks_the_message_delivered() -> None:
    f = _one("ses_event_delivery.json")
    assert (f.kind, f.address, f.provider_message_id, f.reference) == (
        FeedbackKind.DELIVERED,
        ROSA,
        SES_ID,
        OUR_REF,
    )
    assert f.at_iso == "2026-12-07T15:00:02.133Z"


def test_a_reject_fails_the_message_not_the_address() -> None:
    f = _one("ses_event_reject.json")
    assert (f.kind, f.address, f.detail) == (FeedbackKind.REJECTED, ROSA, "Bad content")


def test_a_delivery_delay_is_soft() -> None:
    f = _one("ses_event_delivery_delay.json")
    assert (f.kind, f.address) == (FeedbackKind.SOFT_BOUNCED, ROSA)
    assert f.detail == "TransientCommunicationFailure: smtp; 421 4.4.1 Unable to connect to remote host"


@pytest.mark.parametrize("name", ["ses_event_send.json", "ses_event_open.json"])
def test_send_and_engagement_events_say_nothing_to_act_on(
    name: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="recaudo.feedback"):
        assert parse_feedback(event(name)) == []
    assert not caplog.records


def test_classic_notifications_carry_no_tags_but_the_ses_message_id() -> None:
    bounces = parse_feedback(event("ses_notification_bounce.json"))
    assert [(f.kind, f.address) for f in bounces] == [
        (FeedbackKind.BOUNCED, "jane@example.com"),
        (FeedbackKind.BOUNCED, "richard@example.com"),
    ]
    assert {(f.provider_message_id, f.reference, f.tenant) for f in bounces} == {(SES_ID, None, None)}
    [complaint] = parse_feedback(event("ses_notification_complaint.json"))
    assert (complaint.kind, complaint.address) == (FeedbackKind.COMPLAINED, "richard@example.com")
    [delivery] = parse_feedback(event("ses_notification_delivery.json"))
    assert (delivery.kind, delivery.address, delivery.at_iso) == (
        FeedbackKind.DELIVERED,
        "jane@example.com",
        "2026-12-07T15:00:01.783Z",
    )


def test_an_inbound_sms_is_kept_with_its_text() -> None:
    f = _one("sms_inbound.json")
    assert (f.kind, f.channel, f.address, f.text) == (
        FeedbackKind.INBOUND,
        SendChannel.SMS,
        "+51987654321",
        "BAJA",
    )
    assert f.provider_message_id == "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    assert "cae173d2-66b9-564c-8309-21f858e9fb84" in f.detail


def test_the_sns_envelope_and_the_lambda_record_are_unwrapped() -> None:
    [bounce] = parse_feedback(event("sns_envelope_ses_bounce.json"))
    assert (bounce.kind, bounce.reference) == (FeedbackKind.BOUNCED, OUR_REF)
    [record] = event("lambda_sns_event_inbound_sms.json")["Records"]
    [inbound] = parse_feedback(record)
    assert (inbound.kind, inbound.text) == (FeedbackKind.INBOUND, "BAJA")
    assert inbound.at_iso == "2026-12-07T15:31:12.345Z"  # the SNS timestamp: the SMS has none
    [same] = parse_feedback(record["Sns"]["Message"], received_at=record["Sns"]["Timestamp"])
    assert same == inbound


def test_every_sample_parses_without_raising() -> None:
    for path in sorted(EVENTS.glob("*.json")):
        body = json.loads(path.read_text(encoding="utf-8"))
        for item in body.get("Records", [body]):
            assert isinstance(parse_feedback(item), list), path.name


@pytest.mark.parametrize(
    "message",
    [
        "not json",
        "[1, 2]",
        json.dumps({"hello": "world"}),
        json.dumps({"eventType": "Bounce"}),  # no bounce object: nothing to say
        json.dumps({"notificationType": "SomethingNew", "mail": {}}),
        event("sns_subscription_confirmation.json"),
        {"Type": "SubscriptionConfirmation"},
    ],
)
def test_unknown_shapes_are_ignored(message: Any) -> None:
    assert parse_feedback(message) == []


def test_an_unknown_shape_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="recaudo.feedback"):
        parse_feedback({"hello": "world"})
    assert "unknown feedback shape" in caplog.text


def test_ses_validation_message_is_expected_noise(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="recaudo.feedback"):
        assert parse_feedback("Successfully validated SNS topic for Amazon SES event publishing.") == []
    assert not caplog.records


@pytest.fixture
def aws() -> Iterator[boto3.Session]:
    with moto.mock_aws():
        yield boto3.Session(region_name=REGION)


def test_locally_ses_simulator_mail_produces_feedback_on_the_topic(aws: boto3.Session) -> None:
    # GIVEN the local messaging resources and a queue tapping the feedback topic
    resources = ensure_messaging_resources(aws, stage="test", sender_email="noreply@demo.recaudo.dev")
    sqs = aws.client("sqs")
    tap = sqs.create_queue(QueueName="feedback-tap")["QueueUrl"]
    tap_arn = sqs.get_queue_attributes(QueueUrl=tap, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    aws.client("sns").subscribe(TopicArn=resources.feedback_topic_arn, Protocol="sqs", Endpoint=tap_arn)

    # WHEN a reminder goes to SES's bounce simulator
    SesEmailSender(aws.client("ses"), resources.ses_configuration_set).send(
        OutgoingMessage(
            SendChannel.EMAIL,
            "bounce@simulator.amazonses.com",
            "ref",
            "acme",
            sender="Demo <noreply@demo.recaudo.dev>",
            subject="s",
            text="t",
        )
    )

    # THEN a bounce notification arrives and parses (moto publishes a canned one, not about our mail)
    [received] = sqs.receive_message(QueueUrl=tap, MaxNumberOfMessages=10)["Messages"]
    feedback = parse_feedback(json.loads(received["Body"]))
    assert [(f.kind, f.address) for f in feedback] == [
        (FeedbackKind.BOUNCED, "recipient1@example.com"),
        (FeedbackKind.SOFT_BOUNCED, "recipient2@example.com"),  # listed as "delayed" in moto's sample
    ]
