"""A flood of junk views with real ones among them, sent to the real ingest and feeds services.

Shared by the flood test and `bench/views_flood.py`. Junk is every view that cannot be real:
made-up article ids and visitors, timestamps years, days or hours away. Each request carries a
few real views too (published articles, new visitors, no timestamp), from one of many client
addresses named in `X-Forwarded-For` by a trusted proxy (the load generator on 127.0.0.1).
"""

import asyncio
import contextlib
import random
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import redis

from shared.article import Article
from shared.clock import utcnow
from shared.keyspace import Layout, seen_prefix, views_all_key
from shared.redis_client import connect
from shared.settings import Settings
from shared.store import open_store
from tests.support.platform import Platform, wait_for
from tests.support.readers import BROWSER
from tests.support.redis_server import redis_executor, url_of
from tests.support.samples import stored_article
from tests.support.timing import scaled

ARTICLES = 20
REAL_PER_REQUEST = 10
REPEAT_WINDOW_S = 5  # per-visitor keys expire this soon, so retention is seen within a test
# Settings of the flooded services: no rate limit (one load generator is one address),
# retention and the most-read lists every second, so the platform settles soon after.
FLOOD_ENV = {
    "NEWSROOM_VIEWS_RATE_LIMIT": "0",
    "NEWSROOM_TRIM_INTERVAL_S": "1",
    "NEWSROOM_POPULAR_INTERVAL": "1",
    "NEWSROOM_VIEWS_REPEAT_WINDOW_S": str(REPEAT_WINDOW_S),
}


@dataclass(frozen=True)
class Footprint:
    """Redis's key count and memory: used_memory less the buffers of connected clients,
    which follow how many connections the services keep open, not what they stored."""

    keys: int
    memory: int
    clients: int  # connections, for the record

    def within(self, other: "Footprint", share: float) -> bool:
        """Whether both figures are within `share` of `other`'s."""
        return (
            abs(self.keys - other.keys) <= share * other.keys
            and abs(self.memory - other.memory) <= share * other.memory
        )


@dataclass(frozen=True)
class FloodResult:
    """What the flood did and cost."""

    before: Footprint
    after: Footprint
    junk: int
    real: int
    stored: int
    dropped: int
    send_seconds: float
    counted_seconds: float  # from the first request to the last real view counted

    @property
    def real_per_second(self) -> float:
        """Real views counted per second while the flood went on."""
        return self.real / self.counted_seconds


def footprint(client: redis.Redis) -> Footprint:
    """The key count and memory of `client`'s database."""
    memory = client.info("memory")
    return Footprint(
        keys=int(client.dbsize()),
        memory=int(memory["used_memory"]) - int(memory["mem_clients_normal"]),
        clients=int(client.info("clients")["connected_clients"]),
    )


def settled(client: redis.Redis, quiet: float = 3.0, timeout: float = 60.0) -> Footprint:
    """The footprint once it has stayed the same for `quiet` seconds (the services finish
    what the last views started: trims, the most-read lists), its memory the median of that
    time. The same means the same keys and memory within 1%: an idle platform's blocked
    readers wake and block again every second, moving a few kilobytes each time."""
    deadline = time.monotonic() + scaled(timeout)
    now = footprint(client)
    samples, since = [now], time.monotonic()
    while time.monotonic() - since < quiet:
        assert time.monotonic() < deadline, f"Redis still changing after {timeout} s: {now}"
        time.sleep(0.25)
        now = footprint(client)
        if now.keys != samples[0].keys or not now.within(samples[0], 0.01):
            samples, since = [], time.monotonic()
        samples.append(now)
    return replace(samples[-1], memory=int(statistics.median(s.memory for s in samples)))


def published_articles(prefix: str, count: int) -> list[Article]:
    """`count` published articles, `<prefix>-0` onwards."""
    return [
        stored_article(id=i, slug=i, url=f"/2026/11/25/{i}/", guid=f"urn:{i}")
        for i in (f"{prefix}-{n}" for n in range(count))
    ]


def flood_articles() -> list[Article]:
    """The published articles real views are of."""
    return published_articles("flood", ARTICLES)


def load_articles(redis_url: str, articles: list[Article], cluster: bool = False) -> None:
    """Write `articles` to the store at `redis_url` (a Redis Cluster's node when `cluster`),
    announcing no events."""

    async def load() -> None:
        store = open_store(Settings(), connect(redis_url, cluster=cluster))
        await store.load(articles)
        await store.redis.aclose()

    asyncio.run(load())


@contextlib.contextmanager
def flood_platform(workdir: Path) -> Iterator[tuple[Platform, redis.Redis]]:
    """Its own redis-server holding flood_articles(), ingest and feeds with FLOOD_ENV."""
    with redis_executor(workdir / "redis") as executor:
        url = url_of(executor)
        load_articles(url, flood_articles())
        platform = Platform(url, workdir)
        platform.env.update(FLOOD_ENV)
        client = redis.Redis.from_url(url)
        try:
            platform.start("ingest")
            platform.start("feeds")
            ready = f"http://127.0.0.1:{platform.ingest_port}/api/ready"
            wait_for(lambda: httpx.get(ready).status_code == 200, timeout=30)
            yield platform, client
        finally:
            platform.stop()
            client.close()


