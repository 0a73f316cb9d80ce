"""Shared GraphQL building blocks: Node and global ids, connections, Money, user errors."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from decimal import Decimal
from enum import Enum
from typing import Annotated, Generic, NoReturn, TypeVar

import strawberry
from graphql import GraphQLError

from domain.errors import DomainError, ErrorCode, Forbidden
from domain.ports import Page, PageRequest

T = TypeVar("T")
MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50

ErrorCodeEnum = strawberry.enum(ErrorCode, name="ErrorCode", description="Machine-readable error codes.")


class ApiError(GraphQLError):
    """A top-level error the client may see (its message is safe); everything else is masked."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, extensions={"code": code})


def not_found(what: str = "object") -> NoReturn:
    raise ApiError("NOT_FOUND", f"{what} not found")


def forbidden(err: Forbidden) -> NoReturn:
    raise ApiError("FORBIDDEN", str(err))


def configured(service: T | None, what: str) -> T:
    """A feature's service from the request context, or UNAVAILABLE when this server runs without it
    (`what`: the feature's name as the sentence's subject, e.g. "promises are")."""
    if service is None:
        raise ApiError("UNAVAILABLE", f"{what} not configured on this server")
    return service


@strawberry.interface(description="An object with a globally unique, opaque id.")
class Node:
    id: strawberry.ID = strawberry.field(description="Opaque global id; use it with `node(id:)`.")


def encode_id(type_name: str, *parts: str) -> strawberry.ID:
    raw = ":".join((type_name, *parts)).encode()
    return strawberry.ID(base64.urlsafe_b64encode(raw).decode().rstrip("="))


def decode_id(value: str, type_name: str | None = None, parts: int | None = None) -> tuple[str, list[str]]:
    """(type, parts) of a global id; a malformed or mistyped id is simply not found."""
    try:
        padded = value + "=" * (-len(value) % 4)
        raw = base64.urlsafe_b64decode(padded.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise DomainError(ErrorCode.NOT_FOUND, "no object has this id", "id") from None
    kind, *rest = raw.split(":")
    if (type_name and kind != type_name) or (parts is not None and len(rest) != parts) or not all(rest):
        raise DomainError(ErrorCode.NOT_FOUND, "no object has this id", "id")
    return kind, rest


def decode_one(value: str, type_name: str, field: str = "id") -> str:
    try:
        return decode_id(value, type_name, 1)[1][0]
    except DomainError:
        raise DomainError(ErrorCode.NOT_FOUND, f"no {type_name} has this id", field) from None


def decode_two(value: str, type_name: str, field: str = "id") -> tuple[str, str]:
    try:
        a, b = decode_id(value, type_name, 2)[1]
    except DomainError:
        raise DomainError(ErrorCode.NOT_FOUND, f"no {type_name} has this id", field) from None
    return a, b


@strawberry.type(description="Relay page information.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool = False
    start_cursor: str | None = None
    end_cursor: str | None = None


@strawberry.type(description="An edge in a connection.")
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type(description="A page of results (Relay connection).")
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo

    @strawberry.field(description="The nodes of this page, without cursors.")
    def nodes(self) -> list[T]:
        return [e.node for e in self.edges]


S = TypeVar("S")


def page_request(first: int | None, after: str | None) -> PageRequest:
    size = DEFAULT_PAGE_SIZE if first is None else first
    if size < 0 or size > MAX_PAGE_SIZE:
        raise ApiError("PAGE_SIZE_EXCEEDED", f"first must be between 0 and {MAX_PAGE_SIZE}")
    return PageRequest(first=size, after=after)


def to_connection(page: Page[S], convert: Callable[[S], T]) -> Connection[T]:
    cursors = page.cursors or [""] * len(page.items)
    edges = [Edge(cursor=c, node=convert(item)) for c, item in zip(cursors, page.items, strict=True)]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=page.end_cursor,
        ),
    )


def list_connection(items: list[T], first: int | None, after: str | None) -> Connection[T]:
    """Paginate a small in-memory list (positions as cursors)."""
    req = page_request(first, after)
    start = 0
    if req.after:
        try:
            start = int(base64.urlsafe_b64decode(req.after.encode()).decode()) + 1
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise ApiError("INVALID_CURSOR", "cursor not recognised") from None
    chunk = items[start : start + req.first]
    edges = [
        Edge(cursor=base64.urlsafe_b64encode(str(start + i).encode()).decode(), node=n)
        for i, n in enumerate(chunk)
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=start + req.first < len(items),
            has_previous_page=start > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )


@strawberry.type(description="An amount of money: a decimal string in the currency's minor units.")
class Money:
    amount: str = strawberry.field(description="Decimal string, e.g. `1234.50` (never a float).")
    currency: str = strawberry.field(description="ISO 4217 code.")

    @classmethod
    def of(cls, amount: Decimal, currency: str) -> Money:
        return cls(amount=str(amount), currency=currency)


@strawberry.type(description="A problem with the input of a mutation; nothing was changed.")
class UserError:
    field: str | None = strawberry.field(description="The input field at fault, when there is one.")
    code: ErrorCodeEnum  # type: ignore[valid-type]
    message: str


def user_errors(err: DomainError) -> list[UserError]:
    return [UserError(field=e.field, code=e.code, message=e.message) for e in err.errors]


DecimalInput = Annotated[
    str, strawberry.argument(description='A decimal amount as a string, e.g. `"150.00"`.')
]


def enum_value(value: Enum | None) -> str | None:
    return value.value if value is not None else None
