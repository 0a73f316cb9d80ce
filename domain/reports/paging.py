"""Lazy iteration over paged port results: one page in memory at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import TypeVar

from domain.ports import Page, PageRequest

T = TypeVar("T")

PAGE_SIZE = 500


def iter_pages(fetch: Callable[[PageRequest], Page[T]], page_size: int = PAGE_SIZE) -> Iterator[T]:
    """Yield every item of a paged listing, asking for the next page only when the last is used up."""
    after: str | None = None
    while True:
        page = fetch(PageRequest(first=page_size, after=after))
        yield from page.items
        if not page.has_next_page or not page.end_cursor:
            return
        after = page.end_cursor


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk
