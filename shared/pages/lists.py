"""List pages (home, section, tag, author), paginated: the first page at the list's own URL
holds the newest articles, numbered pages count from the oldest (see services/render/plan.py)."""

from collections.abc import Sequence
from functools import partial
from typing import Any

from shared.article import Article
from shared.listing import Listing
from shared.pages.base import PageBase
from shared.pages.model import ListChange, ListHead, Page, PageMaker, Prune, Window

# List pages read from the store at once (a rebuild's memory stays bounded on a big site).
READ_PAGES = 50


class ListPages(PageBase):
    """Builds the pages of lists, and of any window of a listing paginated like one."""

    async def list_head(self, listing: Listing) -> ListHead:
        """How many articles a list has, and (unless it is gone) its heading and feeds."""
        return (await self.list_heads([listing]))[listing]

    async def list_heads(self, listings: Sequence[Listing]) -> dict[Listing, ListHead]:
        """The head of each list, read in two round trips whatever their number."""
        counts = dict(zip(listings, await self.store.counts(listings), strict=True))
        shown = [key for key in listings if counts[key] or key.is_home]
        named = [key for key in shown if not key.is_home]
        names = dict(zip(named, await self.store.names_of(named), strict=True))
        return {
            key: ListHead(
                counts[key],
                self.list_context(key, key.url(self.urls), names.get(key)) if key in shown else {},
            )
            for key in listings
        }

    async def first_pages(self, heads: dict[Listing, ListHead]) -> list[Page]:
        """The first page of each list (see `lists`), read in two round trips."""
        windows = [Window(key, key.url(self.urls), head.count) for key, head in heads.items()]
        shown = [w for w in windows if w.count or w.listing.is_home]
        spans = [self.first_span(w) for w in shown]
        ids = await self.store.oldest_ids_of(
            [(w.listing, *span) for w, span in zip(shown, spans, strict=True)]
        )
        found = {
            a.id: a for a in await self.store.get_many(sorted({i for row in ids for i in row}))
        }
        chosen = dict(zip([w.listing for w in shown], ids, strict=True))
        return [
            self.first_of(
                window,
                [found[i] for i in chosen[window.listing] if i in found],
                self.maker(heads[window.listing]),
            )
            if window.listing in chosen
            else Page(window.first)
            for window in windows
        ]

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
        make = self.maker(head)
        if window.count == 0 and not listing.is_home:
            return [self.prune(window)] if numbered else [Page(window.first)]
        if not numbered:
            return [await self.first_page(window, make)]
        if numbers is None:
            last = window.last(self.size)
            numbers = await self.touched(listing, changes, self.size, last)
        return [*await self.numbered_pages(window, numbers, make), self.prune(window)]

    def maker(self, head: ListHead) -> PageMaker:
        """Builds the pages of a list with its head."""

        def make(
            url: str,
            number: int | None,
            articles: list[Article],
            older: str | None,
            newer: str | None,
        ) -> Page:
            return self.list_page(url, head.context | {"number": number}, articles, older, newer)

        return make

    async def first_page(self, window: Window, make: PageMaker) -> Page:
        """The first page of a window: its newest articles."""
        start, size = self.first_span(window)
        ids = await self.store.oldest_ids(window.listing, start, size) if size else []
        return self.first_of(window, await self.store.get_many(ids), make)

    def first_span(self, window: Window) -> tuple[int, int]:
        """Where the first page's articles start in the listing (oldest first), how many."""
        size = min(self.size, window.count)
        return window.base + window.count - size, size

    def first_of(self, window: Window, articles: list[Article], make: PageMaker) -> Page:
        """The first page of a window showing `articles` (oldest first)."""
        # "Older" leads to the numbered page of the newest article this page does not show
        # (the newest numbered pages repeat this page's articles).
        size = min(self.size, window.count)
        unseen = window.count - size
        older = self.urls.numbered_url(window.first, (unseen - 1) // size + 1) if unseen else None
        return make(window.first, None, articles[::-1], older, None)

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
        self,
        listing: Listing,
        changes: list[ListChange],
        size: int,
        last: int,
        base: int = 0,
        linked: bool = True,
    ) -> set[int]:
        """Numbered chunks (1 = oldest) of a listing whose content or links the changes alter;
        the chunks count from position `base` of the listing (a day's first article). When
        they are `linked` to their neighbours (list pages; sitemaps are not), the chunk below
        the first shifted one is among them: its link to the newer one may change."""
        staying = [c for c in changes if not c.shifts]
        ranks = await self.store.ranks(listing, [c.article_id for c in staying]) if staying else []
        numbers = {(r - base) // size + 1 for r in ranks if r is not None}
        # The others shift every chunk from theirs on: only the oldest of them counts.
        moved = [c.moment for c in changes if c.shifts]
        moved += [c.moment for c, r in zip(staying, ranks, strict=True) if r is None]
        if moved:
            start = (await self.store.older_count(listing, min(moved)) - base) // size + 1
            numbers |= set(range(min(start, last - 1) if linked else start, last + 1))
        return {n for n in numbers if 1 <= n <= last}

    def list_context(self, listing: Listing, first: str, name: str | None) -> dict[str, Any]:
        """Heading, description and feeds of a list (`name`: its display name, if known)."""
        kind = listing.kind
        if listing.is_home:
            return {
                "kind": kind,
                "heading": self.messages["home"]["heading"],
                "title": self.site_name,
                "description": self.messages["home"]["description"].format(site=self.site_name),
                "feeds": self.feeds(),
                "menu": self.menu,
                "first": first,
                "number": None,
            }
        name = name or listing.slug
        own = listing.feed_paths(self.urls)
        words = self.messages["list"]
        kind_name = self.messages["kinds"][kind]
        return {
            "kind": kind,
            "heading": name,
            "title": words["title"].format(kind=kind_name, name=name),
            "description": words["description"].format(kind=kind_name, name=name),
            "feeds": [
                *self.feeds(),
                (f"{name} — RSS", "rss", own["rss"]),
                (f"{name} — Atom", "atom", own["atom"]),
            ],
            "menu": self.menu,
            "first": first,
            "number": None,
        }

    def list_page(
        self,
        url: str,
        context: dict[str, Any],
        articles: list[Article],
        older: str | None = None,
        newer: str | None = None,
    ) -> Page:
        """One page of a list."""
        title = self.numbered(context["title"], context.get("number"))
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


def _runs(numbers: set[int], longest: int) -> list[list[int]]:
    """Sorted numbers grouped into runs of at most `longest` consecutive ones."""
    runs: list[list[int]] = []
    for n in sorted(numbers):
        if runs and runs[-1][-1] == n - 1 and len(runs[-1]) < longest:
            runs[-1].append(n)
        else:
            runs.append([n])
    return runs
