"""Business errors raised by use cases and mapped to `UserError` payloads by the API."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    """Stable, machine-readable error codes shared by every mutation payload."""

    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    DUPLICATE = "DUPLICATE"
    CONFLICT = "CONFLICT"
    INVALID_DOCUMENT = "INVALID_DOCUMENT"
    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID_PHONE = "INVALID_PHONE"
    INVALID_COUNTRY = "INVALID_COUNTRY"
    INVALID_CURRENCY = "INVALID_CURRENCY"
    INVALID_TIME_ZONE = "INVALID_TIME_ZONE"
    INVALID_LOCALE = "INVALID_LOCALE"
    INVALID_AMOUNT = "INVALID_AMOUNT"
    INVALID_DATE = "INVALID_DATE"
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
    INVALID_ALLOCATION = "INVALID_ALLOCATION"
    ALREADY_REVERSED = "ALREADY_REVERSED"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    INVALID_STATE = "INVALID_STATE"
    TENANT_NOT_CONFIGURED = "TENANT_NOT_CONFIGURED"
    TOO_MANY_ROWS = "TOO_MANY_ROWS"
    PAGE_SIZE_EXCEEDED = "PAGE_SIZE_EXCEEDED"
    INVALID_CURSOR = "INVALID_CURSOR"
    TEMPLATE_SYNTAX_ERROR = "TEMPLATE_SYNTAX_ERROR"
    TEMPLATE_UNKNOWN_VARIABLE = "TEMPLATE_UNKNOWN_VARIABLE"
    TEMPLATE_MISSING_PART = "TEMPLATE_MISSING_PART"
    TEMPLATE_RENDER_FAILED = "TEMPLATE_RENDER_FAILED"
    TEMPLATE_CHANNEL_MISMATCH = "TEMPLATE_CHANNEL_MISMATCH"
    POLICY_LOOSENED = "POLICY_LOOSENED"
    UNKNOWN_JURISDICTION = "UNKNOWN_JURISDICTION"
    NOT_AVAILABLE = "NOT_AVAILABLE"
    PROMISE_AMOUNT_EXCEEDS_BALANCE = "PROMISE_AMOUNT_EXCEEDS_BALANCE"
    PROMISE_DATE_OUT_OF_RANGE = "PROMISE_DATE_OUT_OF_RANGE"
    PROMISE_ALREADY_PENDING = "PROMISE_ALREADY_PENDING"
    SUPERVISOR_APPROVAL_REQUIRED = "SUPERVISOR_APPROVAL_REQUIRED"
    SNAPSHOT_NOT_FOUND = "SNAPSHOT_NOT_FOUND"
    PLAN_ALREADY_ACTIVE = "PLAN_ALREADY_ACTIVE"
    PLAN_DOWN_PAYMENT_TOO_LARGE = "PLAN_DOWN_PAYMENT_TOO_LARGE"
    PLAN_TOO_MANY_INSTALMENTS = "PLAN_TOO_MANY_INSTALMENTS"
    PLAN_DATE_OUT_OF_RANGE = "PLAN_DATE_OUT_OF_RANGE"
    PLAN_INSTALMENT_TOO_SMALL = "PLAN_INSTALMENT_TOO_SMALL"
    EXTENSION_LIMIT_REACHED = "EXTENSION_LIMIT_REACHED"
    EXTENSION_TOO_LONG = "EXTENSION_TOO_LONG"
    DISCOUNT_OFFER_ALREADY_ACTIVE = "DISCOUNT_OFFER_ALREADY_ACTIVE"


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field."""

    code: ErrorCode
    message: str
    field: str | None = None


class DomainError(Exception):
    """An expected business failure; carries one or more field errors."""

    def __init__(self, code: ErrorCode, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.errors: list[FieldError] = [FieldError(code, message, field)]

    @classmethod
    def many(cls, errors: list[FieldError]) -> DomainError:
        first = errors[0]
        err = cls(first.code, first.message, first.field)
        err.errors = list(errors)
        return err

    @property
    def code(self) -> ErrorCode:
        return self.errors[0].code


class NotFound(DomainError):
    def __init__(self, what: str, field: str | None = "id") -> None:
        super().__init__(ErrorCode.NOT_FOUND, f"{what} not found", field)


class Forbidden(Exception):
    """The principal may not perform this action at all (a top-level API error, not a payload error)."""


class ConcurrencyConflict(Exception):
    """An optimistic-lock condition failed; the use case re-reads and retries."""


class UniquenessConflict(Exception):
    """A unique claim (external id, idempotency key) already exists."""

    def __init__(self, claim: str) -> None:
        super().__init__(claim)
        self.claim = claim
