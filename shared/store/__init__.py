"""The article store in Redis: articles, their listings' indexes, and the event log written
with them (writes in `writes`, placed by `relay`, reads in `queries`, the editor list in
`editor`; every key in shared.keyspace). Build it from the settings with `open_store`."""

from shared.keyspace import Layout
from shared.redis_client import AnyRedis, open_redis
from shared.replication import ReplicaWait
from shared.settings import Settings
from shared.slot_transactions import SlotTransactions
from shared.store.editor import CURSOR_PATTERN, EditorList, EditorPage
from shared.store.queries import ParsedArticles
from shared.store.relay import Relay
from shared.store.writes import (
    ArticleNotFoundError,
    SaveResult,
    SlugTakenError,
    StoreWrites,
    VersionConflictError,
)
from shared.urls import UrlScheme

__all__ = [
    "CURSOR_PATTERN",
    "ArticleNotFoundError",
    "ArticleStore",
    "EditorPage",
    "ParsedArticles",
    "SaveResult",
    "SlugTakenError",
    "VersionConflictError",
    "open_store",
]


class ArticleStore(StoreWrites, EditorList):
    """Reads and writes articles; each write also appends its event to the articles stream."""

    def __init__(
        self,
        redis: AnyRedis,
        urls: UrlScheme,
        parsed: ParsedArticles | None = None,
        *,
        versions_kept: int,
        layout: Layout,
        replica_wait: ReplicaWait | None = None,
    ) -> None:
        super().__init__(redis, urls, parsed, layout)
        self.versions_kept = versions_kept
        self.replica_wait = replica_wait or ReplicaWait()
        self.slots = SlotTransactions(redis)
        self.relay = Relay(redis, urls, layout)


def open_store(
    settings: Settings, redis: AnyRedis | None = None, parsed: ParsedArticles | None = None
) -> ArticleStore:
    """The store as `settings` describe it: their Redis (or `redis`, a client of it already
    open), their time zone, their history length, the replicas a write waits for on a
    cluster; `parsed` keeps parsed articles (rebuilds)."""
    client = open_redis(settings) if redis is None else redis
    urls = UrlScheme.for_site(settings)
    return ArticleStore(
        client,
        urls,
        parsed,
        versions_kept=settings.versions_kept,
        layout=settings.layout,
        replica_wait=ReplicaWait.from_settings(settings),
    )
