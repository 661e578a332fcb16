"""FastStream consumers (shared.consuming) against a real Redis: poison,
failing handlers and batches, takeover, lost groups, shutdown, giving up."""

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace

import pytest
from prometheus_client import REGISTRY
from redis.asyncio import Redis

from shared.consuming.dead_letters import list_letters
from shared.consuming.holding import holding
from shared.consuming.options import Options
from shared.consuming.service import ConsumerService
from shared.events import ArticleEvent, ArticleUpdated, encode
from shared.keyspace import Layout
from shared.redis_client import connect, ensure_groups
from shared.settings import Settings
from shared.topology import ARTICLES_STREAM, RENDER_GROUP
from tests.support.consumer_runs import running
from tests.support.redis_server import redis_executor, url_of
from tests.support.timing import eventually, scaled

FAST = Options(max_deliveries=3, claim_idle_ms=300, redis_give_up_s=2.0, trim_interval_s=60)


def updated(article_id: str) -> dict[str, str]:
    return encode(ArticleUpdated(article_id=article_id, version=2))


@pytest.fixture
async def redis(redis_url) -> AsyncIterator[Redis]:
    client = connect(redis_url, socket_timeout=scaled(5), retries=1)
    yield client
    await client.aclose()


class Recorder:
    """A handler that records what it got and fails for ids it is told to."""

    def __init__(self, failing: set[str] = frozenset(), pause: float = 0.0) -> None:
        self.seen: list[str] = []
        self.failing = failing
        self.pause = pause

    async def __call__(self, event: ArticleEvent) -> None:
        self.seen.append(event.article_id)
        await asyncio.sleep(self.pause)
        if event.article_id in self.failing:
            raise RuntimeError(f"cannot render {event.article_id}")


class BatchRecorder:
    """A batch handler that records the batches it got and fails those holding given ids."""

    def __init__(self, failing: set[str]) -> None:
        self.batches: list[list[str]] = []
        self.failing = failing

    async def __call__(self, events: list[ArticleEvent]) -> None:
        ids = [event.article_id for event in events]
        self.batches.append(ids)
        if self.failing.intersection(ids):
            raise RuntimeError(f"cannot render {ids}")

    def handled(self) -> list[str]:
        return [i for ids in self.batches if not self.failing.intersection(ids) for i in ids]


class Consumer:
    """A FastStream consumer app in the render group handing article events to a recorder."""

    def __init__(
        self,
        redis_url: str,
        recorder: Recorder | BatchRecorder,
        name: str,
        batch: bool,
        options: Options,
    ) -> None:
        settings = Settings(redis_url=redis_url)
        options = replace(options, consumer=name)
        self.service = ConsumerService("render", RENDER_GROUP, settings, options=options)
        self.service.subscriber(ARTICLES_STREAM, batch=batch)(recorder.__call__)
        self.broker = self.service.broker

    def stop(self) -> None:
        self.service.app.exit()


async def consuming(
    redis_url: str,
    recorder: Recorder | BatchRecorder,
    name: str = "r1",
    batch: bool = False,
    options: Options = FAST,
) -> tuple[Consumer, asyncio.Task[int]]:
    """The consumer, running once its subscribers have started."""
    consumer = Consumer(redis_url, recorder, name, batch, options)
    return consumer, await running(consumer.service, 5)


async def eventually_value(read: Callable[[], Awaitable[list]], seconds: float) -> list:
    """Poll `read` until it returns something non-empty; that; fail after `seconds` (scaled)."""
    async with asyncio.timeout(scaled(seconds)):
        while not (found := await read()):  # noqa: ASYNC110 (polling Redis)
            await asyncio.sleep(0.05)
        return found


def failed_count() -> float:
    """Failed deliveries of updates counted by the render group (Prometheus)."""
    labels = {"service": RENDER_GROUP, "event_type": "ArticleUpdated"}
    return REGISTRY.get_sample_value("newsroom_events_failed_total", labels) or 0.0


async def dead_letters(redis: Redis) -> list[dict[str, str]]:
    return [letter.fields for letter in await list_letters(redis, Settings().layout)]


