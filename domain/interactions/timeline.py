"""The debtor timeline ("debtor 360"): every source of the debtor's history merged newest first.

Sources are pluggable (`TimelineSource`): interactions, messages, payments, disputes and adjustments
today; promises and plans join by adding one source to the list the composition root passes in.

Paging is a k-way merge. The cursor holds, per source, the position of the last entry of that source
already shown (or "done" once it is exhausted); a page asks each live source for `first + 1` entries
older than its position — one Query per source, never more — merges them by time and keeps `first`.
Entries a page fetched but did not show are fetched again by the next page, so nothing is skipped.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.entities import Debtor
from domain.errors import DomainError, ErrorCode, NotFound
from domain.ports import Page, PageRequest
from domain.principal import Action, Principal

_DONE = ""


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    """INTERACTION, MESSAGE, PAYMENT, DISPUTE, ADJUSTMENT (PROMISE, PLAN … as their sources join)."""
    summary: str
    position: str
    """Where the entry sits in its source; positions sort like `at` within one source."""
    payload: object
    """The domain record (Interaction, Message, Payment, Dispute, Adjustment …)."""


class TimelineSource(Protocol):
    name: str
    """Stable and unique: it names the source in cursors."""

    def entries(self, tenant: str, debtor_id: str, before: str | None, limit: int) -> list[TimelineEntry]:
        """At most `limit` entries strictly older than position `before` (all when None), newest first."""
        ...


def _encode(tenant: str, debtor_id: str, positions: dict[str, str | None]) -> str:
    text = json.dumps({"t": tenant, "d": debtor_id, "p": positions}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(cursor: str, tenant: str, debtor_id: str) -> dict[str, str | None]:
    try:
        raw = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        raise DomainError(ErrorCode.INVALID_CURSOR, "the cursor is not valid", "after") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("p"), dict):
        raise DomainError(ErrorCode.INVALID_CURSOR, "the cursor is not valid", "after")
    if raw.get("t") != tenant or raw.get("d") != debtor_id:
        raise DomainError(ErrorCode.NOT_FOUND, "cursor not found", "after")
    positions: dict[str, str | None] = raw["p"]
    if not all(isinstance(v, str) or v is None for v in positions.values()):
        raise DomainError(ErrorCode.INVALID_CURSOR, "the cursor is not valid", "after")
    return positions


class Timeline:
    def __init__(self, sources: Sequence[TimelineSource]) -> None:
        names = [s.name for s in sources]
        if len(set(names)) != len(names):
            raise ValueError(f"timeline source names must be unique: {names}")
        self.sources = list(sources)

    def page(self, principal: Principal, debtor: Debtor, request: PageRequest) -> Page[TimelineEntry]:
        """One page of the debtor's timeline, newest first (agents: assigned debtors only). The debtor is
        the one the caller already read (the nested `Debtor.timeline` field costs no extra read)."""
        principal.require(Action.DEBTOR_READ)
        if debtor.tenant != principal.tenant or not principal.sees_agent(debtor.assigned_agent_id):
            raise NotFound("debtor", "debtorId")
        return self._merge(principal.tenant, debtor.id, request)

    def _merge(self, tenant: str, debtor_id: str, request: PageRequest) -> Page[TimelineEntry]:
        positions: dict[str, str | None] = {s.name: None for s in self.sources}
        if request.after:
            positions.update(_decode(request.after, tenant, debtor_id))
        first = max(0, request.first)
        fetched: dict[str, list[TimelineEntry]] = {}
        for source in self.sources:
            before = positions[source.name]
            if before == _DONE or first == 0:
                continue
            fetched[source.name] = source.entries(tenant, debtor_id, before, first + 1)
        pool = [(entry, name) for name, entries in fetched.items() for entry in entries]
        pool.sort(key=lambda pair: (pair[0].at, pair[1], pair[0].position), reverse=True)
        shown = pool[:first]
        cursors: list[str] = []
        for entry, name in shown:
            positions[name] = entry.position
            cursors.append(_encode(tenant, debtor_id, positions))
        for name, entries in fetched.items():
            if len(entries) <= first and all(any(e is s for s, _ in shown) for e in entries):
                positions[name] = _DONE  # everything it had is shown: no Query for it next time
        end = _encode(tenant, debtor_id, positions) if shown else None
        if cursors:
            cursors[-1] = end or cursors[-1]
        more = len(pool) > len(shown)
        return Page([entry for entry, _ in shown], end, more, cursors)
