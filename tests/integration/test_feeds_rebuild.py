"""The full feeds rebuild against a real Redis: the same bytes as the incremental path."""

import asyncio

from services.feeds.publisher import FeedPublisher
from services.feeds.rebuild import rebuild_feeds
from shared.settings import Settings
from tests.support.feed_checks import assert_valid_json_feed
from tests.support.site import EventPump, OneByOne, build_site, open_store, site_settings, tree


async def publish_incrementally(settings: Settings) -> tuple[dict[str, str], str]:
    """The demo site, published and edited, the feeds publisher handling every event as it
    comes; the store's list names and the guid of an unpublished article."""
    store = open_store(settings.redis_url)
    try:
        await build_site(store, EventPump(store, OneByOne(FeedPublisher(store, settings))))
        unpublished = await store.get("demo-003")
        return await store.names(), unpublished.guid
    finally:
        await store.redis.aclose()


def test_a_rebuild_writes_the_feeds_the_incremental_path_wrote_byte_for_byte(redis_url, tmp_path):
    # The demo site is published, then retitled, moved to another section, given a new slug,
    # unpublished in part and back-dated, the feeds publisher handling each event.
    settings = site_settings(redis_url, tmp_path / "public")
    names, unpublished_guid = asyncio.run(publish_incrementally(settings))
    incremental = tree(settings.public_dir)

    # Every list has its feeds: RSS, Atom and JSON for the site, RSS and Atom for each
    # section, tag and author, including those the edits emptied or filled.
    assert len(incremental) == 3 + 2 * len(names)
    for path in ("feeds/rss.xml", "feeds/atom.xml", "feeds/feed.json", "section/nauka/rss.xml"):
        assert path in incremental, path
    assert {p.split("/")[0] for p in incremental} == {"feeds", "section", "tag", "author"}

    # The feed files are deleted, and an operator rebuilds every feed from the store.
    for path in incremental:
        (settings.public_dir / path).unlink()
    totals = rebuild_feeds(settings, show_progress=False)

    # Every file is back with the same bytes, and the unpublished article is not in them.
    assert (totals.lists, totals.files_changed) == (1 + len(names), len(incremental))
    assert tree(settings.public_dir) == incremental
    site_feed = assert_valid_json_feed(incremental["feeds/feed.json"])
    assert unpublished_guid not in {item["id"] for item in site_feed["items"]}

    # A second rebuild finds nothing to change.
    assert rebuild_feeds(settings, show_progress=False).files_changed == 0
    assert tree(settings.public_dir) == incremental
