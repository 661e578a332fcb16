"""Views partitioned by article id give the figures one partition gives: the same views counted
with 1 and with 4 partitions make the same rankings and counts, and each partition's keys hold
only its own articles."""

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from redis.asyncio import Redis

from services.feeds.popular import Popular
from services.feeds.views import ViewCounter
from shared.article import ArticleIn
from shared.clock import utcnow
from shared.events import ArticleViewed
from shared.keyspace import tag_of
from shared.settings import Settings
from shared.store import open_store

SECTIONS = ("Общество", "Спорт", "Наука")


def article(n: int) -> ArticleIn:
    return ArticleIn(
        title=f"Статья {n}",
        authors=[{"name": "Айгерим Сапарова"}],
        section=SECTIONS[n % len(SECTIONS)],
        body_html="<p>Текст</p>",
        published_at=datetime(2026, 1, 10, tzinfo=UTC),
    )


def the_views(now: datetime) -> list[ArticleViewed]:
    """Views of 30 articles over 40 days: repeat readers, bots, ties, a made-up id."""
    rng = random.Random(14)
    views = []
    for n in range(600):
        article_id = f"a{rng.randrange(31)}"  # a30 is never stored
        at = now - timedelta(hours=rng.choice([0, 1, 5, 23, 30, 100, 200, 700, 960]))
        visitor = f"v{rng.randrange(40)}"
        views.append(
            ArticleViewed(
                article_id=article_id, visitor_id=visitor, occurred_at=at, bot=n % 17 == 0
            )
        )
    return views


async def figures(redis: Redis, partitions: int, public: Path, now: datetime) -> tuple[object, ...]:
    """The rankings, popular.json and views.json of the views, counted with `partitions`."""
    await redis.flushdb()
    settings = Settings(public_dir=public, views_partitions=partitions)
    store = open_store(settings, redis)
    for n in range(30):
        await store.save(f"a{n}", article(n))
    counter = ViewCounter(redis, settings.layout, repeat_window=3600)
    views = the_views(now)
    counted = sum([await counter.apply(views[i : i + 100]) for i in range(0, len(views), 100)])
    for gone in ("a3", "a4"):
        await store.unpublish(gone)
    popular = Popular(redis, store, settings, clock=lambda: now)
    rankings = await popular.rankings(now)
    await popular.publish()
    popular_json = json.loads((public / "data/popular.json").read_text())
    views_json = (public / "data/views.json").read_text()  # its order too
    return counted, rankings, popular_json, views_json


async def test_four_partitions_count_and_rank_as_one(redis_url, tmp_path):
    redis = Redis.from_url(redis_url)

    now = utcnow()

    one = await figures(redis, 1, tmp_path / "one", now)
    four = await figures(redis, 4, tmp_path / "four", now)

    assert one == four
    counted, (site, sections, counts), _, _ = four
    assert counted > 100
    assert len(site["all"]) == 10 and set(sections) == {"obshchestvo", "sport", "nauka"}
    assert {"a3", "a4", "a30"}.isdisjoint(i for i, _ in counts)
    await redis.aclose()


async def test_each_partition_holds_only_its_articles_views(redis_url, tmp_path):
    redis = Redis.from_url(redis_url)
    await figures(redis, 4, tmp_path, utcnow())
    layout = Settings(views_partitions=4).layout

    views_keys = [k.decode() for k in await redis.keys("*") if tag_of(k.decode()).startswith("v")]
    used = set()
    for key in views_keys:
        partition = int(tag_of(key)[1:])
        used.add(partition)
        if await redis.type(key) == b"zset":
            members = [m.decode() for m in await redis.zrange(key, 0, -1)]
        else:  # a per-visitor mark: <prefix><article>:<visitor>
            members = [key.rsplit(":", 2)[-2]]
        assert {layout.partition_of(m) for m in members} == {partition}, key
    assert used == set(layout.partitions())
    await redis.aclose()
