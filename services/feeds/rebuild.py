"""Full feeds rebuild: the feeds of every list from the store, with a progress bar.

Every list (the site, then each section, tag and author the store knows) is written through
`FeedPublisher.write`, the code of the incremental path, so both produce the same bytes; the
store revision is read once, before anything the feeds are built from. One process is enough:
a feed holds at most NEWSROOM_FEED_SIZE entries and the publisher's entry cache is shared by
every list. The WebSub hub is not pinged (no notifier): subscribers see the rewritten feeds at
their next poll, or with the next event that touches the list. The most-read lists
(/data/popular.json, views.json) are left to the running feeds service.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from services.feeds.publisher import LISTS_AT_ONCE, FeedPublisher
from shared.listing import HOME
from shared.settings import Settings
from shared.store import open_store


@dataclass(frozen=True)
class FeedTotals:
    """What a feeds rebuild did."""

    lists: int
    files_changed: int


def rebuild_feeds(
    settings: Settings,
    show_progress: bool = True,
    on_progress: Callable[[int, int], None] | None = None,
) -> FeedTotals:
    """Write the feeds of every list from the store into the public folder
    (`on_progress(lists done, lists)` after each group of lists)."""

    async def run() -> FeedTotals:
        store = open_store(settings)
        try:
            publisher = FeedPublisher(store, settings)
            revision = await store.revision()  # before any read the feeds are built from
            lists = [HOME, *sorted(await store.names())]
            changed = 0
            columns = (
                TextColumn("writing feeds"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("lists"),
                TimeElapsedColumn(),
            )
            with Progress(*columns, disable=not show_progress) as progress:
                task = progress.add_task("feeds", total=len(lists))
                for start in range(0, len(lists), LISTS_AT_ONCE):
                    some = lists[start : start + LISTS_AT_ONCE]
                    changed += len(await publisher.write(some, revision))
                    progress.advance(task, len(some))
                    if on_progress is not None:
                        on_progress(start + len(some), len(lists))
            return FeedTotals(len(lists), changed)
        finally:
            await store.redis.aclose()

    return asyncio.run(run())