async def test_malformed_events_are_dead_lettered_at_once_and_the_stream_moves_on(redis, redis_url):
    # Three entries that are no events sit before a good one.
    await ensure_groups(redis, RENDER_GROUP, Layout())
    await redis.xadd(ARTICLES_STREAM, {"__data__": "not json {"})
    await redis.xadd(ARTICLES_STREAM, {"__data__": json.dumps({"type": "ArticleEaten"})})
    await redis.xadd(ARTICLES_STREAM, {"something": b"\xff\xfe"})
    await redis.xadd(ARTICLES_STREAM, updated("good-1"))
    recorder = Recorder()
    consumer, task = await consuming(redis_url, recorder)

    # The good event is handled; the three others are in the dead letters, nothing pending.
    await eventually(lambda: recorder.seen == ["good-1"], 5)
    letters = await dead_letters(redis)
    consumer.stop()
    assert await task == 0
    assert [json.loads(d["payload"]) for d in letters] == [
        {"__data__": "not json {"},
        {"__data__": '{"type": "ArticleEaten"}'},
        {"something": "\\xff\\xfe"},
    ]
    assert {(d["stream"], d["group"], d["deliveries"]) for d in letters} == {
        (ARTICLES_STREAM, RENDER_GROUP, "1")
    }
    assert all(d["error"].startswith("malformed event") and d["failed_at"] for d in letters)
    assert (await redis.xpending(ARTICLES_STREAM, RENDER_GROUP))["pending"] == 0


async def test_an_event_failing_every_time_is_dead_lettered_after_max_deliveries(redis, redis_url):
    # One event always makes the handler raise; the one after it is fine.
    await ensure_groups(redis, RENDER_GROUP, Layout())
    await redis.xadd(ARTICLES_STREAM, updated("cursed"))
    await redis.xadd(ARTICLES_STREAM, updated("fine"))
    recorder = Recorder(failing={"cursed"})
    failed_before = failed_count()
    consumer, task = await consuming(redis_url, recorder)

    # The service survives the failures, handles the good event, retries the bad one
    # three times in all, then dead-letters it with the error and acks it.
    async def dead_lettered() -> bool:
        return len(await dead_letters(redis)) == 1

    await eventually(dead_lettered, 10)
    consumer.stop()
    assert await task == 0
    assert recorder.seen.count("cursed") == 3 and recorder.seen.count("fine") == 1
    (letter,) = await dead_letters(redis)
    assert letter["deliveries"] == "3"
    assert letter["error"] == "RuntimeError: cannot render cursed"
    assert failed_count() == failed_before + 3  # each failed delivery is counted
    assert json.loads(json.loads(letter["payload"])["__data__"])["article_id"] == "cursed"
    assert (await redis.xpending(ARTICLES_STREAM, RENDER_GROUP))["pending"] == 0


async def test_a_failing_batch_is_retried_in_halves_to_find_the_poisonous_one(redis, redis_url):
    # Five events wait; a batch handler fails on any batch holding "cursed".
    await ensure_groups(redis, RENDER_GROUP, Layout())
    for article_id in ("a", "b", "cursed", "c", "d"):
        await redis.xadd(ARTICLES_STREAM, updated(article_id))
    recorder = BatchRecorder(failing={"cursed"})
    consumer, task = await consuming(redis_url, recorder, batch=True)

    # The batch of five fails, so its halves are tried, and the failing half's halves, down to
    # the cursed event alone: the four good ones are handled and acked, the cursed one is
    # claimed again and dead-lettered at delivery 3.
    letters = await eventually_value(lambda: dead_letters(redis), 10)
    consumer.stop()
    assert await task == 0
    first_pass = [["a", "b", "cursed", "c", "d"], ["a", "b"], ["cursed", "c", "d"], ["cursed"]]
    assert recorder.batches[:5] == [*first_pass, ["c", "d"]]
    assert recorder.handled() == ["a", "b", "c", "d"]
    assert recorder.batches.count(["cursed"]) == 3
    (letter,) = letters
    assert letter["deliveries"] == "3" and letter["error"].startswith("RuntimeError")
    assert (await redis.xpending(ARTICLES_STREAM, RENDER_GROUP))["pending"] == 0


