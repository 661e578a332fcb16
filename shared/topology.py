"""Who produces and who consumes each stream: the platform's wiring in one place.

The views streams are one per partition (`Layout.views_partitions`), so the topology is a
function of the layout, a setting.
"""

from dataclasses import dataclass

from shared.keyspace import ARTICLES_STREAM, Layout

__all__ = [
    "ARTICLES_STREAM",
    "FEEDS_GROUP",
    "RELAY_GROUP",
    "RENDER_GROUP",
    "Stream",
    "outbox_streams",
    "streams_read_by",
    "topology",
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


def topology(layout: Layout) -> tuple[Stream, ...]:
    """Every stream of the platform: the articles stream and each views partition's."""
    articles = Stream(
        name=ARTICLES_STREAM,
        producer="ingest",
        groups=(RENDER_GROUP, FEEDS_GROUP),
        events=("ArticlePublished", "ArticleUpdated", "ArticleUnpublished"),
    )
    views = (
        Stream(name=name, producer="ingest", groups=(FEEDS_GROUP,), events=("ArticleViewed",))
        for name in layout.views_streams()
    )
    return (articles, *views)


def streams_read_by(group: str, layout: Layout) -> list[str]:
    """Names of the streams a consumer group reads."""
    return [s.name for s in topology(layout) if group in s.groups]


def outbox_streams(layout: Layout) -> tuple[Stream, ...]:
    """The article shards' outboxes: ingest writes each article change in its shard's, the
    relay (services.ingest.relay_loop) places it in the store-wide structures. Their number
    is the store's (`Layout`), so they are not in `topology`."""
    return tuple(
        Stream(name=name, producer="ingest", groups=(RELAY_GROUP,), events=("ArticleStored",))
        for name in layout.outboxes()
    )
