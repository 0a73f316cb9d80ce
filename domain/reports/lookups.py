"""Names for ids while rows stream: debtors fetched a chunk at a time, portfolios once."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from domain.entities import Debtor, Portfolio
from domain.ports import LedgerRepository
from domain.reports.paging import chunked

T = TypeVar("T")

CHUNK = 100
"""Rows enriched per BatchGetItem of their debtors."""
_CACHE_LIMIT = 5_000
"""Debtors kept between chunks (a debtor's debts are often adjacent); cleared beyond it."""


class DebtorLookup:
    def __init__(self, repo: LedgerRepository, tenant: str) -> None:
        self.repo, self.tenant = repo, tenant
        self._known: dict[str, Debtor] = {}

    def with_debtors(
        self, items: Iterable[T], debtor_of: Callable[[T], str]
    ) -> Iterator[tuple[T, Debtor | None]]:
        """Pair each item with its debtor, one batch read per chunk of items."""
        for chunk in chunked(items, CHUNK):
            missing = list(dict.fromkeys(debtor_of(i) for i in chunk if debtor_of(i) not in self._known))
            if len(self._known) + len(missing) > _CACHE_LIMIT:
                self._known.clear()
            if missing:
                self._known.update(self.repo.get_debtors(self.tenant, missing))
            for item in chunk:
                yield item, self._known.get(debtor_of(item))


def portfolio_names(repo: LedgerRepository, tenant: str) -> dict[str, str]:
    portfolios: list[Portfolio] = repo.list_portfolios(tenant)
    return {p.id: p.name for p in portfolios}


def debtor_name(debtor: Debtor | None, fallback: str) -> str:
    return debtor.name if debtor else fallback


def debtor_document(debtor: Debtor | None) -> str | None:
    if debtor is None or not debtor.document_number:
        return None
    return (
        f"{debtor.document_type} {debtor.document_number}" if debtor.document_type else debtor.document_number
    )
