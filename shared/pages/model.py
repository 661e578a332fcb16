"""The shapes page-building deals in: lists and their changes, pages, pruning and windows."""

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from shared.article import Article
from shared.listing import Listing

RELATED_SIZE = 5


@dataclass(frozen=True)
class ListChange:
    """An article's place in a list changed (`shifts`) or only its content did."""

    article_id: str
    moment: datetime
    shifts: bool


@dataclass(frozen=True)
class Page:
    """A page to write at `url` from `template`, or to remove when `template` is None."""

    url: str
    template: str | None = None
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ListHead:
    """What every page of a list shares: its number of articles, heading and feeds."""

    count: int
    context: dict[str, Any]


@dataclass(frozen=True)
class Window:
    """Articles of a listing shown as one paginated list (oldest first from position `base`):
    a whole list, or one archive day. Its first page at `first` holds the newest."""

    listing: Listing
    first: str
    count: int
    base: int = 0

    def last(self, size: int) -> int:
        """The newest numbered page (0: everything fits on the first page)."""
        return last_page(self.count, size)


class Pager(NamedTuple):
    """Where a page stands in its paginated list: its number (None: the first page) and the
    URLs of the older and newer pages."""

    number: int | None = None
    older: str | None = None
    newer: str | None = None


class PageMaker(Protocol):
    """Builds one page of a window from its URL, number (None: the first page), articles
    (newest first) and links to the older and newer pages."""

    def __call__(
        self,
        url: str,
        number: int | None,
        articles: list[Article],
        older: str | None,
        newer: str | None,
        /,
    ) -> Page: ...


@dataclass(frozen=True)
class Prune:
    """Remove the numbered files `url_of(n)` above `last` (a list or sitemap got shorter)."""

    url_of: Callable[[int], str]
    last: int


def last_page(count: int, size: int) -> int:
    """The newest numbered page of a list of `count` articles (0: one page holds them)."""
    return math.ceil(count / size) if count > size else 0
