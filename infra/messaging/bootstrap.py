"""What the reminder engine's providers need to exist on the embedded AWS (moto's server or in-process
moto), created idempotently: the job queue and its DLQ, the verified SES sender, the configuration set
that routes SES events to the feedback topic, the inbound-SMS topic, the agents' push application and
the digest topic prefix. On AWS the same resources come from template.yaml (names differ there).

moto stores a configuration set's SNS event destination but never publishes events to it; it does
publish classic identity notifications for SES's simulator addresses (bounce@ / complaint@ /
success@simulator.amazonses.com), so the sender's domain is also pointed at the feedback topic: locally,
mail to those addresses produces feedback that `parse_feedback` understands.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from infra.messaging.errors import error_code

QUEUE_VISIBILITY_SECONDS = 60
MAX_RECEIVE_COUNT = 5
DLQ_RETENTION_SECONDS = 14 * 24 * 3600
FEEDBACK_EVENTS = ["bounce", "complaint", "delivery", "reject"]
LOCAL_PUSH_CREDENTIAL = "local-development-key"


@dataclass(frozen=True)
class MessagingResources:
    reminder_queue_url: str
    reminder_dlq_url: str
    ses_configuration_set: str
    feedback_topic_arn: str
    inbound_sms_topic_arn: str
    push_platform_application_arn: str
    digest_topic_prefix: str

    def environment(self) -> dict[str, str]:
        """The variables `infra.container` reads, as template.yaml sets them on AWS."""
        return {
            "RECAUDO_REMINDER_QUEUE_URL": self.reminder_queue_url,
            "RECAUDO_SES_CONFIGURATION_SET": self.ses_configuration_set,
            "RECAUDO_PUSH_PLATFORM_ARN": self.push_platform_application_arn,
            "RECAUDO_DIGEST_TOPIC_PREFIX": self.digest_topic_prefix,
        }


def _clients(session_or_clients: Any, endpoint_url: str | None, region: str | None) -> dict[str, Any]:
    if isinstance(session_or_clients, Mapping):
        return {name: session_or_clients[name] for name in ("sqs", "sns", "ses")}
    return {
        name: session_or_clients.client(name, endpoint_url=endpoint_url, region_name=region)
        for name in ("sqs", "sns", "ses")
    }


def ensure_messaging_resources(
    session_or_clients: Any,
    *,
    stage: str,
    sender_email: str,
    endpoint_url: str | None = None,
    region: str | None = None,
) -> MessagingResources:
    """Create (or find) the messaging resources of `stage`; safe to call any number of times.

    `session_or_clients` is a boto3 Session (clients are made with `endpoint_url`/`region`) or a mapping
    with "sqs", "sns" and "ses" clients."""
    clients = _clients(session_or_clients, endpoint_url, region)
    sqs, sns, ses = clients["sqs"], clients["sns"], clients["ses"]

    dlq_url = _queue(
        sqs, f"recaudo-reminders-{stage}-dlq", {"MessageRetentionPeriod": str(DLQ_RETENTION_SECONDS)}
    )
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    queue_url = _queue(
        sqs,
        f"recaudo-reminders-{stage}",
        {
            "VisibilityTimeout": str(QUEUE_VISIBILITY_SECONDS),
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": MAX_RECEIVE_COUNT}
            ),
        },
    )

    feedback_arn = str(sns.create_topic(Name=f"recaudo-delivery-feedback-{stage}")["TopicArn"])
    inbound_arn = str(sns.create_topic(Name=f"recaudo-inbound-sms-{stage}")["TopicArn"])

    domain = sender_email.rpartition("@")[2]
    ses.verify_email_identity(EmailAddress=sender_email)
    if domain:
        ses.verify_domain_identity(Domain=domain)
        for kind in ("Bounce", "Complaint", "Delivery"):
            ses.set_identity_notification_topic(Identity=domain, NotificationType=kind, SnsTopic=feedback_arn)
    configuration_set = f"recaudo-{stage}"
    _configuration_set(ses, configuration_set, feedback_arn)

    return MessagingResources(
        reminder_queue_url=queue_url,
        reminder_dlq_url=dlq_url,
        ses_configuration_set=configuration_set,
        feedback_topic_arn=feedback_arn,
        inbound_sms_topic_arn=inbound_arn,
        push_platform_application_arn=_platform_application(sns, f"recaudo-agents-{stage}"),
        digest_topic_prefix=f"recaudo-digest-{stage}",
    )


def _queue(sqs: Any, name: str, attributes: dict[str, str]) -> str:
    """The queue's URL, its attributes brought to `attributes` (CreateQueue refuses an existing queue
    whose attributes differ, so an existing one is updated instead)."""
    try:
        url = str(sqs.get_queue_url(QueueName=name)["QueueUrl"])
    except ClientError as error:
        if error_code(error) not in ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"):
            raise
        return str(sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"])
    sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
    return url


def _configuration_set(ses: Any, name: str, topic_arn: str) -> None:
    try:
        ses.create_configuration_set(ConfigurationSet={"Name": name})
    except ClientError as error:
        if error_code(error) != "ConfigurationSetAlreadyExists":
            raise
    try:
        ses.create_configuration_set_event_destination(
            ConfigurationSetName=name,
            EventDestination={
                "Name": "delivery-feedback",
                "Enabled": True,
                "MatchingEventTypes": FEEDBACK_EVENTS,
                "SNSDestination": {"TopicARN": topic_arn},
            },
        )
    except ClientError as error:
        if error_code(error) != "EventDestinationAlreadyExists":
            raise


def _platform_application(sns: Any, name: str) -> str:
    """The GCM platform application `name`, reused when it exists so its endpoints stay registered."""
    paginator = sns.get_paginator("list_platform_applications")
    for page in paginator.paginate():
        for app in page.get("PlatformApplications", []):
            arn = str(app["PlatformApplicationArn"])
            if arn.endswith(f":app/GCM/{name}"):
                return arn
    return str(
        sns.create_platform_application(
            Name=name, Platform="GCM", Attributes={"PlatformCredential": LOCAL_PUSH_CREDENTIAL}
        )["PlatformApplicationArn"]
    )
