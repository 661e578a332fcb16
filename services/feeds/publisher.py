"""Keeps the feed files in step with the store: only the feeds a batch of events touches,
each written once per batch from the store's current state, as a rebuild writes it."""

import contextlib
import logging
from collections.abc import Callable, Iterable, Sequence

from services.feeds import feed
from services.feeds.feed import Channel, Entry, FeedInfo
from services.feeds.websub import HubNotifier
from shared.article import Article
from shared.events import ArticleChanged
from shared.files import UnsafePathError, site_path
from shared.listing import Listing, listings_of
from shared.media_library import MediaLibrary
from shared.pages.messages import messages
from shared.public_writer import PublicWriter
from shared.settings import Settings
from shared.store import ArticleStore

log = logging.getLogger(__name__)

CACHE_LIMIT = 20_000
# Lists whose articles are read from the store together (bounded, on a big site).
LISTS_AT_ONCE = 20


def touched_lists(events: Iterable[ArticleChanged]) -> list[Listing]:
    """The listings whose feeds may change: home first, then every list any of the events'
    articles was on before or is on after, each once."""
    listings: set[Listing] = set()
    for event in events:
        for placement in (event.before, event.after):
            if placement is not None:
                listings |= listings_of(placement)
    return sorted(listings)


class FeedPublisher:
    """Rewrites the feeds a batch of article events touches; a file is written only when it
    changed."""

    def __init__(
        self,
        store: ArticleStore,
        settings: Settings,
        notifier: HubNotifier | None = None,
        on_change: Callable[[], None] = lambda: None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.notifier = notifier
        self.on_change = on_change
        self.cache: dict[str, tuple[bytes, Entry | None]] = {}
        self.channel = Channel(
            base_url=settings.base_url,
            language=settings.language,
            hub_url=settings.websub_hub,
            urls=store.urls,
            file_size=self._file_size,
            media=MediaLibrary(settings.media_dir).info,
        )

    async def apply(self, events: Sequence[ArticleChanged]) -> list[str]:
        """Rebuild the feeds a batch of events touches from the store, each once; returns the
        paths of files that changed (each pinged to the hub once)."""
        revision = await self.store.revision()  # before any read the feeds are built from
        changed = await self.write(touched_lists(events), revision)
        if changed and self.notifier is not None:
            self.notifier.notify(self.channel.absolute(path) for path in changed)
        self.on_change()
        log.info(
            "feeds written",
            extra={
                "events": len(events),
                "article_ids": sorted({e.article_id for e in events}),
                "changed": len(changed),
            },
        )
        return changed

    async def write(self, listings: Sequence[Listing], revision: int) -> list[str]:
        """Write the feeds of some lists at store revision `revision` (shared.public_writer),
        durably (one sync at the end); returns the paths of files whose bytes changed."""
        writer = PublicWriter(self.settings.public_dir, revision)
        changed = []
        for start in range(0, len(listings), LISTS_AT_ONCE):
            changed += await self._write_some(listings[start : start + LISTS_AT_ONCE], writer)
        writer.sync()
        return changed

    async def _write_some(self, listings: Sequence[Listing], writer: PublicWriter) -> list[str]:
        """Write the feeds of a few lists through `writer`, not synced yet.

        The lists' ids and names are read in one round trip, and their articles in one more
        (a site feed and a section feed hold mostly the same articles).
        """
        ids_of = await self.store.latest_ids_of(listings, self.settings.feed_size)
        names = await self.store.names_of([f for f in listings if not f.is_home])
        entries = await self.entries(sorted({i for ids in ids_of for i in ids}))
        named = iter(names)
        changed = []
        for listing, ids in zip(listings, ids_of, strict=True):
            info = self.info(listing, None if listing.is_home else next(named))
            listed = [entries[i] for i in ids if i in entries]
            documents = feed.documents(info, listed, self.channel)
            changed += [p for p, data in documents.items() if writer.write(p, data)]
        return changed

    async def entries(self, ids: list[str]) -> dict[str, Entry]:
        """The entries of the live articles among `ids`, by id.

        An article is parsed and its entry built only when its stored JSON changed since the
        last time: most of a feed's articles are the same from one event to the next.
        """
        if len(self.cache) > CACHE_LIMIT:
            self.cache.clear()
        raws = await self.store.stored_many(ids)
        entries = {}
        for article_id, raw in zip(ids, raws, strict=True):
            if raw is None:
                continue
            cached = self.cache.get(article_id)
            if cached is None or cached[0] != raw:
                article = Article.from_stored(raw)
                entry = feed.entry_of(article, self.channel) if article.is_live else None
                cached = self.cache[article_id] = (raw, entry)
            if cached[1] is not None:
                entries[article_id] = cached[1]
        return entries

    def info(self, listing: Listing, name: str | None) -> FeedInfo:
        """Title, page and file paths of a list's feeds (`name`: its display name, if known)."""
        urls = self.store.urls
        site = self.settings.site_name
        words = messages(self.settings)["feeds"]
        paths = listing.feed_paths(urls)
        if listing.is_home:
            return FeedInfo(
                title=site,
                description=words["site_description"].format(site=site),
                page_url=listing.url(urls),
                rss_url=paths["rss"],
                atom_url=paths["atom"],
                json_url=paths["json"],
            )
        name = name or listing.slug
        kind = messages(self.settings)["kinds"][listing.kind]
        return FeedInfo(
            title=f"{name} — {site}",
            description=words["list_description"].format(kind=kind, name=name, site=site),
            page_url=listing.url(urls),
            rss_url=paths["rss"],
            atom_url=paths["atom"],
        )

    def _file_size(self, path: str) -> int | None:
        """Size of a file in the public folder (a lead image), if it is there."""
        if not path.startswith("/"):
            return None
        with contextlib.suppress(UnsafePathError, OSError):
            return site_path(self.settings.public_dir, path).stat().st_size
        return None
