"""Tenant digest topics: supervisors subscribe an e-mail or a phone; the daily digest is published."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import moto
import pytest

from domain.messaging import PermanentSendError
from infra.messaging.digests import SnsDigestTopics

from . import REGION


@pytest.fixture
def aws() -> Iterator[boto3.Session]:
    with moto.mock_aws():
        yield boto3.Session(region_name=REGION)


@pytest.fixture
def topics(aws: boto3.Session) -> SnsDigestTopics:
    return SnsDigestTopics(aws.client("sns"), "recaudo-digest-test")


def test_one_topic_per_tenant_created_once(topics: SnsDigestTopics, aws: boto3.Session) -> None:
    arn = topics.topic_arn("acme")
    assert arn.endswith(":recaudo-digest-test-acme")
    assert SnsDigestTopics(aws.client("sns"), "recaudo-digest-test").topic_arn("acme") == arn
    assert topics.topic_arn("globex") != arn
    tags = aws.client("sns").list_tags_for_resource(ResourceArn=arn)["Tags"]
    assert {"Key": "tenant", "Value": "acme"} in tags


def test_subscribe_list_and_unsubscribe(topics: SnsDigestTopics) -> None:
    # GIVEN a supervisor's e-mail and phone subscribed (the same e-mail twice)
    email = topics.subscribe("acme", "email", "supervisora@acme.pe")
    assert topics.subscribe("acme", "email", "supervisora@acme.pe") == email
    sms = topics.subscribe("acme", "sms", "+51987654321")

    # THEN both are listed for the tenant, none for another tenant
    listed = {(s.protocol, s.endpoint): s for s in topics.subscriptions("acme")}
    assert set(listed) == {("email", "supervisora@acme.pe"), ("sms", "+51987654321")}
    assert listed[("sms", "+51987654321")].arn == sms and not listed[("sms", "+51987654321")].pending
    assert topics.subscriptions("globex") == []

    # WHEN one is removed (twice: already gone is fine) THEN only the other remains
    topics.unsubscribe(sms, tenant="acme")
    topics.unsubscribe(sms)
    assert [s.arn for s in topics.subscriptions("acme")] == [email]


def test_another_tenants_subscription_cannot_be_removed(topics: SnsDigestTopics) -> None:
    theirs = topics.subscribe("globex", "email", "jefe@globex.pe")
    with pytest.raises(PermanentSendError) as err:
        topics.unsubscribe(theirs, tenant="acme")
    assert err.value.code == "NOT_FOUND"
    assert [s.arn for s in topics.subscriptions("globex")] == [theirs]


def test_the_digest_reaches_the_subscribers(topics: SnsDigestTopics, aws: boto3.Session) -> None:
    # GIVEN a queue subscribed to the tenant's topic (standing in for the e-mail subscriber)
    sqs = aws.client("sqs")
    queue = sqs.create_queue(QueueName="digest-tap")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    aws.client("sns").subscribe(TopicArn=topics.topic_arn("acme"), Protocol="sqs", Endpoint=queue_arn)

    # WHEN the digest is published with a subject SNS would refuse as written
    message_id = topics.publish("acme", "Recaudo: campañas del\n2026-12-07", "Campaña A: enviados 10")

    # THEN it arrives once, subject on one line
    [received] = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    body = json.loads(received["Body"])
    assert (body["MessageId"], body["Message"]) == (message_id, "Campaña A: enviados 10")
    assert body["Subject"] == "Recaudo: campañas del 2026-12-07"


def test_only_email_and_sms_and_only_tenant_ids(topics: SnsDigestTopics) -> None:
    with pytest.raises(PermanentSendError) as protocol:
        topics.subscribe("acme", "https", "https://example.com/hook")
    assert protocol.value.code == "INVALID_PROTOCOL"
    with pytest.raises(PermanentSendError) as tenant:
        topics.topic_arn("acme.pe")
    assert tenant.value.code == "INVALID_TENANT"


def test_a_malformed_phone_is_refused_permanently(topics: SnsDigestTopics) -> None:
    with pytest.raises(PermanentSendError) as err:
        topics.subscribe("acme", "sms", "not-a-phone")
    assert err.value.code == "InvalidParameter"
