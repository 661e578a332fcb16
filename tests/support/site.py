"""A fixture site for render and feeds tests: the demo articles plus edits, published event by
event."""

import json
import shutil
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Protocol

from bs4 import BeautifulSoup

import shared.store
from newsroom.demo import DEMO_DIR, demo_articles
from services.feeds.publisher import FeedPublisher
from services.render.search_index import BUNDLE, LOCK
from services.render.site import SiteRenderer
from shared.article import ArticleIn
from shared.clock import utcnow
from shared.events import DATA_FIELD, ArticleChanged, article_event_adapter
from shared.files import REVISIONS_DIR
from shared.pages.theme import make_environment
from shared.public_writer import PublicWriter
from shared.settings import Settings
from shared.store import ArticleStore
from shared.topology import ARTICLES_STREAM

PAGE_SIZE = 5
SITEMAP_SIZE = 10
SITE_URL = "https://news.example.kz"


def site_settings(redis_url: str, public_dir: Path) -> Settings:
    """Settings of the fixture site: small pages, so lists and sitemaps paginate."""
    return Settings(
        REDIS_URL=redis_url,
        public_dir=public_dir,
        page_size=PAGE_SIZE,
        site_url=SITE_URL,
        site_name="Вестник Степи",
    )


async def renderer_for(store: ArticleStore, settings: Settings) -> SiteRenderer:
    """A renderer writing the fixture site, with the demo pictures in place."""
    shutil.copytree(DEMO_DIR / "static", settings.public_dir / "static", dirs_exist_ok=True)
    renderer = SiteRenderer(store, make_environment(settings), settings, SITEMAP_SIZE)
    await renderer.install_static()
    return renderer


class RecordingWriter(PublicWriter):
    """The real writer, also noting each URL it writes."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.urls: Counter[str] = Counter()

    def write(self, url: str, data: bytes) -> bool:
        self.urls[url] += 1
        return super().write(url, data)


class Consumer(Protocol):
    """What handles the store's events: the renderer, or feeds (`OneByOne`)."""

    async def apply(self, events: list[ArticleChanged], /) -> None: ...


class OneByOne:
    """The feeds publisher handling events one at a time (its service hands it batches)."""

    def __init__(self, publisher: FeedPublisher) -> None:
        self.publisher = publisher

    async def apply(self, events: list[ArticleChanged]) -> None:
        for event in events:
            await self.publisher.apply([event])


class EventPump:
    """Hands a consumer the events the store announced since the last call, in batches."""

    def __init__(self, store: ArticleStore, consumer: Consumer) -> None:
        self.store = store
        self.consumer = consumer
        self.last_id = "-"

    async def __call__(self, batch_size: int = 10) -> int:
        start = "-" if self.last_id == "-" else f"({self.last_id}"
        entries = await self.store.redis.xrange(ARTICLES_STREAM, start, "+")
        if not entries:
            return 0
        self.last_id = entries[-1][0].decode()
        events = [article_event_adapter.validate_json(f[DATA_FIELD.encode()]) for _, f in entries]
        for i in range(0, len(events), batch_size):
            await self.consumer.apply(events[i : i + batch_size])
        return len(events)


async def stream_events(store: ArticleStore) -> list[ArticleChanged]:
    """Every article event in the store's stream, oldest first (a consumer's backlog)."""
    entries = await store.redis.xrange(ARTICLES_STREAM)
    return [article_event_adapter.validate_json(f[DATA_FIELD.encode()]) for _, f in entries]


def soup(html: str) -> BeautifulSoup:
    """A page parsed for reading."""
    return BeautifulSoup(html, "html.parser")


def teaser_links(page: BeautifulSoup) -> list[str]:
    """The article links of a list page's teasers, in order."""
    return [a["href"] for a in page.select(".teaser-title a")]


def new_article(n: int, hours_ago: float = 0, **changes: object) -> ArticleIn:
    """Article number `n` (a demo article retitled), published `hours_ago` hours ago."""
    moment = utcnow().replace(microsecond=0) - timedelta(hours=hours_ago)
    fields = demo("demo-036") | {
        "title": f"Сводка происшествий номер {n}",
        "published_at": moment.isoformat(),
        "lead_image": None,
    }
    return ArticleIn.model_validate(fields | changes)


def demo(article_id: str) -> dict:
    """One demo article's fields, without its id."""
    [article] = [a for a in demo_articles() if a["id"] == article_id]
    return {k: v for k, v in article.items() if k != "id"}


async def build_site(store: ArticleStore, pump: EventPump | None = None) -> None:
    """Publish the demo site, then edit it the ways editors do, rendering as events come."""

    async def step(batch_size: int = 10) -> None:
        if pump is not None:
            await pump(batch_size)

    for n, article in enumerate(demo_articles(), 1):
        fields = {k: v for k, v in article.items() if k != "id"}
        await store.save(article["id"], ArticleIn.model_validate(fields))
        if n % 7 == 0:
            await step(batch_size=3)
    await step()
    # Two fresh articles, for the Google News sitemap.
    now = utcnow().replace(microsecond=0)
    for n, hours in enumerate((1, 5), 1):
        fields = demo("demo-022") | {
            "title": f"Свежая новость номер {n}: учёные Алматы представили прототип",
            "published_at": (now - timedelta(hours=hours)).isoformat(),
            "lead_image": None,
        }
        await store.save(f"fresh-{n}", ArticleIn.model_validate(fields))
    await step()

    # A retitle, a slug change, a section change, an unpublished article, a back-dated one.
    async def edit(article_id: str, **changes: str) -> None:
        await store.save(article_id, ArticleIn.model_validate(demo(article_id) | changes))
        await step()

    await edit("demo-001", title="Участковые Караганды выходят к людям")
    await edit("demo-011", slug="novyi-adres")
    await edit("demo-013", section="Наука")
    await store.unpublish("demo-044")
    await step()
    await store.unpublish("demo-003")
    await store.save(
        "late-1",
        ArticleIn.model_validate(
            demo("demo-004")
            | {"published_at": "2025-01-05T12:00:00+05:00", "tags": ["Жас бүркіт", "Ұлы Жеңіс"]}
        ),
    )
    await step(batch_size=1)


def open_store(redis_url: str, timezone: str = "Asia/Almaty") -> ArticleStore:
    """A store on `redis_url`."""
    return shared.store.open_store(Settings(redis_url=redis_url, timezone=timezone))


def tree(root: Path) -> dict[str, bytes]:
    """Every site file under `root` by relative path, with its bytes (revision sidecars,
    bookkeeping of the writers rather than output, left out, and the search index: a full
    rebuild builds it, the event pump does not; test_search_index checks it)."""
    skipped = {REVISIONS_DIR, LOCK, BUNDLE}
    files = sorted(
        p for p in root.rglob("*") if p.is_file() and not skipped & set(p.relative_to(root).parts)
    )
    return {str(p.relative_to(root)): p.read_bytes() for p in files}


def popular_fixture(articles: list[tuple[str, str, str]]) -> str:
    """A /data/popular.json in the feeds service's format (see services/feeds/README.md)."""

    def ranked(order: list[tuple[str, str, str]]) -> list[dict[str, object]]:
        return [
            {"id": i, "title": t, "url": u, "views": 100 - n} for n, (i, t, u) in enumerate(order)
        ]

    items = ranked(articles)
    return json.dumps(
        {
            "generated_at": utcnow().isoformat(),
            # The week's most read are the others in reverse, so switching tabs shows.
            "periods": {"24h": items, "7d": ranked(articles[::-1]), "30d": items, "all": items},
            "sections": {},
        },
        ensure_ascii=False,
    )
