"""The scheduler against a real Redis: due articles are published once, whoever runs it."""

import asyncio
import json
from collections import Counter
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis

from shared.article import ArticleIn, Status
from shared.settings import Settings
from shared.store import open_store
from shared.topology import ARTICLES_STREAM
from tests.support.samples import article_in


async def test_replicas_racing_over_due_articles_publish_each_once(redis_url):
    replicas = [open_store(Settings(), Redis.from_url(redis_url)) for _ in range(3)]
    soon = datetime.now(UTC) + timedelta(seconds=1)
    for n in range(20):
        data: ArticleIn = article_in(title=f"Новость {n}", published_at=soon.isoformat())
        assert (await replicas[0].save(f"s{n}", data)).article.status is Status.SCHEDULED
    assert await replicas[0].publish_due() == []

    later = soon + timedelta(seconds=1)
    published = await asyncio.gather(*(r.publish_due(later) for r in replicas for _ in range(2)))

    assert sorted(a.id for batch in published for a in batch) == sorted(f"s{n}" for n in range(20))
    entries = await replicas[0].redis.xrange(ARTICLES_STREAM)
    kinds = Counter(json.loads(fields[b"__data__"])["type"] for _, fields in entries)
    assert kinds == {"ArticlePublished": 20}
    for n in range(20):
        article = await replicas[0].get(f"s{n}")
        assert (article.status, article.version) == (Status.PUBLISHED, 2)
    for replica in replicas:
        await replica.redis.aclose()
