"""Split long lists of needs over several pages.

Sphinx spends time on each need of a page whenever the page is read or written, and an
incremental build re-reads every page whose content changed. Pages of bounded size keep
both clean and incremental builds of large projects in proportion to what changed. A
real programme rarely reaches the limits; synthetic projects of thousands of needs do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

NEEDS_PER_PAGE = 50
"""Most needs a generated page defines before the rest continues on another page."""

ROWS_PER_PAGE = 150
"""Most rows of a per-requirement table (matrix, applicability) on one page.

A longer table is split into pages of nearly equal size, so the matrix of the bundled
catalog stays on one page. A link edit writes again the table pages that show the rows
it changes. At 1,000 needs (benchmarks/run.py), the 200-row matrix took about 0.2 s to
write as one page. As two pages of 100 rows, each took 0.1 s, and the clean build took
no longer.
"""

K = TypeVar("K")
T = TypeVar("T")


@dataclass
class Piece(Generic[K, T]):
    """Part of a group placed on one page; ``continued`` when the group began earlier."""

    key: K
    items: list[T]
    continued: bool = False
    first: bool = True


@dataclass
class Page(Generic[K, T]):
    """The pieces of one page."""

    pieces: list[Piece[K, T]] = field(default_factory=list)

    @property
    def size(self) -> int:
        """Number of items on the page."""
        return sum(len(p.items) for p in self.pieces)


def paginate(groups: list[tuple[K, list[T]]], limit: int) -> list[Page[K, T]]:
    """Fill pages in order with at most ``limit`` items each, splitting groups as needed.

    Empty groups stay on the page where they fall, so headings without items keep
    their place. There is always at least one page.
    """
    pages: list[Page[K, T]] = [Page()]
    for key, items in groups:
        if not items:
            pages[-1].pieces.append(Piece(key, []))
            continue
        start = 0
        while start < len(items):
            room = limit - pages[-1].size
            if room <= 0:
                pages.append(Page())
                room = limit
            chunk = items[start:start + room]
            pages[-1].pieces.append(Piece(key, chunk, continued=start > 0, first=start == 0))
            start += len(chunk)
    return pages


def page_name(base: str, number: int) -> str:
    """Return the path of page ``number`` (1-based) of ``base``: base, base-2, base-3 ..."""
    return base if number == 1 else f"{base}-{number}"
