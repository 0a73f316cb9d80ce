"""The timeline merge: newest first across sources, pages that neither skip nor repeat, one call per
live source per page, exhausted sources not asked again, cursors bound to tenant and debtor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.entities import Debtor, PartyKind
from domain.errors import DomainError, ErrorCode, NotFound
from domain.interactions.timeline import Timeline
from domain.ports import PageRequest
from domain.principal import Principal, Role
from tests.unit.interactions.fakes import ListSource

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _debtor(agent: str | None = "ag-1") -> Debtor:
    return Debtor("acme", "dr-1", "C-1", PartyKind.PERSON, "Juan", None, None, "America/Lima", "PE",
                  assigned_agent_id=agent)  # fmt: skip


def _at(*hours: int) -> list[datetime]:
    return [T0 + timedelta(hours=h) for h in hours]


ADMIN = Principal("u", "acme", Role.ADMIN)


def test_pages_walk_every_entry_once_newest_first() -> None:
    calls = ListSource("calls", _at(1, 4, 4, 9, 10))
    payments = ListSource("payments", _at(2, 4, 8))
    notes = ListSource("notes", [])
    timeline = Timeline([calls, payments, notes])
    seen: list[tuple[datetime, str]] = []
    after = None
    pages = 0
    while True:
        page = timeline.page(ADMIN, _debtor(), PageRequest(first=3, after=after))
        pages += 1
        seen += [(e.at, e.summary) for e in page.items]
        assert len(page.cursors) == len(page.items)
        if not page.has_next_page:
            break
        after = page.end_cursor
    assert len(seen) == 8 and len(set(seen)) == 8
    assert [at for at, _ in seen] == sorted((at for at, _ in seen), reverse=True)
    assert pages == 3
    assert notes.calls == 1  # empty on the first page: never asked again
    assert calls.calls <= pages and payments.calls <= pages


def test_every_edge_cursor_resumes_right_after_its_entry() -> None:
    timeline = Timeline([ListSource("a", _at(1, 3, 5)), ListSource("b", _at(2, 4))])
    page = timeline.page(ADMIN, _debtor(), PageRequest(first=5))
    for n, cursor in enumerate(page.cursors[:-1]):
        rest = timeline.page(ADMIN, _debtor(), PageRequest(first=5, after=cursor))
        assert [e.at for e in rest.items] == [e.at for e in page.items[n + 1 :]]


def test_cursors_are_bound_to_tenant_and_debtor_and_agents_to_their_debtors() -> None:
    timeline = Timeline([ListSource("a", _at(1, 2, 3))])
    cursor = timeline.page(ADMIN, _debtor(), PageRequest(first=1)).end_cursor
    assert cursor
    other = Principal("u", "globex", Role.ADMIN)
    with pytest.raises(DomainError) as err:
        timeline.page(other, Debtor(**{**_debtor().__dict__, "tenant": "globex"}), PageRequest(1, cursor))
    assert err.value.code is ErrorCode.NOT_FOUND
    with pytest.raises(DomainError) as err:
        timeline.page(ADMIN, _debtor(), PageRequest(first=1, after="garbage!"))
    assert err.value.code is ErrorCode.INVALID_CURSOR
    with pytest.raises(NotFound):
        timeline.page(Principal("g", "acme", Role.AGENT, "ag-2"), _debtor(), PageRequest())
    assert timeline.page(Principal("g", "acme", Role.AGENT, "ag-1"), _debtor(), PageRequest()).items


def test_source_names_must_be_unique() -> None:
    with pytest.raises(ValueError):
        Timeline([ListSource("a", []), ListSource("a", [])])
