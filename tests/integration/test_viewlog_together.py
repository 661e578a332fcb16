"""Requests that arrive together share their round trips to Redis, yet each is answered for
its own views: its own rate limit, its own published check, and only once Redis has them."""

import asyncio

from services.ingest.schemas import ViewIn
from services.ingest.viewlog import RateLimitedError, ViewLog
from shared.keyspace import Layout
from tests.support.samples import article_in
from tests.support.site import open_store


async def report_together(redis_url: str) -> tuple[list, int]:
    store = open_store(redis_url)
    try:
        await store.save("a1", article_in())
        log = ViewLog(store.redis, Layout(), limit=3, window=60, ts_window=3600)
        greedy = [ViewIn(article_id="a1", visitor_id=f"g{n}") for n in range(4)]
        answers = await asyncio.gather(
            *(
                log.append([ViewIn(article_id=article, visitor_id="v")], f"10.0.0.{n}", bot=False)
                for n, article in enumerate(["a1", "nope", "a1", "a1"])
            ),
            log.append(greedy, "10.0.0.99", bot=False),
            return_exceptions=True,
        )
        stored = sum([await store.redis.xlen(s) for s in Layout().views_streams()])
        return answers, stored
    finally:
        await store.redis.aclose()


def test_requests_sent_together_are_each_answered_for_their_own_views(redis_url):
    answers, stored = asyncio.run(report_together(redis_url))

    assert [(a.stored, a.dropped) for a in answers[:4]] == [(1, 0), (0, 1), (1, 0), (1, 0)]
    assert isinstance(answers[4], RateLimitedError)
    assert stored == 3  # the answers came once Redis had each view
