"""Agents' push: endpoints registered once per token (re-labelled and re-enabled as needed) and
notifications published to them with FCM and APNs bodies."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import moto
import pytest
from botocore.stub import Stubber

from domain.messaging import OutgoingMessage, PermanentSendError, SendChannel
from infra.messaging.push import SnsDeviceRegistry, SnsPushSender, push_payload

from . import REGION, backend

APP = "arn:aws:sns:us-east-1:123456789012:app/GCM/recaudo-agents"


@pytest.fixture
def registry() -> Iterator[SnsDeviceRegistry]:
    with moto.mock_aws():
        sns = boto3.client("sns", region_name=REGION)
        app = sns.create_platform_application(
            Name="recaudo-agents", Platform="GCM", Attributes={"PlatformCredential": "local-key"}
        )
        yield SnsDeviceRegistry(sns, app["PlatformApplicationArn"])


def _task(arn: str) -> OutgoingMessage:
    return OutgoingMessage(
        SendChannel.PUSH,
        arn,
        "task-1",
        "acme",
        subject="Nueva gestión",
        text="Llamar a Rosa Quispe hoy",
        data={"taskId": "01JF0TASK", "debtorId": "01JF0DEBTOR"},
    )


def test_a_token_is_registered_once_and_notified(registry: SnsDeviceRegistry) -> None:
    # GIVEN an agent's phone registered twice with the same data
    arn = registry.register("fcm-token-123", "acme/ag-1")
    assert registry.register("fcm-token-123", "acme/ag-1") == arn
    assert len(backend("sns").platform_endpoints) == 1

    # WHEN a task notification is pushed THEN SNS holds the per-platform bodies
    receipt = SnsPushSender(registry.client).send(_task(arn))
    assert receipt.provider == "sns" and receipt.provider_message_id
    stored = backend("sns").platform_endpoints[arn].messages[receipt.provider_message_id]
    bodies = json.loads(stored)
    fcm = json.loads(bodies["GCM"])["fcmV1Message"]["message"]
    assert fcm["notification"] == {"title": "Nueva gestión", "body": "Llamar a Rosa Quispe hoy"}
    assert fcm["data"] == {"taskId": "01JF0TASK", "debtorId": "01JF0DEBTOR"}
    apns = json.loads(bodies["APNS"])
    assert apns["aps"]["alert"]["body"] == "Llamar a Rosa Quispe hoy" and apns["taskId"] == "01JF0TASK"
    assert bodies["default"] == "Llamar a Rosa Quispe hoy"


def test_a_token_moved_to_another_agent_is_relabelled_on_the_same_endpoint(
    registry: SnsDeviceRegistry,
) -> None:
    arn = registry.register("fcm-token-123", "acme/ag-1")
    assert registry.register("fcm-token-123", "acme/ag-2") == arn
    attributes = registry.client.get_endpoint_attributes(EndpointArn=arn)["Attributes"]
    assert attributes["CustomUserData"] == "acme/ag-2"
    assert len(backend("sns").platform_endpoints) == 1


def test_a_disabled_endpoint_refuses_pushes_until_registered_again(registry: SnsDeviceRegistry) -> None:
    # GIVEN an endpoint SNS disabled (FCM said the token is no longer valid)
    arn = registry.register("fcm-token-123", "acme/ag-1")
    registry.client.set_endpoint_attributes(EndpointArn=arn, Attributes={"Enabled": "false"})

    # WHEN a push goes to it THEN it is a permanent ENDPOINT_DISABLED
    with pytest.raises(PermanentSendError) as err:
        SnsPushSender(registry.client).send(_task(arn))
    assert err.value.code == "ENDPOINT_DISABLED"

    # WHEN the app registers the token again THEN the same endpoint is enabled and pushes go through
    assert registry.register("fcm-token-123", "acme/ag-1") == arn
    assert registry.client.get_endpoint_attributes(EndpointArn=arn)["Attributes"]["Enabled"] == "true"
    assert SnsPushSender(registry.client).send(_task(arn)).provider_message_id


def test_an_existing_endpoint_named_in_snss_refusal_is_reused() -> None:
    client = boto3.client("sns", region_name=REGION)
    existing = (
        "arn:aws:sns:us-east-1:123456789012:endpoint/GCM/recaudo-agents/5e3e9847-3183-3f18-a7e8-671c3a57d4b3"
    )
    with Stubber(client) as stub:
        stub.add_client_error(
            "create_platform_endpoint",
            "InvalidParameter",
            f"Invalid parameter: Token Reason: Endpoint {existing} already exists with the same Token, "
            "but different attributes.",
            400,
        )
        stub.add_response(
            "get_endpoint_attributes",
            {"Attributes": {"Token": "tok", "Enabled": "false", "CustomUserData": "acme/ag-1"}},
            {"EndpointArn": existing},
        )
        stub.add_response(
            "set_endpoint_attributes",
            {},
            {
                "EndpointArn": existing,
                "Attributes": {"Token": "tok", "Enabled": "true", "CustomUserData": "acme/ag-2"},
            },
        )
        assert SnsDeviceRegistry(client, APP).register("tok", "acme/ag-2") == existing
        stub.assert_no_pending_responses()


def test_an_invalid_token_is_a_permanent_error() -> None:
    client = boto3.client("sns", region_name=REGION)
    with Stubber(client) as stub:
        stub.add_client_error("create_platform_endpoint", "InvalidParameter", "Invalid parameter: Token", 400)
        stub.add_response(
            "list_endpoints_by_platform_application", {"Endpoints": []}, {"PlatformApplicationArn": APP}
        )
        with pytest.raises(PermanentSendError) as err:
            SnsDeviceRegistry(client, APP).register("", "acme/ag-1")
    assert err.value.code == "InvalidParameter"


def test_the_payload_has_a_body_for_every_platform() -> None:
    payload = push_payload(OutgoingMessage(SendChannel.PUSH, "arn", "r", "acme", subject="Solo título"))
    assert set(payload) == {"default", "GCM", "APNS", "APNS_SANDBOX"}
    assert payload["default"] == "Solo título"
