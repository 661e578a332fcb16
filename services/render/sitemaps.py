"""Sitemaps: an index, article sitemaps in fixed chunks (oldest first), a Google News sitemap."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape

from shared.clock import utcnow
from shared.pages.model import ListChange, Prune
from shared.pages.site_pages import Pages
from shared.settings import Settings
from shared.store import HOME, ArticleStore
from shared.text import xml_safe

# Sitemaps may hold 50,000 URLs; smaller chunks keep the newest one cheap to rewrite.
SITEMAP_SIZE = 1000
NEWS_WINDOW = timedelta(hours=48)
NEWS_LIMIT = 1000  # Google News reads at most 1,000 URLs per sitemap
URLSET = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
NEWS_NS = ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'


@dataclass(frozen=True)
class Document:
    """A generated file (not from the theme) to write at `url`."""

    url: str
    body: bytes


def _w3c(stored: str) -> str:
    """A stored ISO moment as a W3C datetime to the second."""
    return datetime.fromisoformat(stored).isoformat(timespec="seconds")


def _xml(lines: list[str]) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + "\n".join(lines) + "\n").encode()


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
        for number in sorted(await self.pages.touched(HOME, changes, self.size, last)):
            ids = await self.store.oldest_ids(HOME, (number - 1) * self.size, self.size)
            docs.append(self.chunk(number, await self.store.fields_many(ids)))
        if count == 0:
            docs.append(self.chunk(1, []))
        docs.append(Prune(self.urls.sitemap_url, last))
        return docs

    def loc(self, path: str) -> str:
        """An escaped absolute URL."""
        return escape(self.settings.base_url + path)

    def index(self, last: int) -> Document:
        """The sitemap index listing every chunk and the news sitemap."""
        paths = [self.urls.sitemap_url(n) for n in range(1, last + 1)]
        paths.append(self.urls.news_sitemap)
        entries = [f"<sitemap><loc>{self.loc(p)}</loc></sitemap>" for p in paths]
        body = [
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
            *entries,
            "</sitemapindex>",
        ]
        return Document(self.urls.sitemap_index, _xml(body))

    def chunk(self, number: int, articles: list[dict[str, Any]]) -> Document:
        """One article sitemap."""
        entries = [
            f"<url><loc>{self.loc(a['url'])}</loc><lastmod>{_w3c(a['modified_at'])}</lastmod></url>"
            for a in articles
        ]
        return Document(self.urls.sitemap_url(number), _xml([URLSET + ">", *entries, "</urlset>"]))

    async def news(self) -> Document:
        """Articles of the last 48 hours, for Google News."""
        now = utcnow()
        ids = await self.store.ids_between(HOME, now - NEWS_WINDOW, now, NEWS_LIMIT)
        name = escape(xml_safe(self.settings.site_name))
        lang = escape(self.settings.language)
        entries = [
            f"<url><loc>{self.loc(a['url'])}</loc><news:news><news:publication>"
            f"<news:name>{name}</news:name><news:language>{lang}</news:language>"
            "</news:publication>"
            f"<news:publication_date>{_w3c(a['published_at'])}"
            f"</news:publication_date><news:title>{escape(a['title'])}</news:title>"
            "</news:news></url>"
            for a in await self.store.fields_many(ids)
        ]
        body = [URLSET + NEWS_NS + ">", *entries, "</urlset>"]
        return Document(self.urls.news_sitemap, _xml(body))
