"""Keeps the feed files in step with the store: only the feeds an event touches."""

import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from services.feeds import feed
from services.feeds.feed import Channel, Entry, FeedInfo
from services.feeds.websub import HubNotifier
from shared.article import Article, Placement
from shared.events import ArticleChanged
from shared.files import UnsafePathError, site_path, write_versioned
from shared.pages.messages import messages
from shared.settings import Settings
from shared.store import HOME, ArticleStore, index_key

log = logging.getLogger(__name__)

CACHE_LIMIT = 20_000
LIST_KINDS = ("section", "tag", "author")


@dataclass(frozen=True, order=True)
class FeedList:
    """One list that has feeds: the whole site, or a section, tag or author."""

    kind: str
    slug: str = ""

    @property
    def index(self) -> str:
        """The store index listing its live articles."""
        return HOME if self.kind == "site" else index_key(self.kind, self.slug)


SITE = FeedList("site")


def touched_lists(event: ArticleChanged) -> list[FeedList]:
    """The lists whose feeds may change: the site first, then every list before and after."""
    lists: set[FeedList] = set()
    for placement in (event.before, event.after):
        if placement is not None:
            lists |= _lists_of(placement)
    return [SITE, *sorted(lists)] if lists else []


def _lists_of(placement: Placement) -> set[FeedList]:
    return {
        FeedList("section", placement.section),
        *(FeedList("tag", t) for t in placement.tags),
        *(FeedList("author", a) for a in placement.authors),
    }


class FeedPublisher:
    """Rewrites the feeds an article event touches; a file is written only when it changed."""

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
        )

    async def apply(self, event: ArticleChanged) -> list[str]:
        """Rebuild the touched feeds from the store; returns the paths of files that changed."""
        revision = await self.store.revision()  # before any read the feeds are built from
        changed = await self.write(touched_lists(event), revision)
        if changed and self.notifier is not None:
            self.notifier.notify(self.channel.absolute(path) for path in changed)
        self.on_change()
        log.info(
            "feeds written",
            extra={"event_id": event.event_id, "article_id": event.article_id, "changed": changed},
        )
        return changed

    async def write(self, feed_lists: Sequence[FeedList], revision: int) -> list[str]:
        """Write the feeds of some lists unless newer ones are there (write_versioned);
        returns the paths of files whose bytes changed.

        The lists' ids and names are read in one round trip, and their articles in one more
        (a site feed and a section feed hold mostly the same articles).
        """
        ids_of = await self.store.latest_ids_of(
            [f.index for f in feed_lists], self.settings.feed_size
        )
        names = await self.store.names_of([f"{f.kind}:{f.slug}" for f in feed_lists if f != SITE])
        entries = await self.entries(sorted({i for ids in ids_of for i in ids}))
        named = iter(names)
        root = self.settings.public_dir
        changed = []
        for feed_list, ids in zip(feed_lists, ids_of, strict=True):
            info = self.info(feed_list, None if feed_list == SITE else next(named))
            listed = [entries[i] for i in ids if i in entries]
            documents = feed.documents(info, listed, self.channel)
            root = self.settings.public_dir
            changed += [
                p for p, data in documents.items() if write_versioned(root, p, data, revision)
            ]
        return changed

    async def entries(self, ids: list[str]) -> dict[str, Entry]:
        """The entries of the live articles among `ids`, by id.

        An article is parsed and its entry built only when its stored JSON changed since the
        last time: most of a feed's articles are the same from one event to the next.
        """
        if len(self.cache) > CACHE_LIMIT:
            self.cache.clear()
        raws = await self.store.redis.mget([self.store.key(i) for i in ids]) if ids else []
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

    def info(self, feed_list: FeedList, name: str | None) -> FeedInfo:
        """Title, page and file paths of a list's feeds (`name`: its display name, if known)."""
        urls = self.store.urls
        site = self.settings.site_name
        words = messages(self.settings)["feeds"]
        paths = urls.feed_urls(feed_list.kind, feed_list.slug)
        if feed_list == SITE:
            return FeedInfo(
                title=site,
                description=words["site_description"].format(site=site),
                page_url=urls.home_url(),
                rss_url=paths["rss"],
                atom_url=paths["atom"],
                json_url=paths["json"],
            )
        name = name or feed_list.slug
        kind = messages(self.settings)["kinds"][feed_list.kind]
        return FeedInfo(
            title=f"{name} — {site}",
            description=words["list_description"].format(kind=kind, name=name, site=site),
            page_url=urls.list_url(feed_list.kind, feed_list.slug),
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
