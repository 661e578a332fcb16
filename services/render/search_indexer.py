"""The render service's search index builds, in the background (see search_index).

A batch of article events marks the months (shards) it changed; they are built at most
`NEWSROOM_SEARCH_DEBOUNCE_S` after the first change not indexed yet, and at once when an
article left the site. The handler and its acknowledgement never wait for a build; one build
runs at a time, and changes that arrive meanwhile are built after it.
"""

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from services.render.search_index import index_site, shard_of, stale_shards
from shared.cancelling import cancel_and_wait
from shared.events import ArticleChanged
from shared.settings import Settings
from shared.urls import UrlScheme

log = logging.getLogger(__name__)

RETRY_S = 5.0


def left_the_site(events: Sequence[ArticleChanged]) -> bool:
    """Whether an article of the batch was on the site and is not any more."""
    return any(e.before is not None and e.after is None for e in events)


class SearchIndexer:
    """Rebuilds the changed shards of the index after changes, one build at a time."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.urls = UrlScheme.for_site(settings)
        self.shards: set[str] = set()
        self.wanted = asyncio.Event()
        self.urgent = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    def touch(self, shards: set[str], urgent: bool = False) -> None:
        """Ask for a build of `shards`: within the debounce time, or at once when `urgent`."""
        if not shards:
            return
        self.shards |= shards
        self.wanted.set()
        if urgent:
            self.urgent.set()

    def follow(self, events: Sequence[ArticleChanged]) -> None:
        """Ask for a build of the months `events` changed (at once when a page left)."""
        changed = set().union(*(shard_of(self.urls, e) for e in events))
        self.touch(changed, urgent=left_the_site(events))

    def start(self) -> None:
        """Run the builds in a task of the service."""
        self.task = asyncio.create_task(self.run())

    async def stop(self) -> None:
        """Stop the builds (one under way finishes in its thread)."""
        if self.task is not None:
            await cancel_and_wait([self.task])

    async def run(self) -> None:
        """Build the stale shards (a stop may have left some), then whenever asked, forever
        (a task of the service)."""
        root = self.settings.public_dir
        self.touch(await asyncio.to_thread(stale_shards, root, self.urls))
        while True:
            await self.wanted.wait()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.urgent.wait(), self.settings.search_debounce_s)
            shards, self.shards = self.shards, set()
            self.wanted.clear()
            self.urgent.clear()
            try:
                built = await asyncio.to_thread(index_site, self.settings, shards)
            except Exception:
                log.exception("search index build failed; trying again")
                await asyncio.sleep(RETRY_S)
                self.touch(shards)
                continue
            log.info(
                "search index built: %d pages of %s in %.1f s",
                built.pages,
                ", ".join(sorted(shards)),
                built.seconds,
            )
