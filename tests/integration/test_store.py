"""The article store against a real Redis: each write stored in its shard, indexed, announced."""

import asyncio
import json
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest

from shared.article import Status
from shared.listing import HOME, Kind, Listing
from shared.store import (
    ArticleStore,
    VersionConflictError,
)
from shared.topology import ARTICLES_STREAM
from tests.support.samples import article_in

T = TypeVar("T")


async def events(store: ArticleStore) -> list[dict]:
    entries = await store.redis.xrange(ARTICLES_STREAM)
    return [json.loads(fields[b"__data__"]) for _, fields in entries]


async def test_new_article_is_stored_indexed_and_announced(store):
    result = await store.save("a1", article_in())

    assert result.created and result.changed
    article = result.article
    assert (article.version, article.status) == (1, Status.PUBLISHED)
    assert article.url == "/2026/11/25/chem-ya-mogu-vam-pomoch/"
    assert article.guid.startswith("urn:uuid:")
    assert await store.latest_ids(HOME) == ["a1"]
    assert await store.latest_ids(Listing(Kind.TAG, "politsiya")) == ["a1"]
    assert await store.name(Listing(Kind.AUTHOR, "aleksandra-vlasova")) == "Александра Власова"
    [event] = await events(store)
    assert (event["type"], event["article_id"], event["version"]) == ("ArticlePublished", "a1", 1)
    assert event["after"]["url"] == article.url


async def test_same_body_twice_is_one_version(store):
    await store.save("a1", article_in())
    again = await store.save("a1", article_in())

    assert not again.changed and again.article.version == 1
    assert len(await events(store)) == 1


async def test_edit_keeps_guid_and_slug_and_moves_indexes(store):
    first = (await store.save("a1", article_in())).article
    edited = (
        await store.save("a1", article_in(title="Новый заголовок", section="Экономика"))
    ).article

    assert edited.version == 2
    assert (edited.guid, edited.slug, edited.url) == (first.guid, first.slug, first.url)
    assert await store.latest_ids(Listing(Kind.SECTION, "obshchestvo")) == []
    assert await store.latest_ids(Listing(Kind.SECTION, "ekonomika")) == ["a1"]
    update = (await events(store))[-1]
    assert update["type"] == "ArticleUpdated"
    assert update["before"]["section"] == "obshchestvo"
    assert update["after"]["section"] == "ekonomika"


async def test_requested_slug_changes_the_url_and_keeps_the_old_one_as_redirect(store):
    first = (await store.save("a1", article_in())).article
    moved = (await store.save("a1", article_in(slug="pomoshch"))).article

    assert moved.url == "/2026/11/25/pomoshch/"
    assert moved.redirect_from == [first.url]


async def test_titles_that_make_the_same_slug_get_distinct_urls(store):
    one = (await store.save("a1", article_in())).article
    two = (await store.save("a2", article_in())).article
    assert one.url != two.url
    assert two.slug == "chem-ya-mogu-vam-pomoch-2"


async def test_unpublish_removes_from_indexes_and_republish_restores(store):
    await store.save("a1", article_in())
    gone = await store.unpublish("a1")

    assert gone.status is Status.UNPUBLISHED and gone.version == 2
    assert await store.latest_ids(HOME) == []
    back = (await store.save("a1", article_in())).article
    assert back.status is Status.PUBLISHED and back.version == 3
    assert [e["type"] for e in await events(store)] == [
        "ArticlePublished",
        "ArticleUnpublished",
        "ArticlePublished",
    ]


async def test_stale_if_match_is_refused(store):
    await store.save("a1", article_in())
    with pytest.raises(VersionConflictError) as conflict:
        await store.save("a1", article_in(title="Другой"), if_match=7)
    assert conflict.value.current == 1


async def test_concurrent_writers_get_each_version_exactly_once(store):
    bodies = [article_in(title=f"Заголовок номер {n}") for n in range(10)]
    results = await asyncio.gather(*(store.save("a1", body) for body in bodies))

    versions = sorted(r.article.version for r in results)
    assert versions == list(range(1, 11))
    newest = max(results, key=lambda r: r.article.version).article
    stored = await store.get("a1")
    assert stored is not None and stored.title == newest.title and stored.version == 10
    assert [e["version"] for e in await events(store)] == list(range(1, 11))


async def test_future_article_is_scheduled_then_published_when_due(store):
    from datetime import UTC, datetime, timedelta

    soon = datetime.now(UTC) + timedelta(hours=1)
    saved = (await store.save("a1", article_in(published_at=soon.isoformat()))).article

    assert saved.status is Status.SCHEDULED
    assert await store.latest_ids(HOME) == [] and await events(store) == []
    assert await store.publish_due() == []
    [published] = await store.publish_due(now=soon + timedelta(seconds=1))
    assert published.status is Status.PUBLISHED
    assert await store.latest_ids(HOME) == ["a1"]
    assert [e["type"] for e in await events(store)] == ["ArticlePublished"]


