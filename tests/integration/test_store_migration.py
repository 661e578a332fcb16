"""A store of before the cluster keyspace migrated, and a store's layout kept, on a real Redis."""

import json
import re

import pytest
from fastapi.testclient import TestClient

from services.ingest.app import create_app
from shared.keyspace import LAYOUT, PLACED, PREFIX, Layout
from shared.listing import HOME, Kind, Listing
from shared.settings import Settings
from shared.store import ArticleStore
from shared.store.migration import LayoutMismatchError, check_layout, migrate
from shared.topology import ARTICLES_STREAM, RENDER_GROUP
from tests.support.samples import TOKENS, article_in


async def old_keys(store: ArticleStore) -> dict[str, bytes]:
    """Every key of the store renamed as before the cluster keyspace (no relay's keys)."""
    redis = store.redis
    gone = [PLACED, LAYOUT, *store.layout.outboxes()]
    await redis.delete(*gone)
    for key in [k.decode() async for k in redis.scan_iter(PREFIX + "*")]:
        await redis.rename(key, re.sub(r"\{[^}]*\}:", "", key))
    return {k.decode(): await redis.type(k) async for k in redis.scan_iter("*")}


async def test_an_old_store_is_renamed_and_placed(store):
    await store.save("a1", article_in(section="Спорт"))
    await store.save("a2", article_in(title="Вторая"))
    await store.unpublish("a2")
    await store.redis.xgroup_create(ARTICLES_STREAM, RENDER_GROUP, id="0")
    placed = await store.redis.hgetall(PLACED)
    before = await old_keys(store)
    assert "newsroom:article:a1" in before and "newsroom:idx:section:sport" in before

    assert await migrate(store.redis, store.relay) == len(before)
    assert await migrate(store.redis, store.relay) == 0

    assert await store.redis.hgetall(PLACED) == placed
    assert await store.latest_ids(Listing(Kind.SECTION, "sport")) == ["a1"]
    assert (await store.get("a2")).version == 2
    assert len(await store.versions("a2")) == 2
    [group] = await store.redis.xinfo_groups(ARTICLES_STREAM)
    assert (group["name"], group["last-delivered-id"]) == (RENDER_GROUP.encode(), b"0-0")
    revision = await store.revision()

    moved = await store.save("a1", article_in(section="Культура"))

    assert moved.article.version == 2
    assert await store.latest_ids(Listing(Kind.SECTION, "sport")) == []
    assert await store.latest_ids(HOME) == ["a1"]
    assert await store.revision() > revision
    last = json.loads((await store.redis.xrevrange(ARTICLES_STREAM, count=1))[0][1][b"__data__"])
    assert (last["type"], last["before"]["section"]) == ("ArticleUpdated", "sport")


async def test_a_new_store_has_nothing_to_migrate(store):
    assert await migrate(store.redis, store.relay) == 0
    await store.save("a1", article_in())
    assert await migrate(store.redis, store.relay) == 0


async def test_a_store_keeps_the_layout_of_its_first_write(store):
    await check_layout(store.redis, Layout(article_shards=4))  # none recorded yet
    await store.save("a1", article_in())
    await check_layout(store.redis, store.layout)

    with pytest.raises(LayoutMismatchError, match="NEWSROOM_ARTICLE_SHARDS=4"):
        await check_layout(store.redis, Layout(article_shards=4))


async def test_ingest_refuses_to_start_on_a_store_of_another_layout(store, redis_url):
    await store.save("a1", article_in())
    other = Settings(REDIS_URL=redis_url, api_tokens=TOKENS, article_shards=3)

    with (
        pytest.raises(LayoutMismatchError, match="NEWSROOM_ARTICLE_SHARDS"),
        TestClient(create_app(other)),
    ):
        pass
