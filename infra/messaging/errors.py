"""botocore errors → the dispatcher's TransientSendError / PermanentSendError, in one place."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, ReadTimeoutError

from domain.messaging import PermanentSendError, SendError, TransientSendError

TRANSIENT = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "InternalFailure",
        "InternalServerError",
        "InternalServerException",
        "RequestTimeout",
        "RequestTimeoutException",
        # Sending paused for the account is an operator's problem to fix, not the message's: retry.
        "AccountSendingPausedException",
    }
)


def classify(error: Exception) -> SendError:
    """Throttling, timeouts and provider-side failures are retried; anything about the message or the
    recipient (rejected, invalid parameter, opted out, disabled endpoint) is permanent."""
    if isinstance(error, ClientError):
        code = str(error.response.get("Error", {}).get("Code", ""))
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        message = str(error.response.get("Error", {}).get("Message", code))
        if code in TRANSIENT or status >= 500:
            return TransientSendError(message, code)
        return PermanentSendError(message, code)
    if isinstance(error, ConnectionError | ReadTimeoutError | BotoCoreError):
        return TransientSendError(str(error), type(error).__name__)
    return PermanentSendError(str(error), type(error).__name__)
