"""The local stack's messaging resources, created idempotently on moto."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import moto
import pytest

from infra.messaging.bootstrap import MessagingResources, ensure_messaging_resources

from . import REGION, backend

SENDER = "noreply@demo.recaudo.dev"


@pytest.fixture
def aws() -> Iterator[boto3.Session]:
    with moto.mock_aws():
        yield boto3.Session(region_name=REGION)


def test_everything_the_providers_need_exists(aws: boto3.Session) -> None:
    resources = ensure_messaging_resources(aws, stage="dev", sender_email=SENDER)

    sqs = aws.client("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=resources.reminder_queue_url, AttributeNames=["All"])[
        "Attributes"
    ]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=resources.reminder_dlq_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    assert resources.reminder_queue_url.endswith("/recaudo-reminders-dev")
    assert attributes["VisibilityTimeout"] == "60"
    assert json.loads(attributes["RedrivePolicy"]) == {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5}

    ses = aws.client("ses")
    assert SENDER in ses.list_identities(IdentityType="EmailAddress")["Identities"]
    described = ses.describe_configuration_set(
        ConfigurationSetName=resources.ses_configuration_set,
        ConfigurationSetAttributeNames=["eventDestinations"],
    )
    [destination] = described["EventDestinations"]
    assert destination["SNSDestination"]["TopicARN"] == resources.feedback_topic_arn
    assert sorted(destination["MatchingEventTypes"]) == ["bounce", "complaint", "delivery", "reject"]

    topics = {t["TopicArn"] for t in aws.client("sns").list_topics()["Topics"]}
    assert {resources.feedback_topic_arn, resources.inbound_sms_topic_arn} <= topics
    assert resources.push_platform_application_arn.endswith(":app/GCM/recaudo-agents-dev")
    assert resources.digest_topic_prefix == "recaudo-digest-dev"


def test_running_it_again_changes_nothing(aws: boto3.Session) -> None:
    first = ensure_messaging_resources(aws, stage="dev", sender_email=SENDER)
    endpoint = aws.client("sns").create_platform_endpoint(
        PlatformApplicationArn=first.push_platform_application_arn, Token="tok", CustomUserData="acme/ag-1"
    )["EndpointArn"]

    again = ensure_messaging_resources(aws, stage="dev", sender_email=SENDER)

    assert again == first
    assert len(backend("sqs").queues) == 2
    assert len(backend("sns").applications) == 1
    assert endpoint in backend("sns").platform_endpoints


def test_clients_may_be_given_directly_and_stages_do_not_collide(aws: boto3.Session) -> None:
    clients = {"sqs": aws.client("sqs"), "sns": aws.client("sns"), "ses": aws.client("ses")}
    dev = ensure_messaging_resources(clients, stage="dev", sender_email=SENDER)
    test = ensure_messaging_resources(clients, stage="test", sender_email=SENDER)
    assert isinstance(test, MessagingResources)
    assert dev.reminder_queue_url != test.reminder_queue_url
    assert dev.feedback_topic_arn != test.feedback_topic_arn


def test_the_environment_the_container_reads(aws: boto3.Session) -> None:
    resources = ensure_messaging_resources(aws, stage="dev", sender_email=SENDER)
    assert resources.environment() == {
        "RECAUDO_REMINDER_QUEUE_URL": resources.reminder_queue_url,
        "RECAUDO_SES_CONFIGURATION_SET": "recaudo-dev",
        "RECAUDO_PUSH_PLATFORM_ARN": resources.push_platform_application_arn,
        "RECAUDO_DIGEST_TOPIC_PREFIX": "recaudo-digest-dev",
    }
