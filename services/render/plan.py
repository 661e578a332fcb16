"""Which pages a batch of article events affects (the incremental half of the pipeline).

A list (home, section, tag, author) is paginated with its first page at its own URL holding
the newest articles, and numbered pages counted from the oldest (`/page/1/` holds the oldest
articles), so a numbered page keeps its URL and content when new articles arrive. An article
joining or leaving a list shifts only the numbered pages from its position to the newest one
(plus the one below, whose "newer" link may change); an edit that keeps its place re-renders
just the page holding it. "Read also" lists only older articles (sharing a tag, then the
section, then any), so an article can only appear in the read-also of the next few newer
articles of its tags, its section or the site: those are found with one bounded range query per
index, and the work per event never grows with the site (one round trip for a whole batch).
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from shared.events import ArticleChanged
from shared.listing import HOME, Listing, listings_of, read_also_listings
from shared.pages.model import RELATED_SIZE, ListChange
from shared.store import ArticleStore
from shared.urls import UrlScheme

ARTICLES_PER_PART = 1000
EVERYTHING = ListChange("", datetime(1, 1, 1, tzinfo=UTC), shifts=True)


@dataclass
class Plan:
    """The pages to bring up to date; each is rendered once however many events touch it."""

    articles: set[str] = field(default_factory=set)
    related: set[str] = field(default_factory=set)
    urls: set[str] = field(default_factory=set)
    lists: dict[Listing, list[ListChange]] = field(default_factory=dict)
    days: set[date] = field(default_factory=set)
    # The changes to each day's articles (a day in `days` without any: all its pages).
    day_changes: dict[date, list[ListChange]] = field(default_factory=dict)
    sitemap_changes: list[ListChange] = field(default_factory=list)

    def add_list(self, listing: Listing, change: ListChange) -> None:
        """Note a change to one list."""
        self.lists.setdefault(listing, []).append(change)


async def plan_events(events: list[ArticleChanged], store: ArticleStore, urls: UrlScheme) -> Plan:
    """Everything a batch of events affects."""
    plan = Plan()
    neighbours: list[tuple[Listing, datetime]] = []  # read-also: the newer of each placement
    for event in events:
        plan.articles.add(event.article_id)
        before, after = event.before, event.after
        same_place = (
            before is not None and after is not None and before.published_at == after.published_at
        )
        for placement in (p for p in (before, after) if p is not None):
            plan.urls.add(placement.url)
            other = after if placement is before else before
            kept = listings_of(other) if same_place and other is not None else set()
            for listing in listings_of(placement):
                shifts = listing not in kept
                plan.add_list(listing, ListChange(event.article_id, placement.published_at, shifts))
            plan.sitemap_changes.append(
                ListChange(event.article_id, placement.published_at, not same_place)
            )
            day = urls.local(placement.published_at).date()
            plan.days.add(day)
            plan.day_changes.setdefault(day, []).append(
                ListChange(event.article_id, placement.published_at, not same_place)
            )
            neighbours += [(k, placement.published_at) for k in read_also_listings(placement)]
    plan.related = await store.newer_than(neighbours, RELATED_SIZE) - plan.articles
    return plan


async def site_plan(store: ArticleStore) -> list[Plan]:
    """The whole site as parts of roughly equal work."""
    ids = await store.all_ids()
    parts = [
        Plan(articles=set(ids[i : i + ARTICLES_PER_PART]))
        for i in range(0, len(ids), ARTICLES_PER_PART)
    ]
    listings = [HOME, *sorted(await store.names())]
    for start in range(0, len(listings), 20):
        parts.append(Plan(lists={k: [EVERYTHING] for k in listings[start : start + 20]}))
    days = [date.fromisoformat(d) for d in await store.days()]
    for year in sorted({d.year for d in days}):
        parts.append(Plan(days={d for d in days if d.year == year}))
    parts.append(Plan(sitemap_changes=[EVERYTHING]))
    return parts
