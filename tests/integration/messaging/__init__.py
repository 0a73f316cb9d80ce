"""Provider adapters of the reminder engine against moto (SES, SNS, SQS) and botocore's Stubber.

Helpers shared by the modules of this package; each module opens moto's in-process mock in its own
`aws` fixture.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

EVENTS = Path(__file__).resolve().parents[2] / "events" / "messaging"
REGION = "us-east-1"


def client_error(code: str, message: str = "", status: int = 400, operation: str = "Send") -> ClientError:
    response: Any = {
        "Error": {"Code": code, "Message": message or code},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return ClientError(response, operation)


def event(name: str) -> dict[str, Any]:
    """A sample notification from tests/events/messaging/."""
    loaded: dict[str, Any] = json.loads((EVENTS / name).read_text(encoding="utf-8"))
    return loaded


def backend(service: str) -> Any:
    """moto's in-memory backend of `service` for the default account and region."""
    from moto.backends import get_backend
    from moto.core.models import DEFAULT_ACCOUNT_ID

    return get_backend(service)[DEFAULT_ACCOUNT_ID][REGION]  # type: ignore[call-overload]
