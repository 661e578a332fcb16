"""View counting: applies batches of view events and publishes the counts for the site."""

import json

from redis.asyncio import Redis

from shared.events import ArticleViewed
from shared.files import site_path, write_atomic
from shared.settings import Settings
from shared.store import PREFIX

VIEWS = PREFIX + "views:all"


class ViewCounter:
    """Counts human views per article and writes `/data/views.json`."""

    def __init__(self, redis: Redis, settings: Settings) -> None:
        self.redis = redis
        self.settings = settings

    async def apply(self, views: list[ArticleViewed]) -> None:
        """Count a batch of views, then publish the totals."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for view in views:
                if not view.bot:
                    pipe.zincrby(VIEWS, 1, view.article_id)
            await pipe.execute()
        counts = await self.redis.zrevrange(VIEWS, 0, -1, withscores=True)
        data = {k.decode(): int(v) for k, v in counts}
        path = site_path(self.settings.public_dir, "/data/views.json")
        write_atomic(path, json.dumps(data, ensure_ascii=False).encode())
