"""The benchmarks' articles: one synthetic corpus, loaded into a store or written as Markdown
for the peers (Pelican, Hugo), so every side builds the same articles."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from shared.article import Article
from shared.keyspace import ARTICLES_STREAM
from shared.redis_client import connect
from shared.settings import Settings
from shared.store import open_store
from shared.urls import UrlScheme

SECTIONS = ["Общество", "Экономика", "Спорт", "Культура", "Наука", "Происшествия", "Политика"]
TAGS = [f"тема {n}" for n in range(60)] + ["Жас бүркіт", "Ұлы Жеңіс"]
AUTHORS = [f"Автор Номер {n}" for n in range(40)]
TEXT = "Текст новости о событиях в Казахстане и мире. " * 12
BODY = f"<p>{TEXT}</p>"


def synthetic(n: int, now: datetime, urls: UrlScheme) -> Article:
    """Article number `n`, published `n` × 17 minutes before `now`."""
    published = now - timedelta(minutes=17 * n)
    slug = f"novost-{n}"
    return Article(
        id=f"bulk-{n}",
        version=1,
        guid=f"urn:uuid:{uuid.UUID(int=n)}",
        slug=slug,
        url=urls.article_url(slug, published),
        status="published",
        created_at=published,
        modified_at=published,
        title=f"Новость номер {n}: события дня в регионах",
        summary="Краткое изложение новости для списков и поисковиков.",
        body_html=BODY,
        authors=[{"name": AUTHORS[n % len(AUTHORS)]}],
        section=SECTIONS[n % len(SECTIONS)],
        tags=[TAGS[n % len(TAGS)], TAGS[(n * 7 + 3) % len(TAGS)]],
        published_at=published,
    )


def corpus(count: int) -> Iterator[tuple[Article, datetime]]:
    """The first `count` articles with their publication time in the site's time zone."""
    urls = UrlScheme.for_site(Settings())
    now = datetime.now(UTC) - timedelta(days=1)
    for n in range(count):
        article = synthetic(n, now, urls)
        yield article, urls.local(article.published_at)  # type: ignore[arg-type]


async def bulk_load(redis_url: str, count: int, cluster: bool = False) -> None:
    """Fill an empty store (on a Redis Cluster when `cluster`) with `count` articles, 2,000
    per pipeline (no events)."""
    store = open_store(Settings(), connect(redis_url, cluster=cluster))
    now = datetime.now(UTC) - timedelta(days=1)
    for start in range(0, count, 2000):
        batch = [synthetic(n, now, store.urls) for n in range(start, min(count, start + 2000))]
        await store.load(batch)
    await store.redis.delete(ARTICLES_STREAM)
    await store.redis.aclose()
