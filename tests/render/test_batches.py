"""A backlog of article events worked in large batches gives the pages of event-by-event
handling: those of the fixture site's full rebuild, which test_site_pages finds byte for byte
in the fixture site rendered in batches of 3 and 10 as events came."""

import asyncio
from pathlib import Path

from tests.support.site import (
    RecordingWriter,
    open_store,
    renderer_for,
    site_settings,
    stream_events,
    tree,
)


async def work(redis_url: str, public: Path, batch_size: int | None) -> int:
    """Every event in the stream handed to a new renderer writing to `public`: all in one
    batch (`batch_size` None) or in batches of `batch_size`; the most times a batch wrote
    one file."""
    store = open_store(redis_url)
    try:
        renderer = await renderer_for(store, site_settings(redis_url, public))
        events = await stream_events(store)
        size = batch_size or len(events)
        most = 0
        for start in range(0, len(events), size):
            renderer.writer = RecordingWriter(public)
            await renderer.apply(events[start : start + size])
            most = max(most, *renderer.writer.urls.values())
        if renderer.renames.task is not None:  # the menu grew: every page re-rendered
            await renderer.renames.task
        return most
    finally:
        await store.redis.aclose()


def test_a_backlog_in_one_batch_writes_the_pages_of_one_event_at_a_time(site, tmp_path):
    # The whole stream of the fixture site (published, retitled, moved, renamed, unpublished
    # in part, back-dated), as a backlog, is worked in one batch: each page it touches is
    # written once, and every page comes out with the same bytes as the rebuild's.
    assert asyncio.run(work(site.redis_url, tmp_path / "backlog", None)) == 1
    assert tree(tmp_path / "backlog") == tree(site.rebuilt)

    # In batches of 7 (a batch boundary between an article's events) too.
    asyncio.run(work(site.redis_url, tmp_path / "sevens", 7))
    assert tree(tmp_path / "sevens") == tree(site.rebuilt)
