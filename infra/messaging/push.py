"""Agents' phones: SNS mobile push endpoints (register) and notifications (send)."""

from __future__ import annotations

import json
import re
from typing import Any

from botocore.exceptions import ClientError

from domain.messaging import OutgoingMessage, SendError, SendReceipt
from infra.messaging.errors import classify, error_code

_EXISTING = re.compile(r"Endpoint (arn:\S+) already exists with the same [Tt]oken")


def push_payload(message: OutgoingMessage) -> dict[str, str]:
    """The per-platform bodies of one notification (`MessageStructure=json`): FCM in its HTTP v1 shape,
    APNs (production and sandbox) with the custom data beside `aps`, and a plain default."""
    title, body, data = (
        message.subject or "",
        message.text or "",
        {k: str(v) for k, v in message.data.items()},
    )
    apns = json.dumps({"aps": {"alert": {"title": title, "body": body}, "sound": "default"}, **data})
    fcm = {"fcmV1Message": {"message": {"notification": {"title": title, "body": body}, "data": data}}}
    return {"default": body or title, "GCM": json.dumps(fcm), "APNS": apns, "APNS_SANDBOX": apns}


class SnsPushSender:
    """Publishes to a platform endpoint ARN (`message.to`). A disabled endpoint (the app was removed or
    its token expired) is a PermanentSendError with code ENDPOINT_DISABLED."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def send(self, message: OutgoingMessage) -> SendReceipt:
        try:
            response = self.client.publish(
                TargetArn=message.to, Message=json.dumps(push_payload(message)), MessageStructure="json"
            )
        except Exception as error:
            raise classify(error) from error
        return SendReceipt("sns", str(response["MessageId"]))


class SnsDeviceRegistry:
    """One SNS endpoint per device token under the agents' platform application, kept enabled and
    labelled with `custom_user_data` (tenant/agent) as AWS recommends for token management."""

    def __init__(self, client: Any, platform_application_arn: str) -> None:
        self.client, self.platform_application_arn = client, platform_application_arn

    def register(self, token: str, custom_user_data: str) -> str:
        """The endpoint ARN of this token: created once; when it exists with other attributes (another
        agent, disabled after a failed delivery) it is updated and re-enabled. Raises SendError."""
        try:
            arn = self._create_or_find(token, custom_user_data)
            try:
                attributes = self.client.get_endpoint_attributes(EndpointArn=arn)["Attributes"]
            except ClientError as error:
                if error_code(error) not in ("NotFound", "ResourceNotFound"):
                    raise
                # Deleted between the two calls (SNS deletes endpoints FCM reports unregistered).
                arn, attributes = self._create_or_find(token, custom_user_data), {}
            current = (
                attributes.get("Token"),
                str(attributes.get("Enabled", "")).lower(),
                attributes.get("CustomUserData"),
            )
            if current != (token, "true", custom_user_data):
                self.client.set_endpoint_attributes(
                    EndpointArn=arn,
                    Attributes={"Token": token, "Enabled": "true", "CustomUserData": custom_user_data},
                )
        except SendError:
            raise
        except Exception as error:
            raise classify(error) from error
        return arn

    def _create_or_find(self, token: str, custom_user_data: str) -> str:
        try:
            response = self.client.create_platform_endpoint(
                PlatformApplicationArn=self.platform_application_arn,
                Token=token,
                CustomUserData=custom_user_data,
            )
            return str(response["EndpointArn"])
        except ClientError as error:
            if error_code(error) != "InvalidParameter":
                raise
            message = str(error.response.get("Error", {}).get("Message", ""))
            found = _EXISTING.search(message)
            if found:
                return found.group(1).rstrip(".,")
            existing = self._find(token)
            if existing is None:
                raise
            return existing

    def _find(self, token: str) -> str | None:
        """The endpoint holding `token`, when SNS's refusal did not name it (a slow path: pages through
        the application's endpoints)."""
        paginator = self.client.get_paginator("list_endpoints_by_platform_application")
        for page in paginator.paginate(PlatformApplicationArn=self.platform_application_arn):
            for endpoint in page.get("Endpoints", []):
                if endpoint.get("Attributes", {}).get("Token") == token:
                    return str(endpoint["EndpointArn"])
        return None