async def test_events_left_pending_by_a_dead_consumer_are_taken_over(redis, redis_url):
    # A replica read five events and died before acking them.
    await ensure_groups(redis, RENDER_GROUP, Layout())
    for n in range(5):
        await redis.xadd(ARTICLES_STREAM, updated(f"orphan-{n}"))
    await redis.xreadgroup(RENDER_GROUP, "dead-replica", {ARTICLES_STREAM: ">"}, count=5)
    assert (await redis.xpending(ARTICLES_STREAM, RENDER_GROUP))["pending"] == 5

    # A live replica claims them once they have been idle for claim_idle_ms, and handles them.
    recorder = Recorder()
    consumer, task = await consuming(redis_url, recorder, "live-replica")
    await eventually(lambda: len(recorder.seen) == 5, 5)
    consumer.stop()
    assert await task == 0
    assert sorted(recorder.seen) == [f"orphan-{n}" for n in range(5)]
    assert (await redis.xpending(ARTICLES_STREAM, RENDER_GROUP))["pending"] == 0


async def test_a_restarted_consumer_takes_its_own_pending_events_back_at_once(redis, redis_url):
    # Replica "r1" read two events and was killed before acking them.
    await ensure_groups(redis, RENDER_GROUP, Layout())
    for n in range(2):
        await redis.xadd(ARTICLES_STREAM, updated(f"mine-{n}"))
    await redis.xreadgroup(RENDER_GROUP, "r1", {ARTICLES_STREAM: ">"})

    # Restarted under the same name, it handles them without waiting a minute of idle time.
    recorder = Recorder()
    patient = replace(FAST, claim_idle_ms=60_000)
    consumer, task = await consuming(redis_url, recorder, "r1", options=patient)
    await eventually(lambda: len(recorder.seen) == 2, 5)
    consumer.stop()
    assert await task == 0
    assert sorted(recorder.seen) == ["mine-0", "mine-1"]
    assert (await redis.xpending(ARTICLES_STREAM, RENDER_GROUP))["pending"] == 0


async def test_a_consumer_recreates_its_group_when_redis_comes_back_empty(redis, redis_url):
    recorder = Recorder()
    consumer, task = await consuming(redis_url, recorder)
    await redis.xadd(ARTICLES_STREAM, updated("before"))
    await eventually(lambda: recorder.seen == ["before"], 5)

    # Redis loses everything (as a restart without persistence would), then gets an event.
    await redis.flushall()
    await redis.xadd(ARTICLES_STREAM, updated("after"))

    # The consumer does not stop silently: either its watchdog created the group again in
    # time and it goes on, or its subscriber met NOGROUP and the service exits with 1; its
    # supervisor then starts it again, and at start it creates the group and goes on.
    await eventually(lambda: recorder.seen == ["before", "after"] or task.done(), 10)
    if task.done():
        assert task.result() == 1
        consumer, task = await consuming(redis_url, recorder)
    await eventually(lambda: recorder.seen == ["before", "after"], 10)
    consumer.stop()
    assert await task == 0


async def test_an_event_worked_longer_than_the_claim_idle_time_is_not_taken_over(redis, redis_url):
    # Two replicas, whose claimers take over entries idle for 1 s; handling takes 2 s.
    await ensure_groups(redis, RENDER_GROUP, Layout())
    slow = replace(FAST, claim_idle_ms=1000)
    recorder = Recorder(pause=2.0)
    running = [await consuming(redis_url, recorder, name, options=slow) for name in ("r1", "r2")]
    failed_before = failed_count()
    for n in range(2):
        await redis.xadd(ARTICLES_STREAM, updated(f"long-{n}"))

    # The replica at work keeps its events: each is handled once, none counted as failed.
    async def all_acked() -> bool:
        return (await redis.xpending(ARTICLES_STREAM, RENDER_GROUP))["pending"] == 0

    await eventually(lambda: len(recorder.seen) == 2, 10)
    await eventually(all_acked, 10)
    for consumer, task in running:
        consumer.stop()
        assert await task == 0
    assert sorted(recorder.seen) == ["long-0", "long-1"]
    assert await dead_letters(redis) == []
    assert failed_count() == failed_before