def junk_view(rng: random.Random, now: datetime, real_ids: list[str]) -> dict[str, str]:
    """One view that cannot be real: a made-up id (dated now, minutes ago or far away), or a
    real id dated hours to a year away."""
    view = {"article_id": f"made-up-{rng.getrandbits(48):x}"}
    view["visitor_id"] = f"junk-{rng.getrandbits(64):x}"
    away = timedelta(seconds=rng.choice([-1, 1]) * rng.uniform(3600, 400 * 86400))
    kind = rng.randrange(4)
    if kind == 1:
        view["ts"] = (now - timedelta(seconds=rng.uniform(0, 300))).isoformat()
    elif kind == 2:
        view["ts"] = (now + away).isoformat()
    elif kind == 3:
        view |= {"article_id": rng.choice(real_ids), "ts": (now + away).isoformat()}
    return view


def forwarded_for(rng: random.Random) -> str:
    """A made-up client address, IPv4 or IPv6."""
    if rng.random() < 0.5:
        return ".".join(str(rng.randrange(1, 255)) for _ in range(4))
    return ":".join(f"{rng.getrandbits(16):x}" for _ in range(8))


def requests_of(
    junk: int, batch: int, real_per_request: int, seed: int
) -> tuple[list[tuple[list, str]], dict]:
    """Request bodies (junk views and `real_per_request` real ones, shuffled) with the
    X-Forwarded-For of each, and how many real views each article gets."""
    rng = random.Random(seed)
    now = utcnow()
    real_ids = [a.id for a in flood_articles()]
    expected = dict.fromkeys(real_ids, 0)
    requests, real_sent = [], 0
    per_request = batch - real_per_request
    for start in range(0, junk, per_request):
        views = [junk_view(rng, now, real_ids) for _ in range(min(per_request, junk - start))]
        for _ in range(real_per_request):
            article_id = real_ids[real_sent % len(real_ids)]
            views.append({"article_id": article_id, "visitor_id": f"reader-{real_sent}"})
            expected[article_id] += 1
            real_sent += 1
        rng.shuffle(views)
        requests.append((views, forwarded_for(rng)))
    return requests, expected


async def _send(url: str, requests: list[tuple[list, str]], concurrency: int) -> list[dict]:
    queue: asyncio.Queue[tuple[list, str]] = asyncio.Queue()
    for request in requests:
        queue.put_nowait(request)
    answers: list[dict] = []

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            views, address = queue.get_nowait()
            headers = BROWSER | {"x-forwarded-for": address}
            response = await client.post("/api/views", json=views, headers=headers)
            assert response.status_code == 202, response.text
            answers.append(response.json())

    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    return answers


def totals(client: redis.Redis, ids: list[str]) -> dict[str, int]:
    """Each article's all-time count."""
    layout = Layout()
    return {i: int(client.zscore(views_all_key(layout.partition_of(i)), i) or 0) for i in ids}


def streamed(client: redis.Redis) -> int:
    """How many entries the views streams hold, all partitions together."""
    return sum(client.xlen(stream) for stream in Layout().views_streams())


def retention_done(client: redis.Redis) -> bool:
    """Each views stream is trimmed (to the entry the group read last) and no per-visitor
    key is left."""
    layout = Layout()
    return all(client.xlen(stream) <= 1 for stream in layout.views_streams()) and not any(
        next(iter(client.scan_iter(seen_prefix(p) + "*", count=1000)), None)
        for p in layout.partitions()
    )


def run_flood(
    platform: Platform, client: redis.Redis, junk: int, batch: int = 500, concurrency: int = 8
) -> FloodResult:
    """Flood a platform started with FLOOD_ENV and flood_articles(); wait for retention."""
    url = f"http://127.0.0.1:{platform.ingest_port}"
    ids = [a.id for a in flood_articles()]
    # Warm up, so that "before" is a platform in use: one visitor-less view of each article
    # makes the buckets and the totals, and a little junk at the flood's concurrency opens
    # the connections ingest keeps to Redis (each costs Redis memory of its own).
    warm, _ = requests_of(2 * concurrency * batch, batch, 0, seed=1)
    warm.insert(0, ([{"article_id": i} for i in ids], "192.0.2.1"))
    asyncio.run(_send(url, warm, concurrency))
    wait_for(lambda: totals(client, ids) == dict.fromkeys(ids, 1), timeout=60)
    wait_for(lambda: retention_done(client), timeout=60)
    before = settled(client)

    requests, expected = requests_of(junk, batch, REAL_PER_REQUEST, seed=2)
    want = {i: 1 + n for i, n in expected.items()}
    start = time.perf_counter()
    answers = asyncio.run(_send(url, requests, concurrency))
    sent = time.perf_counter() - start
    wait_for(lambda: totals(client, ids) == want, timeout=120, interval=0.05)
    counted = time.perf_counter() - start
    wait_for(lambda: retention_done(client), timeout=120, interval=0.2)
    return FloodResult(
        before=before,
        after=settled(client),
        junk=junk,
        real=sum(expected.values()),
        stored=sum(a["accepted"] for a in answers),
        dropped=sum(a["dropped"] for a in answers),
        send_seconds=sent,
        counted_seconds=counted,
    )
