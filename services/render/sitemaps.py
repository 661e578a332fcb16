"""Sitemaps: an index, article sitemaps in fixed chunks (oldest first), a Google News sitemap."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from lxml import etree

from shared.clock import utcnow
from shared.listing import HOME
from shared.pages.model import ListChange, Prune
from shared.pages.site_pages import Pages
from shared.settings import Settings
from shared.store import ArticleStore
from shared.text import xml_safe

# Sitemaps may hold 50,000 URLs; smaller chunks keep the newest one cheap to rewrite.
SITEMAP_SIZE = 1000
NEWS_WINDOW = timedelta(hours=48)
NEWS_LIMIT = 1000  # Google News reads at most 1,000 URLs per sitemap
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


@dataclass(frozen=True)
class Document:
    """A generated file (not from the theme) to write at `url`."""

    url: str
    body: bytes


def _w3c(stored: str) -> str:
    """A stored ISO moment as a W3C datetime to the second."""
    return datetime.fromisoformat(stored).isoformat(timespec="seconds")


def _element(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    """A child element of `parent` in the sitemap namespace, or the news one ("news:...")."""
    prefix, _, local = name.rpartition(":")
    child = etree.SubElement(parent, f"{{{NEWS_NS if prefix else SITEMAP_NS}}}{local}")
    child.text = text
    return child


def _root(name: str, news: bool = False) -> etree._Element:
    """The root element of a sitemap file (declaring the news namespace when asked)."""
    nsmap = {None: SITEMAP_NS, "news": NEWS_NS} if news else {None: SITEMAP_NS}
    return etree.Element(f"{{{SITEMAP_NS}}}{name}", nsmap=nsmap)


def _bytes(root: etree._Element) -> bytes:
    """The file: an XML declaration, then the root with one entry a line."""
    root.text = "\n"
    for entry in root:
        entry.tail = "\n"
    return DECLARATION + etree.tostring(root, encoding="unicode").encode() + b"\n"


class Sitemaps:
    """Writes the sitemap files an article change touches."""

    def __init__(
        self, store: ArticleStore, pages: Pages, settings: Settings, size: int = SITEMAP_SIZE
    ) -> None:
        self.store = store
        self.pages = pages
        self.settings = settings
        self.size = size
        self.urls = store.urls

    async def documents(self, changes: list[ListChange]) -> list[Document | Prune]:
        """The index, the chunks the changes touch, and the news sitemap."""
        count = await self.store.count(HOME)
        last = max(1, math.ceil(count / self.size))
        docs: list[Document | Prune] = [self.index(last), await self.news()]
        touched = await self.pages.touched(HOME, changes, self.size, last, linked=False)
        for number in sorted(touched):
            ids = await self.store.oldest_ids(HOME, (number - 1) * self.size, self.size)
            docs.append(self.chunk(number, await self.store.fields_many(ids)))
        if count == 0:
            docs.append(self.chunk(1, []))
        docs.append(Prune(self.urls.sitemap_url, last))
        return docs

    def loc(self, path: str) -> str:
        """An absolute URL."""
        return self.settings.base_url + path

    def index(self, last: int) -> Document:
        """The sitemap index listing every chunk and the news sitemap."""
        paths = [self.urls.sitemap_url(n) for n in range(1, last + 1)]
        paths.append(self.urls.news_sitemap)
        root = _root("sitemapindex")
        for path in paths:
            _element(_element(root, "sitemap"), "loc", self.loc(path))
        return Document(self.urls.sitemap_index, _bytes(root))

    def chunk(self, number: int, articles: list[dict[str, Any]]) -> Document:
        """One article sitemap."""
        root = _root("urlset")
        for article in articles:
            url = _element(root, "url")
            _element(url, "loc", self.loc(article["url"]))
            _element(url, "lastmod", _w3c(article["modified_at"]))
        return Document(self.urls.sitemap_url(number), _bytes(root))

    async def news(self) -> Document:
        """Articles of the last 48 hours, for Google News."""
        now = utcnow()
        ids = await self.store.ids_between(HOME, now - NEWS_WINDOW, now, NEWS_LIMIT)
        root = _root("urlset", news=True)
        for article in await self.store.fields_many(ids):
            url = _element(root, "url")
            _element(url, "loc", self.loc(article["url"]))
            news = _element(url, "news:news")
            publication = _element(news, "news:publication")
            _element(publication, "news:name", xml_safe(self.settings.site_name))
            _element(publication, "news:language", self.settings.language)
            _element(news, "news:publication_date", _w3c(article["published_at"]))
            _element(news, "news:title", xml_safe(article["title"]))
        return Document(self.urls.news_sitemap, _bytes(root))
