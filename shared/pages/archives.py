"""Archive pages: a year's months, a month's days, and each day's articles paginated."""

from datetime import date, datetime, timedelta

from shared.article import Article
from shared.clock import human_date, month_name
from shared.listing import HOME
from shared.pages.lists import ListPages
from shared.pages.model import ListChange, Page, Pager, Prune, Window


class ArchivePages(ListPages):
    """Builds archive pages (a day's articles are a window of the site's list)."""

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
            description = self.messages["archive"]["day_description"].format(date=heading)
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
        description = self.messages["archive"]["index_description"].format(heading=heading)
        return self.archive_page(url, heading, description, links, [], trail)

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
                "page_title": self.numbered(
                    self.messages["archive"]["title"].format(heading=heading), number
                ),
                "number": number,
                "older": older,
                "newer": newer,
                "heading": heading,
                "description": description,
                "articles": articles,
                "links": links,
                "trail": trail,
                "feeds": self.feeds(),
                "menu": self.menu,
            },
        )

    def trail(self, year: int, month: int | None = None) -> list[tuple[str, str]]:
        """Archive breadcrumbs above a month or day page."""
        crumbs = [(str(year), self.urls.archive_url(year))]
        if month:
            crumbs.append((month_name(month), self.urls.archive_url(year, month)))
        return crumbs
