"""The site's URL scheme: every public path is made here, from patterns (Pelican-style)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Self
from zoneinfo import ZoneInfo

from shared.settings import Settings


@dataclass(frozen=True)
class UrlScheme:
    """Site-relative URL patterns; each ends in `/` (a folder with index.html) or a file name.

    The time zone has no default: dates in URLs are the site's (`for_site`)."""

    timezone: str
    article: str = "/{year}/{month:02d}/{day:02d}/{slug}/"
    section: str = "/section/{slug}/"
    tag: str = "/tag/{slug}/"
    author: str = "/author/{slug}/"
    year: str = "/{year}/"
    month: str = "/{year}/{month:02d}/"
    day: str = "/{year}/{month:02d}/{day:02d}/"
    page: str = "page/{page}/"
    popular_data: str = "/data/popular.json"
    views_data: str = "/data/views.json"
    sitemap_index: str = "/sitemap.xml"
    sitemap: str = "/sitemaps/articles-{number}.xml"
    news_sitemap: str = "/sitemaps/news.xml"
    not_found: str = "/404.html"
    gone: str = "/410.html"
    robots: str = "/robots.txt"
    search: str = "/search/"  # the results page; the header's search box sends readers there
    rss: str = "/feeds/rss.xml"
    atom: str = "/feeds/atom.xml"
    json_feed: str = "/feeds/feed.json"

    @classmethod
    def for_site(cls, settings: Settings) -> Self:
        """The URL scheme of the site the settings describe (its time zone)."""
        return cls(timezone=settings.timezone)

    def local(self, moment: datetime) -> datetime:
        """The moment in the site's time zone."""
        return moment.astimezone(ZoneInfo(self.timezone))

    def article_url(self, slug: str, published_at: datetime) -> str:
        """Path of an article page: its local publication day and its slug."""
        d = self.local(published_at)
        return self.article.format(year=d.year, month=d.month, day=d.day, slug=slug)

    def list_url(self, kind: str, slug: str = "") -> str:
        """First page of the home (`kind` "home") or a section, tag or author list."""
        if kind == "home":
            return "/"
        patterns = {"section": self.section, "tag": self.tag, "author": self.author}
        return patterns[kind].format(slug=slug)  # any other kind is a mistake: KeyError

    def numbered_url(self, first: str, number: int) -> str:
        """Page `number` of a list counted from its oldest page, so its URL never shifts."""
        return first + self.page.format(page=number)

    def sitemap_url(self, number: int) -> str:
        """Path of article sitemap `number` (1 holds the oldest articles)."""
        return self.sitemap.format(number=number)

    def section_url(self, slug: str) -> str:
        """Path of a section's first list page."""
        return self.list_url("section", slug)

    def tag_url(self, slug: str) -> str:
        """Path of a tag's first list page."""
        return self.list_url("tag", slug)

    def author_url(self, slug: str) -> str:
        """Path of an author's first list page."""
        return self.list_url("author", slug)

    def home_url(self) -> str:
        """Path of the home page."""
        return self.list_url("home")

    def archive_url(self, year: int, month: int | None = None, day: int | None = None) -> str:
        """Path of the archive page of a year, a month or a day."""
        if day is not None and month is not None:
            return self.day.format(year=year, month=month, day=day)
        if month is not None:
            return self.month.format(year=year, month=month)
        return self.year.format(year=year)

    def feed_urls(self, kind: str, slug: str = "") -> dict[str, str]:
        """Paths of the feeds of the home list (`kind` "home") or a section, tag or author."""
        if kind == "home":
            return {"rss": self.rss, "atom": self.atom, "json": self.json_feed}
        first = self.list_url(kind, slug)
        return {"rss": first + "rss.xml", "atom": first + "atom.xml"}


def absolute_url(base_url: str, path: str) -> str:
    """An absolute URL for a site path under `base_url` (absolute URLs pass through)."""
    return path if path.startswith(("http://", "https://")) else base_url + path
