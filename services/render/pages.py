"""What each page shows: the template and context of every page kind, read from the store."""

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any, NamedTuple, Protocol
from zoneinfo import ZoneInfo

from services.render.plan import RELATED_SIZE, ListChange
from shared.article import Article
from shared.clock import human_date, month_name
from shared.listing import HOME, Listing, read_also_listings
from shared.settings import Settings
from shared.store import ArticleStore
from shared.text import truncate_words
from shared.urls import UrlScheme, absolute_url

READ_ALSO_TITLE = 64
# List pages read from the store at once (a rebuild's memory stays bounded on a big site).
READ_PAGES = 50
LIST_HEADINGS = {"section": "Раздел", "tag": "Тег", "author": "Автор"}


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


class Pages:
    """Builds pages from the store's current state."""

    def __init__(self, store: ArticleStore, settings: Settings) -> None:
        self.store = store
        self.urls: UrlScheme = store.urls
        self.size = settings.page_size
        self.zone = ZoneInfo(settings.timezone)
        self.base = settings.base_url
        self.site_name = settings.site_name

    # Article pages

    def article(self, article: Article, related: list[tuple[str, str]]) -> Page:
        """An article page with its read-also list (see `related`) and archive navigation."""
        local = self.urls.local(article.published_at)
        edited = article.updated_at or (
            article.modified_at
            if article.modified_at > max(article.created_at, article.published_at)
            else None
        )
        section_url = self.urls.section_url(article.section_slug)
        return Page(
            article.url,
            "article.html",
            {
                "article": article,
                "canonical": article.url,
                "description": article.summary or article.subtitle or article.title,
                "updated": edited,
                "section_url": section_url,
                "authors": [(a.name, self.urls.author_url(a.page_slug)) for a in article.authors],
                "tags": [
                    (tag, self.urls.tag_url(slug))
                    for tag, slug in zip(article.tags, article.tag_slugs, strict=True)
                ],
                "read_also": [
                    (truncate_words(title, READ_ALSO_TITLE), url) for title, url in related
                ],
                "archive": [
                    (str(local.year), self.urls.archive_url(local.year)),
                    (month_name(local.month), self.urls.archive_url(local.year, local.month)),
                    (str(local.day), self.urls.archive_url(local.year, local.month, local.day)),
                ],
                "json_ld": self.news_article(article, edited),
                "feeds": self.feeds(),
            },
        )

    async def related(self, articles: list[Article]) -> dict[str, list[tuple[str, str]]]:
        """Read also of each article: (title, url) of up to RELATED_SIZE older articles sharing
        a tag (first), the section (next) or none (the site's, last), newest first. One script
        call and one read for all of them."""
        queries = [
            [(listing, a.published_at) for listing in read_also_listings(a.placement())]
            for a in articles
        ]
        rows = await self.store.older_than([q for qs in queries for q in qs], RELATED_SIZE)
        chosen: dict[str, list[str]] = {}
        for article, qs in zip(articles, queries, strict=True):
            site, section, *tags = rows[: len(qs)]
            rows = rows[len(qs) :]
            chosen[article.id] = _read_also([[r for row in tags for r in row], section, site])
        wanted = sorted({i for ids in chosen.values() for i in ids})
        found = {a["id"]: (a["title"], a["url"]) for a in await self.store.fields_many(wanted)}
        return {key: [found[i] for i in ids if i in found] for key, ids in chosen.items()}

    def news_article(self, article: Article, edited: datetime | None) -> dict[str, Any]:
        """schema.org NewsArticle data of an article."""
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": article.title,
            "description": article.summary or article.title,
            "datePublished": article.published_at.isoformat(timespec="seconds"),
            "dateModified": (edited or article.published_at).isoformat(timespec="seconds"),
            "mainEntityOfPage": self.base + article.url,
            "articleSection": article.section,
            "keywords": article.tags,
            "inLanguage": article.language,
            "author": [
                {
                    "@type": "Person",
                    "name": a.name,
                    "url": self.base + self.urls.author_url(a.page_slug),
                }
                for a in article.authors
            ],
            "publisher": {"@type": "Organization", "name": self.site_name},
        }
        if article.lead_image:
            data["image"] = [absolute_url(self.base, article.lead_image.url)]
        return data

    # List pages: home, section, tag, author

    async def list_head(self, listing: Listing) -> ListHead:
        """How many articles a list has, and (unless it is gone) its heading and feeds."""
        count = await self.store.count(listing)
        gone = count == 0 and not listing.is_home
        context = {} if gone else await self.list_context(listing, listing.url(self.urls))
        return ListHead(count, context)

    async def lists(
        self,
        listing: Listing,
        changes: list[ListChange],
        numbered: bool,
        head: ListHead,
        numbers: set[int] | None = None,
    ) -> list[Page | Prune]:
        """The first page of a list, or (`numbered`) the numbered pages the changes touch
        (or `numbers`, when given: a list re-rendered part by part)."""
        window = Window(listing, listing.url(self.urls), head.count)
        context = head.context

        def make(
            url: str,
            number: int | None,
            articles: list[Article],
            older: str | None,
            newer: str | None,
        ) -> Page:
            return self.list_page(url, context | {"number": number}, articles, older, newer)

        if window.count == 0 and not listing.is_home:
            return [self.prune(window)] if numbered else [Page(window.first)]
        if not numbered:
            return [await self.first_page(window, make)]
        if numbers is None:
            last = window.last(self.size)
            numbers = await self.touched(listing, changes, self.size, last)
        return [*await self.numbered_pages(window, numbers, make), self.prune(window)]

    async def first_page(self, window: Window, make: PageMaker) -> Page:
        """The first page of a window: its newest articles."""
        size = min(self.size, window.count)
        start = window.base + window.count - size
        ids = await self.store.oldest_ids(window.listing, start, size) if size else []
        # "Older" leads to the numbered page of the newest article this page does not show
        # (the newest numbered pages repeat this page's articles).
        unseen = window.count - size
        older = self.urls.numbered_url(window.first, (unseen - 1) // size + 1) if unseen else None
        return make(window.first, None, (await self.store.get_many(ids))[::-1], older, None)

    async def numbered_pages(
        self, window: Window, numbers: set[int], make: PageMaker
    ) -> list[Page | Prune]:
        """The numbered pages `numbers` of a window (1 holds its oldest articles)."""
        last, size = window.last(self.size), self.size
        url = partial(self.urls.numbered_url, window.first)
        pages: list[Page | Prune] = []
        for run in _runs({n for n in numbers if 1 <= n <= last}, READ_PAGES):
            # One read for a run of consecutive pages (a rebuild reads a list in big runs).
            start = (run[0] - 1) * size
            ids = await self.store.oldest_ids(
                window.listing, window.base + start, min(len(run) * size, window.count - start)
            )
            articles = await self.store.get_many(ids)
            for offset, number in enumerate(run):
                chunk = articles[offset * size : (offset + 1) * size]
                older = url(number - 1) if number > 1 else None
                pages.append(
                    make(
                        url(number),
                        number,
                        chunk[::-1],
                        older,
                        url(number + 1) if number < last else window.first,
                    )
                )
        return pages

    def prune(self, window: Window) -> Prune:
        """Removal of the numbered pages a window no longer has."""
        return Prune(partial(self.urls.numbered_url, window.first), window.last(self.size))

    async def touched(
        self, listing: Listing, changes: list[ListChange], size: int, last: int, base: int = 0
    ) -> set[int]:
        """Numbered chunks (1 = oldest) of a listing whose content or links the changes alter;
        the chunks count from position `base` of the listing (a day's first article)."""
        numbers: set[int] = set()
        for change in changes:
            rank = None if change.shifts else await self.store.rank(listing, change.article_id)
            if rank is None:
                older = await self.store.older_count(listing, change.moment) - base
                start = older // size + 1
                numbers |= set(range(min(start, last - 1), last + 1))
            else:
                numbers.add((rank - base) // size + 1)
        return {n for n in numbers if 1 <= n <= last}

    async def list_context(self, listing: Listing, first: str) -> dict[str, Any]:
        """Heading, description and feeds of a list."""
        kind = listing.kind
        if listing.is_home:
            return {
                "kind": kind,
                "heading": "Последние новости",
                "title": self.site_name,
                "description": f"{self.site_name}: последние новости",
                "feeds": self.feeds(),
                "first": first,
                "number": None,
            }
        name = await self.store.name(listing) or listing.slug
        own = listing.feed_paths(self.urls)
        return {
            "kind": kind,
            "heading": name,
            "title": f"{LIST_HEADINGS[kind]}: {name}",
            "description": f"{LIST_HEADINGS[kind]} «{name}»: все публикации",
            "feeds": [
                *self.feeds(),
                (f"{name} — RSS", "rss", own["rss"]),
                (f"{name} — Atom", "atom", own["atom"]),
            ],
            "first": first,
            "number": None,
        }

    @staticmethod
    def list_page(
        url: str,
        context: dict[str, Any],
        articles: list[Article],
        older: str | None = None,
        newer: str | None = None,
    ) -> Page:
        """One page of a list."""
        number = context.get("number")
        title = f"{context['title']} — страница {number}" if number else context["title"]
        return Page(
            url,
            "list.html",
            context
            | {
                "canonical": url,
                "page_title": title,
                "articles": articles,
                "older": older,
                "newer": newer,
            },
        )

    # Archive pages

    def day_span(self, day: date, days: int = 1) -> tuple[datetime, datetime]:
        """[start, end) of local days as aware moments."""
        start = datetime(day.year, day.month, day.day, tzinfo=self.zone)
        end = datetime.combine(day + timedelta(days=days), datetime.min.time(), self.zone)
        return start, end

    async def archive_day(
        self, day: date, changes: list[ListChange] | None = None
    ) -> list[Page | Prune]:
        """The pages of one day's articles, paginated like a list (newest first): the first,
        and the numbered pages the changes touch (all without changes)."""
        url = self.urls.archive_url(day.year, day.month, day.day)
        start, end = self.day_span(day)
        base = await self.store.older_count(HOME, start)
        window = Window(HOME, url, await self.store.older_count(HOME, end) - base, base)
        if window.count == 0:
            return [Page(url), self.prune(window)]
        heading = human_date(day)
        trail = self.trail(day.year, day.month)

        def make(
            page_url: str,
            number: int | None,
            articles: list[Article],
            older: str | None,
            newer: str | None,
        ) -> Page:
            description = f"Все публикации за {heading}"
            pager = Pager(number, older, newer)
            return self.archive_page(page_url, heading, description, [], articles, trail, pager)

        last = window.last(self.size)
        numbers = (
            set(range(1, last + 1))
            if changes is None
            else await self.touched(HOME, changes, self.size, last, base)
        )
        return [
            await self.first_page(window, make),
            *await self.numbered_pages(window, numbers, make),
            self.prune(window),
        ]

    async def archive_month(self, year: int, month: int) -> Page:
        """The days of a month that have articles."""
        url = self.urls.archive_url(year, month)
        first = date(year, month, 1)
        days = [first + timedelta(days=n) for n in range(31)]
        days = [d for d in days if d.month == month]
        counts = await self.store.counts_between(HOME, [self.day_span(d) for d in days])
        links = [
            (str(d.day), self.urls.archive_url(year, month, d.day), n)
            for d, n in zip(days, counts, strict=True)
            if n
        ]
        heading = f"{month_name(month)} {year}"
        return self.archive_index(url, heading, links, self.trail(year))

    async def archive_year(self, year: int) -> Page:
        """The months of a year that have articles."""
        url = self.urls.archive_url(year)
        spans = []
        for month in range(1, 13):
            start = date(year, month, 1)
            end = date(year + month // 12, month % 12 + 1, 1)
            spans.append(self.day_span(start, (end - start).days))
        counts = await self.store.counts_between(HOME, spans)
        links = [
            (month_name(m), self.urls.archive_url(year, m), n)
            for m, n in zip(range(1, 13), counts, strict=True)
            if n
        ]
        return self.archive_index(url, str(year), links, [])

    def archive_index(
        self, url: str, heading: str, links: list[tuple[str, str, int]], trail: list
    ) -> Page:
        """A year or month archive page: links to its months or days with their counts."""
        if not links:
            return Page(url)
        return self.archive_page(url, heading, f"Архив публикаций: {heading}", links, [], trail)

    def archive_page(
        self,
        url: str,
        heading: str,
        description: str,
        links: list[tuple[str, str, int]],
        articles: list[Article],
        trail: list[tuple[str, str]],
        pager: Pager | None = None,
    ) -> Page:
        """An archive page of a year, month (links) or day (articles; page `pager.number`)."""
        number, older, newer = pager or Pager()
        return Page(
            url,
            "archive.html",
            {
                "canonical": url,
                "page_title": f"Архив: {heading}" + (f" — страница {number}" if number else ""),
                "number": number,
                "older": older,
                "newer": newer,
                "heading": heading,
                "description": description,
                "articles": articles,
                "links": links,
                "trail": trail,
                "feeds": self.feeds(),
            },
        )

    def trail(self, year: int, month: int | None = None) -> list[tuple[str, str]]:
        """Archive breadcrumbs above a month or day page."""
        crumbs = [(str(year), self.urls.archive_url(year))]
        if month:
            crumbs.append((month_name(month), self.urls.archive_url(year, month)))
        return crumbs

    # Fixed pages

    def error(self, url: str, status: int) -> Page:
        """The 404 or 410 page the web server answers with."""
        texts = {
            404: ("Страница не найдена", "Такой страницы нет. Возможно, в адресе опечатка."),
            410: ("Материал снят с публикации", "Этот материал больше не доступен."),
        }
        heading, message = texts[status]
        return Page(
            url,
            "error.html",
            {
                "canonical": url,
                "page_title": heading,
                "heading": heading,
                "message": message,
                "description": heading,
                "feeds": self.feeds(),
            },
        )

    # Helpers

    def feeds(self) -> list[tuple[str, str, str]]:
        """(title, format, path) of the site feeds for autodiscovery."""
        site = HOME.feed_paths(self.urls)
        return [
            (f"{self.site_name} — RSS", "rss", site["rss"]),
            (f"{self.site_name} — Atom", "atom", site["atom"]),
            (f"{self.site_name} — JSON Feed", "json", site["json"]),
        ]


def _read_also(tiers: list[list[tuple[str, float]]]) -> list[str]:
    """Ids for read also: the newest (id, score) rows of each tier in turn until RELATED_SIZE
    are chosen, shown newest first."""

    def newest(rows: list[tuple[str, float]]) -> list[tuple[str, float]]:
        return sorted(set(rows), key=lambda r: (r[1], r[0]), reverse=True)

    chosen: list[tuple[str, float]] = []
    for tier in tiers:
        picked = {i for i, _ in chosen}
        chosen += [r for r in newest(tier) if r[0] not in picked][: RELATED_SIZE - len(chosen)]
    return [i for i, _ in newest(chosen)]


def last_page(count: int, size: int) -> int:
    """The newest numbered page of a list of `count` articles (0: one page holds them)."""
    return math.ceil(count / size) if count > size else 0


def _runs(numbers: set[int], longest: int) -> list[list[int]]:
    """Sorted numbers grouped into runs of at most `longest` consecutive ones."""
    runs: list[list[int]] = []
    for n in sorted(numbers):
        if runs and runs[-1][-1] == n - 1 and len(runs[-1]) < longest:
            runs[-1].append(n)
        else:
            runs.append([n])
    return runs
