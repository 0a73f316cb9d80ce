"""botocore errors → the dispatcher's TransientSendError / PermanentSendError, in one place.

The rule: an error about *this message or this recipient* is permanent (sending it again gets the same
answer); an error about *the provider or our own set-up* is transient (the dispatcher retries with
backoff and gives up after its attempt limit, so a misconfiguration parks messages for a while instead of
failing a whole day of reminders at once). Codes not listed are judged by HTTP status: 5xx and 429 are
transient, any other 4xx is permanent (the provider looked at the request and refused it).
"""

from __future__ import annotations

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectionError,
    CredentialRetrievalError,
    IncompleteReadError,
    NoCredentialsError,
    PartialCredentialsError,
    ReadTimeoutError,
    ResponseStreamingError,
)

from domain.messaging import PermanentSendError, SendError, TransientSendError

THROTTLING = frozenset(
    {
        "Throttling",  # SES (rate and daily quota)
        "ThrottlingException",
        "TooManyRequestsException",  # SES v2
        "Throttled",  # SNS ThrottledException
        "ThrottledRequestException",  # End User Messaging Social
        "KMSThrottling",  # SNS on an encrypted topic
        "LimitExceededException",  # End User Messaging Social: rate limits
        "RequestLimitExceeded",
        "SlowDown",
        "ConcurrentAccess",  # SNS: another request on the same resource
    }
)
PROVIDER_FAILURE = frozenset(
    {
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "InternalFailure",
        "InternalError",  # SNS InternalErrorException
        "InternalServerError",
        "InternalServerException",
        "InternalServiceException",  # End User Messaging Social
        "InternalServiceErrorException",  # SES v2
        "DependencyException",  # End User Messaging Social: Meta did not answer
        "RequestTimeout",
        "RequestTimeoutException",
        "PriorRequestNotComplete",
    }
)
OUR_SETUP = frozenset(
    {
        # Credentials and permissions of the function: fixed by a deploy, not by the message.
        "AccessDenied",
        "AccessDeniedException",
        "AuthorizationError",  # SNS
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredToken",
        "ExpiredTokenException",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "MissingAuthenticationToken",
        # The account or a shared resource is paused or unusable for every message alike.
        "AccountSendingPausedException",
        "ConfigurationSetSendingPausedException",
        "ConfigurationSetDoesNotExist",
        "SendingPausedException",  # SES v2
        "PlatformApplicationDisabled",  # SNS push: the FCM/APNs credential expired
        "AccessDeniedByMetaException",  # WhatsApp: the business account lost its access at Meta
        "KMSAccessDenied",
        "KMSDisabled",
        "KMSInvalidState",
        "KMSNotFound",
        "KMSOptInRequired",
    }
)
TRANSIENT = THROTTLING | PROVIDER_FAILURE | OUR_SETUP

PERMANENT = frozenset(
    {
        "MessageRejected",  # SES: content or (sandbox) recipient refused
        "MailFromDomainNotVerifiedException",
        "FromEmailAddressNotVerified",
        "InvalidParameter",  # SNS: bad number, bad endpoint, message too long
        "InvalidParameterValue",
        "ParameterValueInvalid",  # SNS InvalidParameterValueException
        "InvalidParametersException",  # End User Messaging Social
        "ValidationException",
        "ValidationError",
        "OptedOut",
        "EndpointDisabled",
        "NotFound",  # SNS: the push endpoint was deleted
        "ResourceNotFound",
        "ResourceNotFoundException",
    }
)
"""Listed for the reader; any 4xx code not in TRANSIENT is permanent anyway."""

NORMALISED = {"OptedOut": "OPTED_OUT", "EndpointDisabled": "ENDPOINT_DISABLED"}
"""Provider codes the domain acts on, under the domain's names (an opted-out number is recorded as such,
a disabled push endpoint is forgotten)."""

_NETWORK = (
    ConnectionError,  # EndpointConnectionError, ConnectTimeoutError, SSLError, ProxyConnectionError
    ReadTimeoutError,
    ConnectionClosedError,
    ResponseStreamingError,
    IncompleteReadError,
)
_CREDENTIALS = (NoCredentialsError, PartialCredentialsError, CredentialRetrievalError)


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", "") or "")


def classify(error: Exception) -> SendError:
    """The send error the dispatcher understands, for any exception raised while calling a provider.

    A read timeout or a dropped connection is transient although the provider may already have accepted
    the message: the dispatcher's idempotency (claim before sending) bounds what a retry can repeat.
    A botocore error raised before the request left (a missing parameter, a bad type) is our bug and
    permanent; so is any other exception (retrying the same input fails the same way).
    """
    if isinstance(error, SendError):
        return error
    if isinstance(error, ClientError):
        code = error_code(error)
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        message = str(error.response.get("Error", {}).get("Message", "") or code or str(error))
        if code in TRANSIENT or (code not in PERMANENT and (status >= 500 or status == 429)):
            return TransientSendError(message, code)
        return PermanentSendError(message, NORMALISED.get(code, code))
    if isinstance(error, _NETWORK + _CREDENTIALS):
        return TransientSendError(str(error), type(error).__name__)
    if isinstance(error, BotoCoreError):
        return PermanentSendError(str(error), type(error).__name__)
    return PermanentSendError(str(error) or type(error).__name__, type(error).__name__)
