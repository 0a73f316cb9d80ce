"""Agents' phones: SNS mobile push endpoints (register) and notifications (send)."""

from __future__ import annotations

import json
from typing import Any

from domain.messaging import OutgoingMessage, PermanentSendError, SendReceipt
from infra.messaging.errors import classify


class SnsPushSender:
    def __init__(self, client: Any) -> None:
        self.client = client

    def send(self, message: OutgoingMessage) -> SendReceipt:
        data = dict(message.data)
        payload = {
            "default": message.text or "",
            "GCM": json.dumps(
                {"notification": {"title": message.subject or "", "body": message.text or ""}, "data": data}
            ),
            "APNS": json.dumps(
                {"aps": {"alert": {"title": message.subject or "", "body": message.text or ""}}, **data}
            ),
        }
        try:
            response = self.client.publish(
                TargetArn=message.to, Message=json.dumps(payload), MessageStructure="json"
            )
        except Exception as error:
            failure = classify(error)
            if failure.code == "EndpointDisabled":
                raise PermanentSendError(str(failure), "ENDPOINT_DISABLED") from error
            raise failure from error
        return SendReceipt("sns", str(response["MessageId"]))


class SnsDeviceRegistry:
    def __init__(self, client: Any, platform_application_arn: str) -> None:
        self.client, self.platform_application_arn = client, platform_application_arn

    def register(self, token: str, custom_user_data: str) -> str:
        """The endpoint of this token (created once; re-enabled and re-labelled when it exists)."""
        try:
            arn = str(
                self.client.create_platform_endpoint(
                    PlatformApplicationArn=self.platform_application_arn,
                    Token=token,
                    CustomUserData=custom_user_data,
                )["EndpointArn"]
            )
        except Exception as error:
            raise classify(error) from error
        self.client.set_endpoint_attributes(
            EndpointArn=arn, Attributes={"Enabled": "true", "CustomUserData": custom_user_data}
        )
        return arn
