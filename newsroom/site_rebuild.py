"""`newsroom rebuild`: the pages and the feeds from the store, each part's manifest after it.

Before anything is written, each part is checked as the services check it at start
(shared.site_check.check): from a store that is empty or older than the site's manifest
nothing is rebuilt unless forced. After a part, its manifest names the store and the
revision read before the part began, so the running services find the folder in step.
"""

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from services.feeds.rebuild import rebuild_feeds
from services.render.rebuild import rebuild as rebuild_site
from shared.listing import HOME
from shared.settings import Settings
from shared.site_check import check
from shared.site_manifest import Action, StoreFacts, rebuilt, record
from shared.store import open_store
from shared.store.migration import prepare_store
from shared.urls import UrlScheme


class StoreRefusedError(Exception):
    """The store looks wrong for this site (empty, or older than its manifest)."""


@dataclass(frozen=True)
class Part:
    """One part of the site: the service writing it, its landmark file, how to rebuild it."""

    service: str
    landmark: str
    run: Callable[[], str]


def _checked(settings: Settings, parts: list[Part]) -> list[tuple[Action, str, StoreFacts]]:
    async def run() -> list[tuple[Action, str, StoreFacts]]:
        store = open_store(settings)
        try:
            await prepare_store(store.redis, store.relay)
            return [await check(store, settings, p.service, p.landmark) for p in parts]
        finally:
            await store.redis.aclose()

    return asyncio.run(run())


def rebuild_parts(
    settings: Settings, jobs: int | None, *, pages: bool, feeds: bool, force: bool
) -> Iterator[str]:
    """Rebuild the chosen parts, yielding a line of what each did; StoreRefusedError
    (before anything is written) when the store looks wrong and `force` is not given."""

    def site() -> str:
        totals = rebuild_site(settings, jobs)
        return f"pages: {totals.files_written} files written, {totals.files_removed} removed"

    def lists() -> str:
        totals = rebuild_feeds(settings)
        return f"feeds: {totals.files_changed} files changed in {totals.lists} lists"

    urls = UrlScheme.for_site(settings)
    parts = [Part("render", "/", site)] if pages else []
    parts += [Part("feeds", HOME.feed_paths(urls)["rss"], lists)] if feeds else []
    checked = _checked(settings, parts)
    for part, (action, reason, _) in zip(parts, checked, strict=True):
        if action is Action.REFUSE and not force:
            raise StoreRefusedError(f"{part.service}: {reason}")
    for part, (_, _, facts) in zip(parts, checked, strict=True):
        line = part.run()
        record(settings.public_dir, part.service, rebuilt(facts), force=True)
        yield line
