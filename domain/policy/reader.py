"""A YAML reader that knows where it is: every error names the file and the field, unknown keys are
rejected (a typo in a rule must not silently drop the rule)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, TypeVar

_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
E = TypeVar("E", bound=StrEnum)


def _names(kind: type[StrEnum]) -> str:
    return ", ".join(member.value.lower() for member in kind)


class PolicyFileError(ValueError):
    """A policy data file is malformed; `file` and `field` say where."""

    def __init__(self, file: str, field: str, message: str) -> None:
        super().__init__(f"{file}: {field}: {message}")
        self.file = file
        self.field = field


class Node:
    """A YAML mapping that knows where it is, for error messages, and rejects unknown keys."""

    def __init__(self, data: object, file: str, path: str) -> None:
        if not isinstance(data, dict):
            raise PolicyFileError(file, path or "<root>", "expected a mapping")
        self.data: dict[str, Any] = data
        self.file, self.path = file, path
        self._seen: set[str] = set()

    def where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def error(self, key: str, message: str) -> PolicyFileError:
        return PolicyFileError(self.file, self.where(key), message)

    def get(self, key: str, default: Any = None) -> Any:
        self._seen.add(key)
        return self.data.get(key, default)

    def req(self, key: str) -> Any:
        if self.data.get(key) is None:
            raise self.error(key, "is required")
        return self.get(key)

    def text(self, key: str) -> str:
        value = self.req(key)
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, "expected a non-empty string")
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, "expected true or false")
        return value

    def child(self, key: str) -> Node:
        return Node(self.req(key), self.file, self.where(key))

    def children(self, key: str) -> Iterator[Node]:
        value = self.get(key, [])
        if not isinstance(value, list):
            raise self.error(key, "expected a list")
        for index, item in enumerate(value):
            yield Node(item, self.file, f"{self.where(key)}[{index}]")

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(key, "expected a list of strings")
        return tuple(value)

    def enums(self, key: str, kind: type[E], default: frozenset[E]) -> frozenset[E]:
        value = self.get(key)
        if value is None:
            return default
        if value == "*":
            return frozenset(kind)
        if not isinstance(value, list):
            raise self.error(key, f"expected '*' or a list of {_names(kind)}")
        return frozenset(self.member(key, kind, item) for item in value)

    def one(self, key: str, kind: type[E]) -> E:
        return self.member(key, kind, self.req(key))

    def member(self, key: str, kind: type[E], value: object) -> E:
        # Files write enum values in lower case ("call", "attempt"); the code's spelling may differ.
        for member in kind:
            if member.value.lower() == str(value).lower():
                return member
        raise self.error(key, f"{value!r} is not one of {_names(kind)}")

    def day(self, key: str) -> date | None:
        value = self.get(key)
        if value is not None and not isinstance(value, date):
            raise self.error(key, "expected a date (YYYY-MM-DD) or null")
        return value

    def duration(self, key: str) -> timedelta | None:
        value = self.get(key)
        if value is None:
            return None
        match = _DURATION.match(str(value))
        if not match:
            raise self.error(key, "expected a duration like 15m, 48h or 7d")
        return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})

    def rule(self) -> tuple[str, str]:
        """The `id` and legal `source` every rule carries."""
        return self.text("id"), self.text("source")

    def close(self) -> None:
        unknown = sorted(set(self.data) - self._seen)
        if unknown:
            raise self.error(unknown[0], "unknown field")