async def test_old_urls_resolve_to_redirects_and_unpublished_ones_to_gone(store):
    first = (await store.save("a1", article_in())).article
    moved = (await store.save("a1", article_in(slug="pomoshch"))).article

    assert await store.resolve(first.url) == (301, moved.url)
    assert await store.resolve(moved.url) == (404, None)  # the file itself answers
    assert await store.resolve("/nothing/here/") == (404, None)
    await store.unpublish("a1")
    assert await store.resolve(moved.url) == (410, None)
    assert await store.resolve(first.url) == (410, None)


async def test_paths_of_an_article_never_live_resolve_as_unknown_ones(store):
    # A scheduled article, renamed and then unpublished before its time: none of its paths
    # was ever public, so none answers other than a path nobody ever used.
    soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    draft = (await store.save("a1", article_in(published_at=soon, slug="embargo"))).article
    renamed = (await store.save("a1", article_in(published_at=soon, slug="embargo-2"))).article
    assert [await store.resolve(u) for u in (draft.url, renamed.url)] == [(404, None)] * 2
    await store.unpublish("a1")
    assert [await store.resolve(u) for u in (draft.url, renamed.url)] == [(404, None)] * 2


async def test_a_draft_path_of_an_article_published_later_is_not_redirected(store):
    soon = datetime.now(UTC) + timedelta(hours=1)
    draft = (await store.save("a1", article_in(published_at=soon.isoformat()))).article
    final = (
        await store.save("a1", article_in(published_at=soon.isoformat(), slug="final"))
    ).article
    await store.publish_due(now=soon + timedelta(seconds=1))

    assert await store.resolve(draft.url) == (404, None)
    await store.unpublish("a1")
    assert await store.resolve(final.url) == (410, None)  # it was live there


async def test_a_live_path_of_a_rescheduled_article_is_gone_only_once_unpublished(store):
    live = (await store.save("a1", article_in())).article
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    rescheduled = (await store.save("a1", article_in(published_at=later))).article

    assert await store.resolve(live.url) == (404, None)  # no hint of the coming URL
    assert await store.resolve(rescheduled.url) == (404, None)
    await store.unpublish("a1")
    assert await store.resolve(live.url) == (410, None)
    assert await store.resolve(rescheduled.url) == (404, None)


async def test_every_write_moves_the_store_revision_forward(store):
    # Each transaction that changes an article bumps the store-wide revision.
    first = await store.revision()
    await store.save("rev-1", article_in())
    second = await store.revision()
    await store.save("rev-1", article_in())  # unchanged: no transaction, no bump
    assert await store.revision() == second
    await store.unpublish("rev-1")
    third = await store.revision()
    assert first < second < third

    # If Redis comes back empty, the revision still counts on from above the old ones.
    await store.redis.flushall()
    await store.save("rev-2", article_in(title="Другое"))
    assert await store.revision() > third


async def commands_run(store: ArticleStore, call: Awaitable[T]) -> tuple[T, dict[str, int]]:
    """What `call` returns, and how many times it ran each Redis command (INFO commandstats)."""
    await store.redis.config_resetstat()
    result = await call
    stats = await store.redis.info("commandstats")
    counts = {name.removeprefix("cmdstat_"): int(s["calls"]) for name, s in stats.items()}
    own = {"info", "config|resetstat"}
    return result, {name: n for name, n in counts.items() if name not in own}


@pytest.mark.parametrize("tag", ["редкий", "никогда"])
async def test_section_and_tag_page_costs_the_same_whatever_the_sections_size(store, tag):
    # Two sections of 2 and 400 articles, each with one article tagged "редкий" as its oldest;
    # "никогда" is a tag of another section only.
    await store.save("elsewhere", article_in(section="Культура", tags=["никогда"]))
    costs = {}
    for section, size in (("Спорт", 2), ("Экономика", 400)):
        rare = f"{size}-rare"
        await store.save(rare, article_in(title=rare, section=section, tags=["редкий"]))
        for n in range(size - 1):
            await store.save(f"{size}-{n}", article_in(title=f"{section} {n}", section=section))
        page, costs[section] = await commands_run(
            store, store.list_for_editors(section=section, tag=tag, limit=1)
        )
        assert [a.id for a in page.articles] == ([rare] if tag == "редкий" else [])
        assert page.next_after is None

    # The same commands, as many times, for either section: Redis intersects the two lists.
    assert costs["Спорт"] == costs["Экономика"]
    assert costs["Спорт"]["zinterstore"] == 1
    assert costs["Спорт"].get("mget", 0) == (1 if tag == "редкий" else 0)
