"""Who produces and who consumes each stream: the platform's wiring in one place."""

from dataclasses import dataclass

from shared.keyspace import ARTICLES_STREAM, VIEWS_STREAM, Layout

__all__ = [
    "ARTICLES_STREAM",
    "FEEDS_GROUP",
    "RELAY_GROUP",
    "RENDER_GROUP",
    "TOPOLOGY",
    "VIEWS_STREAM",
    "Stream",
    "outbox_streams",
    "streams_read_by",
]

RENDER_GROUP = "render"
FEEDS_GROUP = "feeds"
RELAY_GROUP = "relay"


@dataclass(frozen=True)
class Stream:
    """A Redis stream, the service writing to it and the consumer groups reading it."""

    name: str
    producer: str
    groups: tuple[str, ...]
    events: tuple[str, ...]


TOPOLOGY: tuple[Stream, ...] = (
    Stream(
        name=ARTICLES_STREAM,
        producer="ingest",
        groups=(RENDER_GROUP, FEEDS_GROUP),
        events=("ArticlePublished", "ArticleUpdated", "ArticleUnpublished"),
    ),
    Stream(
        name=VIEWS_STREAM,
        producer="ingest",
        groups=(FEEDS_GROUP,),
        events=("ArticleViewed",),
    ),
)


def streams_read_by(group: str) -> list[str]:
    """Names of the streams a consumer group reads."""
    return [s.name for s in TOPOLOGY if group in s.groups]


def outbox_streams(layout: Layout) -> tuple[Stream, ...]:
    """The article shards' outboxes: ingest writes each article change in its shard's, the
    relay (services.ingest.relay_loop) places it in the store-wide structures. Their number
    is the store's (`Layout`), so they are not in `TOPOLOGY`."""
    return tuple(
        Stream(name=name, producer="ingest", groups=(RELAY_GROUP,), events=("ArticleStored",))
        for name in layout.outboxes()
    )