async def test_sigterm_lets_the_event_in_hand_finish_and_be_acked(redis, redis_url):
    await ensure_groups(redis, RENDER_GROUP, Layout())
    for n in range(3):
        await redis.xadd(ARTICLES_STREAM, updated(f"slow-{n}"))
    recorder = Recorder(pause=0.5)
    consumer, task = await consuming(redis_url, recorder)
    await eventually(lambda: bool(recorder.seen), 5)

    # Asked to stop mid-event, it finishes that one, acks it, and returns 0; the two
    # events it had fetched but not started stay pending for the next replica.
    consumer.stop()
    assert await asyncio.wait_for(task, 5) == 0
    assert recorder.seen == ["slow-0"]
    pending = await redis.xpending_range(ARTICLES_STREAM, RENDER_GROUP, "-", "+", 10)
    assert len(pending) == 2


async def test_a_consumer_gives_up_with_exit_code_1_when_redis_stays_away(tmp_path):
    server = redis_executor(tmp_path / "redis")
    server.start()
    _, task = await consuming(url_of(server), Recorder())

    # Redis goes away for longer than redis_give_up_s (2 s): the consumer exits with 1.
    server.stop()
    assert await asyncio.wait_for(task, 20) == 1


async def test_an_event_that_kills_its_consumer_every_time_is_dead_lettered(redis, redis_url):
    # An event was delivered three times and no consumer ever finished it (each crashed).
    await ensure_groups(redis, RENDER_GROUP, Layout())
    await redis.xadd(ARTICLES_STREAM, updated("deadly"))
    await redis.xreadgroup(RENDER_GROUP, "crashing", {ARTICLES_STREAM: ">"})
    for _ in range(2):
        await redis.xreadgroup(RENDER_GROUP, "crashing", {ARTICLES_STREAM: "0"})
    await redis.xadd(ARTICLES_STREAM, updated("fine"))

    # Claimed again on restart, a 4th delivery is over max_deliveries (3): it is
    # dead-lettered without being handed to the handler again; the next event is handled.
    recorder = Recorder()
    consumer, task = await consuming(redis_url, recorder, "crashing")
    await eventually(lambda: recorder.seen == ["fine"], 5)
    letters = await eventually_value(lambda: dead_letters(redis), 5)
    consumer.stop()
    assert await task == 0
    assert recorder.seen == ["fine"]
    (letter,) = letters
    assert letter["error"] == "abandoned: no delivery finished"
    assert int(letter["deliveries"]) > FAST.max_deliveries


async def test_a_consumer_holds_only_the_entries_it_still_owns(redis):
    # Replica r1 reads two events; while it stalls, r2 takes the first one over.
    await ensure_groups(redis, RENDER_GROUP, Layout())
    ids = [(await redis.xadd(ARTICLES_STREAM, updated(f"held-{n}"))).decode() for n in range(2)]
    await redis.xreadgroup(RENDER_GROUP, "r1", {ARTICLES_STREAM: ">"})
    read_at = time.monotonic()
    await redis.xclaim(ARTICLES_STREAM, RENDER_GROUP, "r2", 0, [ids[0]])

    # r1 works on, holding its batch (a claim every 100 ms): it keeps the entry it still
    # owns fresh, and leaves r2's with r2, as idle as r2 left it.
    options = replace(FAST, consumer="r1")
    async with holding(redis, ARTICLES_STREAM, RENDER_GROUP, ids, options):
        await asyncio.sleep(scaled(0.6))
    elapsed_ms = (time.monotonic() - read_at) * 1000
    pending = await redis.xpending_range(ARTICLES_STREAM, RENDER_GROUP, "-", "+", 10)
    entries = {e["message_id"].decode(): e for e in pending}
    assert {i: e["consumer"] for i, e in entries.items()} == {ids[0]: b"r2", ids[1]: b"r1"}
    assert entries[ids[1]]["time_since_delivered"] < elapsed_ms / 2
    assert entries[ids[0]]["time_since_delivered"] > elapsed_ms / 2
    assert [e["times_delivered"] for e in pending] == [2, 1]  # holding counts no delivery
