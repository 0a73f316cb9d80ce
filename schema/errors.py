"""Turning domain failures into GraphQL answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from domain.errors import DomainError, Forbidden
from schema.common import ApiError, UserError, forbidden, user_errors

T = TypeVar("T")


def attempt(action: Callable[[], T]) -> tuple[T | None, list[UserError]]:
    """Run a mutation's use case: business failures become payload errors, permission ones top-level."""
    try:
        return action(), []
    except DomainError as err:
        return None, user_errors(err)
    except Forbidden as err:
        forbidden(err)


def query(action: Callable[[], T]) -> T:
    """Run a query's use case: every failure is a top-level error with a code."""
    try:
        return action()
    except DomainError as err:
        raise ApiError(err.code.value, str(err)) from None
    except Forbidden as err:
        forbidden(err)
