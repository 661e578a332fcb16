"""Chaos: 2,000 article operations while consumer replicas are SIGKILLed and Redis restarts.

Nothing lost, nothing doubled: once the run settles, every live article has exactly its
latest version on its page and one entry in the site feeds, every unpublished article is
gone from everywhere, and the home page lists exactly the newest live articles in order.
"""

import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
from pytest_redis.executor import RedisExecutor

from shared.consuming.dead_letters import dead_letter_keys
from shared.settings import Settings
from shared.topology import ARTICLES_STREAM, FEEDS_GROUP, RENDER_GROUP
from tests.support.platform import Platform, wait_for
from tests.support.redis_server import redis_executor, url_of
from tests.support.site_truth import Known, confirmed, mismatches
from tests.support.threads import Worker, finish
from tests.support.timing import scaled

pytestmark = pytest.mark.slow

ARTICLES = 400
OPERATIONS = 2000
SEND_SECONDS = 60
WORKERS = 8
REPLICAS = ("render-0", "render-1", "feeds-0", "feeds-1")
SETTLE_SECONDS = 30
RETRY_SECONDS = 60  # one operation is retried at most this long (a Redis restart takes ~6 s)
PAGE_SIZE = 20
FEED_SIZE = 50
BASE_TIME = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@dataclass
class Chaos:
    platform: Platform
    redis_server: RedisExecutor
    known: dict[str, Known] = field(default_factory=dict)
    faults: list[str] = field(default_factory=list)
    last_fault: float = 0.0
    retries: int = 0


@pytest.fixture
def chaos(tmp_path: Path) -> Iterator[Chaos]:
    server = redis_executor(tmp_path / "redis", appendonly=True)
    server.start()
    platform = Platform(url_of(server), tmp_path)
    try:
        platform.start_all()
        platform.start("render", 1)
        platform.start("feeds", 1)
        yield Chaos(platform, server)
    finally:
        platform.stop()
        server.stop()


def article_body(number: int, revision: int) -> dict:
    return {
        "title": f"Новость номер {number}, редакция {revision}",
        "author": "Дежурный редактор",
        "section": ("Общество", "Экономика", "Спорт")[number % 3],
        "tags": ["хроника"],
        "published_at": (BASE_TIME + timedelta(minutes=number)).isoformat(),
        "body_html": f"<p>Текст {number}.{revision}</p>",
    }


def plan(rng: random.Random) -> dict[str, list[str]]:
    """Per article, its operations: a publish first, then updates, unpublishes, republishes."""
    ops = {f"chaos-{n:04d}": ["put"] for n in range(ARTICLES)}
    ids = list(ops)
    for _ in range(OPERATIONS - ARTICLES):
        ops[rng.choice(ids)].append(rng.choice(["put", "put", "delete"]))
    return ops


def send(chaos: Chaos, article_ids: list[str], ops: dict[str, list[str]]) -> None:
    """Run each article's operations in order, retrying until the answer is definite; fail
    if one gets none within RETRY_SECONDS."""
    pace = SEND_SECONDS / (OPERATIONS / WORKERS)
    with chaos.platform.api() as api:
        step = 0
        while any(ops[i] for i in article_ids):
            for article_id in article_ids:
                if not ops[article_id]:
                    continue
                op = ops[article_id].pop(0)
                step += 1
                number = int(article_id.split("-")[1])
                body = article_body(number, step) if op == "put" else None
                method = "PUT" if op == "put" else "DELETE"
                answer, retries = confirmed(api, method, article_id, body, RETRY_SECONDS)
                chaos.retries += retries
                chaos.known[article_id] = Known.of(answer, datetime.now(UTC))
                time.sleep(pace)


def make_faults(chaos: Chaos, rng: random.Random, sending: threading.Event) -> None:
    """Until the editors are done, SIGKILL a random replica every few seconds and start it
    again; restart Redis once, half way."""
    platform = chaos.platform
    started = time.monotonic()
    while sending.is_set():
        time.sleep(rng.uniform(2.0, 5.0))
        if "redis restarted" not in chaos.faults and time.monotonic() - started > SEND_SECONDS / 2:
            chaos.redis_server.stop()
            time.sleep(1.0)
            chaos.redis_server.start()
            chaos.faults.append("redis restarted")
        victim = rng.choice(REPLICAS)
        platform.kill(victim)
        chaos.faults.append(f"SIGKILL {victim}")
        chaos.last_fault = time.monotonic()
        time.sleep(rng.uniform(0.2, 1.5))
        name, replica = victim.split("-")
        platform.start(name, int(replica))


def settled(chaos: Chaos) -> bool:
    """True once nothing on disk differs from what the editors were told; else the first
    differences, as an AssertionError for wait_for to report."""
    problems = mismatches(chaos.platform.public, chaos.known, PAGE_SIZE, FEED_SIZE)
    assert not problems, f"{len(problems)} differences, first: {problems[:5]}"
    return True


def left(moment: float) -> float:
    """Seconds until `moment` (monotonic), unscaled for wait_for, at least one scaled second."""
    return max(moment - time.monotonic(), scaled(1)) / scaled(1)


def test_nothing_lost_nothing_doubled_under_chaos(chaos: Chaos):
    rng = random.Random(20261125)
    ops = plan(rng)
    ids = list(ops)

    # Editors send 2,000 operations from 8 connections while replicas die and Redis restarts.
    sending = threading.Event()
    sending.set()
    workers = [Worker(send, chaos, ids[w::WORKERS], ops) for w in range(WORKERS)]
    faults = Worker(make_faults, chaos, rng, sending)
    started = time.monotonic()
    for thread in [*workers, faults]:
        thread.start()
    try:
        finish(workers, SEND_SECONDS * 5)
    finally:
        sending.clear()
        finish([faults], 60)
    sent_for = time.monotonic() - started
    kills = sum(f.startswith("SIGKILL") for f in chaos.faults)
    assert kills >= 10 and "redis restarted" in chaos.faults

    # Within 30 s of the last fault, the site is exactly what the editors were told.
    settle_by = chaos.last_fault + scaled(SETTLE_SECONDS)
    wait_for(lambda: settled(chaos), timeout=left(settle_by), interval=0.5)
    settled_after = time.monotonic() - chaos.last_fault
    after_sending = time.monotonic() - started - sent_for

    # Nothing was dead-lettered, and within the same 30 s nothing is left pending (the
    # site can be right while a replica still works through events it already covers).
    client = redis.Redis.from_url(chaos.platform.redis_url)
    assert sum(client.xlen(key) for key in dead_letter_keys(Settings().layout)) == 0
    wait_for(
        lambda: all(
            client.xpending(ARTICLES_STREAM, group)["pending"] == 0
            for group in (RENDER_GROUP, FEEDS_GROUP)
        ),
        timeout=left(settle_by),
        interval=0.2,
    )

    live = [k for k in chaos.known.values() if k.live]
    print(
        f"\nchaos: {OPERATIONS} operations in {sent_for:.0f} s ({chaos.retries} retried), "
        f"{kills} SIGKILLs + 1 Redis restart; settled {settled_after:.1f} s after the last "
        f"fault ({after_sending:.1f} s after the last operation). Checked {len(live)} "
        f"live pages at their latest version, "
        f"{len(chaos.known) - len(live)} unpublished articles absent, home page order "
        f"({PAGE_SIZE}), RSS and Atom ({min(FEED_SIZE, len(live))} entries each, no duplicates)."
    )
