"""One place decides what is retried: provider and set-up failures are transient, refusals permanent."""

from __future__ import annotations

import pytest
from botocore.exceptions import (
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ParamValidationError,
    ReadTimeoutError,
)

from domain.messaging import PermanentSendError, TransientSendError
from infra.messaging.errors import classify

from . import client_error


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("Throttling", 400),
        ("ThrottlingException", 400),
        ("TooManyRequestsException", 429),
        ("Throttled", 429),
        ("ThrottledRequestException", 429),
        ("ServiceUnavailable", 503),
        ("InternalFailure", 500),
        ("InternalError", 500),
        ("RequestTimeout", 408),
        ("DependencyException", 502),
        ("AccessDenied", 403),
        ("AccountSendingPausedException", 400),
        ("KMSThrottling", 400),
        ("SomethingNew", 503),
        ("SomethingNew", 429),
    ],
)
def test_provider_and_setup_failures_are_retried(code: str, status: int) -> None:
    # GIVEN a provider error about the provider or our set-up WHEN classified THEN it is transient
    error = classify(client_error(code, status=status))
    assert isinstance(error, TransientSendError) and error.code == code


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("MessageRejected", "MessageRejected"),
        ("InvalidParameter", "InvalidParameter"),
        ("InvalidParameterValue", "InvalidParameterValue"),
        ("MailFromDomainNotVerifiedException", "MailFromDomainNotVerifiedException"),
        ("ValidationException", "ValidationException"),
        ("OptedOut", "OPTED_OUT"),
        ("EndpointDisabled", "ENDPOINT_DISABLED"),
        ("SomethingNew", "SomethingNew"),
    ],
)
def test_refusals_of_the_message_or_recipient_are_permanent(code: str, expected: str) -> None:
    error = classify(client_error(code, status=400))
    assert isinstance(error, PermanentSendError) and error.code == expected


@pytest.mark.parametrize(
    "error",
    [
        ReadTimeoutError(endpoint_url="https://email.us-east-1.amazonaws.com"),
        ConnectTimeoutError(endpoint_url="https://sns.us-east-1.amazonaws.com"),
        EndpointConnectionError(endpoint_url="https://sns.us-east-1.amazonaws.com"),
        NoCredentialsError(),
    ],
)
def test_network_and_credential_failures_are_transient(error: Exception) -> None:
    assert isinstance(classify(error), TransientSendError)


def test_our_own_bugs_are_permanent() -> None:
    assert isinstance(classify(ParamValidationError(report="Missing required parameter")), PermanentSendError)
    assert classify(ValueError("bad header")).code == "ValueError"


def test_send_errors_pass_through_unchanged() -> None:
    original = PermanentSendError("+51987654321 opted out of SMS", "OPTED_OUT")
    assert classify(original) is original
