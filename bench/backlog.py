"""Backlog benchmark: how fast a consumer (feeds or render) works a backlog of article events.

Run from the repository root:
`.venv/bin/python bench/backlog.py [ARTICLES] [--service feeds|render]` (2000, feeds).

The service alone runs on a private redis-server. It starts on a store of one article
(bench/corpus.py), writes its files (feeds, or pages) and its manifest, and stops; then
ARTICLES more articles are written with the store's bulk API (`ArticleStore.load`) and one
ArticlePublished event each is added to the articles stream, as saving them would (each
older than the last: an archive import). The service starts again (it finds its folder up to
date: the events wait in its group) and is timed from its process start until its group has
no lag and nothing pending (every event's files written, synced and acked), and from its
/ready answer to the same moment (the work without start-up).
"""

import argparse
import asyncio
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import redis
from redis.asyncio import Redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corpus import synthetic  # noqa: E402

from shared.events import ArticlePublished, encode  # noqa: E402
from shared.keyspace import ARTICLES_STREAM  # noqa: E402
from shared.settings import Settings  # noqa: E402
from shared.store import open_store  # noqa: E402
from shared.topology import FEEDS_GROUP, RENDER_GROUP  # noqa: E402
from tests.support.platform import Platform, wait_for  # noqa: E402
from tests.support.redis_server import redis_executor, url_of  # noqa: E402

CHUNK = 2000
GROUPS = {"feeds": FEEDS_GROUP, "render": RENDER_GROUP}


async def store_articles(redis_url: str, first: int, count: int, announce: bool) -> None:
    """Store articles `first`..`first + count - 1` of the corpus in bulk, with one
    ArticlePublished event each when `announce`."""
    store = open_store(Settings(), Redis.from_url(redis_url))
    now = datetime.now(UTC) - timedelta(days=1)
    end = first + count
    for start in range(first, end, CHUNK):
        batch = [synthetic(n, now, store.urls) for n in range(start, min(end, start + CHUNK))]
        await store.load(batch)
        if announce:
            async with store.redis.pipeline(transaction=False) as pipe:
                for article in batch:
                    event = ArticlePublished(
                        article_id=article.id, version=1, before=None, after=article.placement()
                    )
                    pipe.xadd(ARTICLES_STREAM, encode(event))
                await pipe.execute()
    await store.redis.aclose()


def settled(client: redis.Redis, service: str) -> bool:
    """Whether the service's group has read and acked every article event."""
    groups = {g["name"].decode(): g for g in client.xinfo_groups(ARTICLES_STREAM)}
    group = groups.get(GROUPS[service])
    return group is not None and group["lag"] == 0 and group["pending"] == 0


def start_ready(platform: Platform, service: str) -> float:
    """Start the service; when (perf_counter) its /ready first answered 200."""
    platform.start(service)
    url = f"{platform.metrics_url(f'{service}-0')}/ready"
    wait_for(lambda: httpx.get(url).status_code == 200, timeout=600, interval=0.01)
    return time.perf_counter()


def figures(articles: int, workdir: Path, service: str = "feeds") -> dict[str, float]:
    """Seconds from the service's start and from its readiness to the backlog worked, and
    articles/s over each."""
    with redis_executor(workdir / "redis") as executor:
        platform = Platform(url_of(executor), workdir)
        client = redis.Redis.from_url(platform.redis_url)
        try:
            asyncio.run(store_articles(platform.redis_url, 0, 1, announce=False))
            start_ready(platform, service)
            wait_for(lambda: settled(client, service), timeout=60)
            platform.kill(f"{service}-0", signal.SIGTERM)
            asyncio.run(store_articles(platform.redis_url, 1, articles, announce=True))
            started = time.perf_counter()
            ready = start_ready(platform, service)
            wait_for(lambda: settled(client, service), timeout=3600, interval=0.01)
            done = time.perf_counter()
        finally:
            client.close()
            platform.stop()
    return {
        "articles": articles,
        "seconds from start": done - started,
        "seconds from ready": done - ready,
        "articles/s from start": articles / (done - started),
        "articles/s from ready": articles / (done - ready),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("articles", type=int, nargs="?", default=2000, help="events in the backlog")
    parser.add_argument("--service", choices=sorted(GROUPS), default="feeds")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (logs)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-backlog-") as tmp:
        results = figures(args.articles, args.keep or Path(tmp), args.service)
    print("\n".join(f"{name:<24} {value:10,.1f}" for name, value in results.items()))


if __name__ == "__main__":
    main()
