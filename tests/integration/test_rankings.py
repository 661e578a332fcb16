"""Most-read rankings against a real Redis: bucket boundaries, bots, repeat readers, liveness."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from redis.asyncio import Redis

from services.feeds.popular import Popular
from services.feeds.views import ViewCounter
from shared.article import ArticleIn
from shared.clock import utcnow
from shared.events import ArticleViewed
from shared.settings import Settings
from shared.store import open_store


def article(title: str, section: str) -> ArticleIn:
    return ArticleIn(
        title=title,
        authors=[{"name": "Айгерим Сапарова"}],
        section=section,
        body_html="<p>Текст</p>",
        published_at=datetime(2026, 1, 10, tzinfo=UTC),
    )


def view(article_id: str, visitor: str, at: datetime, bot: bool = False) -> ArticleViewed:
    return ArticleViewed(article_id=article_id, visitor_id=visitor, occurred_at=at, bot=bot)


def ranked(items: list[dict]) -> list[tuple[str, int]]:
    return [(i["id"], i["views"]) for i in items]


async def test_rankings_over_bucket_boundaries_with_bots_and_repeat_readers(redis_url, tmp_path):
    redis = Redis.from_url(redis_url)
    store = open_store(Settings(), redis)
    public: Path = tmp_path / "public"
    settings = Settings(public_dir=public)
    # Times relative to the real clock, so bucket expiry in Redis agrees with the test.
    hour = utcnow().replace(minute=0, second=0, microsecond=0)
    now = hour + timedelta(minutes=30)
    today = hour.replace(hour=0)
    second = timedelta(seconds=1)
    popular = Popular(redis, store, settings, clock=lambda: now)
    counter = ViewCounter(redis, settings.layout, repeat_window=3600)

    # Given four live articles in two sections.
    for article_id, title, section in [
        ("a1", "Первая", "Общество"),
        ("a2", "Вторая", "Спорт"),
        ("a3", "Третья", "Общество"),
        ("a4", "Четвёртая", "Общество"),
    ]:
        await store.save(article_id, article(title, section))

    # a1: one view on each side of the 24-hour boundary.
    first = [
        view("a1", "b1", hour - timedelta(hours=23)),
        view("a1", "b2", hour - timedelta(hours=23) - second),
    ]
    # a2: four readers this hour, one of them reading again, and five bot views.
    first += [view("a2", f"c{n}", hour + timedelta(minutes=n)) for n in range(1, 5)]
    first += [view("a2", "c1", hour + timedelta(minutes=20))]
    first += [view("a2", f"bot{n}", hour + timedelta(minutes=n), bot=True) for n in range(5)]
    # a3: one view on each side of the 7-day and of the 30-day boundary, one older still.
    second_batch = [
        view("a3", "d1", today - timedelta(days=6)),
        view("a3", "d2", today - timedelta(days=6) - second),
        view("a3", "d3", today - timedelta(days=29)),
        view("a3", "d4", today - timedelta(days=29) - second),
        view("a3", "d5", today - timedelta(days=40)),
    ]
    # a4: popular, but about to be unpublished.
    second_batch += [view("a4", f"e{n}", hour + timedelta(minutes=n)) for n in range(6)]

    # The views arrive in two batches; bots and the repeat reader are not counted.
    assert await counter.apply(first) == 6
    assert await counter.apply(second_batch) == 11
    await store.unpublish("a4")
    await popular.publish()

    data = json.loads((public / "data/popular.json").read_text())
    assert datetime.fromisoformat(data["generated_at"]) == now
    periods = {p: ranked(items) for p, items in data["periods"].items()}
    assert periods == {
        "24h": [("a2", 4), ("a1", 1)],
        "7d": [("a2", 4), ("a1", 2), ("a3", 1)],
        "30d": [("a2", 4), ("a3", 3), ("a1", 2)],
        "all": [("a3", 5), ("a2", 4), ("a1", 2)],
    }
    assert data["periods"]["24h"][0] == {
        "id": "a2",
        "title": "Вторая",
        "url": "/2026/01/10/vtoraya/",
        "views": 4,
    }
    sections = {s: {p: ranked(i) for p, i in ps.items()} for s, ps in data["sections"].items()}
    assert sections == {
        "obshchestvo": {
            "24h": [("a1", 1)],
            "7d": [("a1", 2), ("a3", 1)],
            "30d": [("a3", 3), ("a1", 2)],
            "all": [("a3", 5), ("a1", 2)],
        },
        "sport": {"24h": [("a2", 4)], "7d": [("a2", 4)], "30d": [("a2", 4)], "all": [("a2", 4)]},
    }
    # Each live article's count, for the pages' view counter; a4 is gone with its page.
    assert json.loads((public / "data/views.json").read_text()) == {"a1": 2, "a2": 4, "a3": 5}
    await redis.aclose()


async def test_an_article_counts_in_the_section_it_is_in_now(redis_url, tmp_path):
    redis = Redis.from_url(redis_url)
    store = open_store(Settings(), redis)
    public: Path = tmp_path / "public"
    popular = Popular(redis, store, Settings(public_dir=public), clock=utcnow)
    await store.save("a1", article("Первая", "Общество"))
    await ViewCounter(redis, Settings().layout, repeat_window=3600).apply(
        [view("a1", f"v{n}", utcnow()) for n in range(3)]
    )

    # The article moves to another section and is renamed.
    await store.save("a1", article("Переехала", "Спорт"))
    await popular.publish()

    data = json.loads((public / "data/popular.json").read_text())
    assert list(data["sections"]) == ["sport"]
    assert data["sections"]["sport"]["all"][0]["title"] == "Переехала"
    assert ranked(data["periods"]["24h"]) == [("a1", 3)]
    await redis.aclose()
