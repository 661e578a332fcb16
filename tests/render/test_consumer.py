"""The render consumer as a process on a real Redis: batches, malformed events, acks."""

import redis

from shared.topology import ARTICLES_STREAM, RENDER_GROUP
from tests.support.platform import Platform, wait_for
from tests.support.samples import ARTICLE as SKELETON_ARTICLE

ARTICLE = SKELETON_ARTICLE | {"title": "Стражи Туркестана", "tags": ["Туркестан", "Ұлы Жеңіс"]}


def pending(platform: Platform) -> int:
    with redis.Redis.from_url(platform.redis_url) as client:
        return client.xpending(ARTICLES_STREAM, RENDER_GROUP)["pending"]


def test_malformed_events_do_not_block_the_stream(platform: Platform):
    # Two malformed entries land on the stream ahead of a real article.
    with redis.Redis.from_url(platform.redis_url) as client:
        client.xadd(ARTICLES_STREAM, {"__data__": "not json at all"})
        client.xadd(ARTICLES_STREAM, {"__data__": '{"type": "ArticlePublished"}'})
    created = platform.api().put("/api/articles/consumer-1", json=ARTICLE)
    assert created.status_code == 201
    url = created.json()["url"]

    # The article page, its section and its Kazakh tag page appear; nothing stays pending.
    page = wait_for(lambda: (r := platform.get(url)).status_code == 200 and r.text, timeout=5)
    assert "<h1>Стражи Туркестана</h1>" in page
    assert url in wait_for(lambda: platform.get("/section/obshchestvo/").text, timeout=5)
    assert url in wait_for(lambda: platform.get("/tag/uly-zhengis/").text, timeout=5)
    wait_for(lambda: pending(platform) == 0, timeout=5)
