"""A backlog of article events worked in batches gives the feeds of event-by-event handling."""

import asyncio
from pathlib import Path

from services.feeds.publisher import FeedPublisher
from services.feeds.rebuild import rebuild_feeds
from shared.settings import Settings
from tests.support.site import (
    EventPump,
    OneByOne,
    build_site,
    open_store,
    site_settings,
    stream_events,
    tree,
)


async def work(redis_url: str, public: Path, batch_size: int | None) -> list[str]:
    """Every event in the stream handed to a new publisher writing to `public`: all in one
    batch (`batch_size` None) or in batches of `batch_size`; the paths each batch changed."""
    store = open_store(redis_url)
    try:
        publisher = FeedPublisher(store, site_settings(redis_url, public))
        events = await stream_events(store)
        size = batch_size or len(events)
        changed = []
        for start in range(0, len(events), size):
            changed += await publisher.apply(events[start : start + size])
        return changed
    finally:
        await store.redis.aclose()


async def as_events_come(settings: Settings) -> None:
    """The demo site published and edited, each event handled alone as it comes."""
    store = open_store(settings.redis_url)
    try:
        await build_site(store, EventPump(store, OneByOne(FeedPublisher(store, settings))))
    finally:
        await store.redis.aclose()


def test_a_backlog_in_batches_writes_the_feeds_of_one_event_at_a_time(redis_url, tmp_path):
    # The demo site is published, retitled, moved, renamed, unpublished in part and back-dated,
    # the feeds publisher handling every event alone as it comes.
    asyncio.run(as_events_come(site_settings(redis_url, tmp_path / "one-by-one")))
    one_by_one = tree(tmp_path / "one-by-one")

    # The whole stream, as a backlog, is worked in one batch: each feed it touches is written
    # once (no path changes twice) and every feed comes out with the same bytes.
    changed = asyncio.run(work(redis_url, tmp_path / "backlog", None))
    assert sorted(changed) == sorted(set(changed))
    assert len(changed) == len(one_by_one)
    assert tree(tmp_path / "backlog") == one_by_one

    # In batches of 7 (a batch boundary between an article's events) too.
    asyncio.run(work(redis_url, tmp_path / "sevens", 7))
    assert tree(tmp_path / "sevens") == one_by_one

    # And a full rebuild agrees.
    rebuild_feeds(site_settings(redis_url, tmp_path / "rebuilt"), show_progress=False)
    assert tree(tmp_path / "rebuilt") == one_by_one
