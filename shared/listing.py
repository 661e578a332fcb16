"""A listing: a list of live articles the site shows, with its pages, its feeds and its index.

The home listing holds every live article (the front page, the site's feeds); the others hold
a section's, a tag's or an author's. Render, feeds, the most-read lists, the rebuilds and the
store all name a list this way.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Self

from shared.article import Placement
from shared.keyspace import index_key
from shared.urls import UrlScheme


class Kind(StrEnum):
    """What a listing gathers; the order is the order lists are written in."""

    HOME = "home"
    SECTION = "section"
    TAG = "tag"
    AUTHOR = "author"


_ORDER = list(Kind)


@dataclass(frozen=True)
class Listing:
    """The home listing (`Listing(Kind.HOME)`, HOME), or a section's, tag's or author's."""

    kind: Kind
    slug: str = ""

    @classmethod
    def parse(cls, name_key: str) -> Self:
        """The listing of a store name key ("section:sport", see `name_key`)."""
        kind, slug = name_key.split(":", 1)
        return cls(Kind(kind), slug)

    @property
    def is_home(self) -> bool:
        """Whether this is the listing of every live article."""
        return self.kind is Kind.HOME

    @property
    def name_key(self) -> str:
        """Key of its display name among the store's names ("tag:almaty")."""
        return f"{self.kind}:{self.slug}"

    @property
    def index(self) -> str:
        """Redis key of the sorted set of its live articles (scored by publication moment)."""
        return index_key(self.kind, self.slug)

    def url(self, urls: UrlScheme) -> str:
        """Path of its first page."""
        return urls.list_url(self.kind, self.slug)

    def feed_paths(self, urls: UrlScheme) -> dict[str, str]:
        """Paths of its feeds by format (rss, atom; json for the home listing)."""
        return urls.feed_urls(self.kind, self.slug)

    def __lt__(self, other: "Listing") -> bool:
        """Home first, then sections, tags and authors, each by slug."""
        return (_ORDER.index(self.kind), self.slug) < (_ORDER.index(other.kind), other.slug)


HOME = Listing(Kind.HOME)


def listings_of(placement: Placement) -> set[Listing]:
    """Every listing an article placed like this is on (the home listing included)."""
    return {*read_also_listings(placement), *(Listing(Kind.AUTHOR, a) for a in placement.authors)}


def read_also_listings(placement: Placement) -> list[Listing]:
    """The listings whose articles show this one under "read also": home, section, tags."""
    return [
        HOME,
        Listing(Kind.SECTION, placement.section),
        *(Listing(Kind.TAG, t) for t in placement.tags),
    ]
