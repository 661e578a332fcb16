"""The view counter against a real Redis: only published articles count, and every key it
writes expires except the all-time totals of published articles."""

from datetime import UTC, datetime

from redis.asyncio import Redis

from services.feeds.views import DAY_KEEP, HOUR_KEEP, ViewCounter
from shared.clock import utcnow
from shared.events import ArticlePublished, ArticleUnpublished, ArticleViewed
from shared.keyspace import Layout, parked_views_key, views_all_key, views_hour_key
from shared.settings import Settings
from shared.store import open_store
from tests.support.samples import article_in

LAYOUT = Layout()
P = LAYOUT.partition_of("a1")
TOTALS = views_all_key(P)


def view(article_id: str, visitor: str | None, at: datetime) -> ArticleViewed:
    return ArticleViewed(article_id=article_id, visitor_id=visitor, occurred_at=at)


async def expiring(redis: Redis) -> dict[str, int]:
    """Every key and its TTL in seconds (-1: none)."""
    return {k.decode(): await redis.ttl(k) for k in await redis.keys("*")}


async def published(redis: Redis, *ids: str) -> None:
    store = open_store(Settings(), redis)
    for article_id in ids:
        await store.save(article_id, article_in())


async def test_views_of_unpublished_or_unknown_articles_leave_nothing(redis_url):
    redis = Redis.from_url(redis_url)
    await published(redis, "a1")
    before = await expiring(redis)
    counter = ViewCounter(redis, LAYOUT, repeat_window=60)
    now = utcnow()

    counted = await counter.apply([view("nope", "v1", now), view("a1", "v1", now)])

    assert counted == 1
    assert await redis.zrange(TOTALS, 0, -1) == [b"a1"]
    added = {k: ttl for k, ttl in (await expiring(redis)).items() if k not in before}
    assert added.pop(TOTALS) == -1
    assert 0 < added.pop(f"newsroom:{{v{P}}}:seen:a1:v1") <= 60  # the repeat window, a setting
    assert all(0 < ttl <= DAY_KEEP.total_seconds() for ttl in added.values()), added
    await redis.aclose()


async def test_a_view_dated_in_the_future_counts_now(redis_url):
    redis = Redis.from_url(redis_url)
    await published(redis, "a1")
    counter = ViewCounter(redis, LAYOUT, repeat_window=60)
    now = utcnow()

    assert await counter.apply([view("a1", None, now.replace(year=now.year + 5))]) == 1

    hour = now.replace(minute=0, second=0, microsecond=0)
    assert await redis.zscore(views_hour_key(P, now), "a1") == 1
    ttl = await redis.ttl(views_hour_key(P, now))
    assert 0 < ttl <= (hour + HOUR_KEEP - datetime.now(UTC)).total_seconds() + 1
    await redis.aclose()


async def test_an_unpublished_total_is_parked_to_expire_and_comes_back_with_the_article(
    redis_url,
):
    redis = Redis.from_url(redis_url)
    await published(redis, "a1")
    counter = ViewCounter(redis, LAYOUT, repeat_window=60)
    await counter.apply([view("a1", f"v{n}", utcnow()) for n in range(3)])
    placement = {"article_id": "a1", "version": 2, "before": None, "after": None}

    await counter.follow(ArticleUnpublished(**placement))
    await counter.follow(ArticleUnpublished(**placement))  # delivered again

    assert await redis.zscore(TOTALS, "a1") is None
    assert await redis.get(parked_views_key(P, "a1")) == b"3"
    assert 0 < await redis.ttl(parked_views_key(P, "a1")) <= DAY_KEEP.total_seconds()

    await counter.follow(ArticlePublished(**placement | {"version": 3}))
    await counter.follow(ArticlePublished(**placement | {"version": 3}))  # delivered again

    assert await redis.zscore(TOTALS, "a1") == 3
    assert await redis.exists(parked_views_key(P, "a1")) == 0
    await redis.aclose()
