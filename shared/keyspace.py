"""Every Redis key of the platform, named here and nowhere else, placed for Redis Cluster.

Keys are `newsroom:` followed by a hash tag and `:`-separated parts. The hash tag (the part in
braces) decides a key's slot in a Redis Cluster; a transaction or script may only touch keys
of one slot, so the keys that change together share a tag:

- `{store}`: the store-wide structures — revision, store id, layout, slugs, paths, names,
  days, schedule, every listing index and editor list, the relay's record of what each
  article contributes to them — and the articles stream render and feeds read, so that an
  index change and the event announcing it are one transaction.
- `{a<n>}`, one per article shard (`Layout.article_shards`, fixed when the store is made):
  the articles whose id hashes to the shard, their histories and the shard's outbox stream.
  An article's write and its outbox entry are one transaction ("stored ⇔ announced"), and
  the bodies spread over the cluster's masters.
- `{v<p>}`, one per views partition (`Layout.views_partitions`): the views stream of the
  articles hashed to it, their per-visitor marks, hourly, daily and all-time buckets, parked
  totals and the scratch sets of the rankings, so counting a batch is one script on one node
  and no node takes every view. Whether an article is live is asked of `{store}` (ZMSCORE on
  the home index) apart, before: no script spans a partition and the store.
- Untagged: keys only ever used alone (rate-limit counters, replicas' states, heal locks).

On one Redis the tags change nothing but the names. Every key an anonymous client can make
expires (views buckets, per-visitor marks, rate-limit counters); the rest grows with the
articles an editor stores.
"""

import re
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime

PREFIX = "newsroom:"
STORE_TAG = "store"


def _key(tag: str, *parts: str) -> str:
    """A key of the slot `tag` decides (no tag: a key used alone) from its parts."""
    return PREFIX + ":".join(([f"{{{tag}}}"] if tag else []) + list(parts))


def _store(*parts: str) -> str:
    return _key(STORE_TAG, *parts)


def _hash(text: str) -> int:
    return zlib.crc32(text.encode())


def tag_of(key: str) -> str:
    """The hash tag of a key ("" for an untagged key)."""
    found = re.search(r"\{([^}]*)\}", key)
    return found.group(1) if found else ""


def dead_letters_key(stream: str) -> str:
    """The dead-letters stream of `stream`, in its slot (a move there is one transaction)."""
    return _key(tag_of(stream), "dead-letters")


# The store: store-wide keys, all in the `{store}` slot.
ARTICLES_STREAM = _store("articles")
"""Stream of ArticlePublished/Updated/Unpublished, appended with the indexes' change."""
REVISION = _store("revision")
"""The store-wide revision, bumped by every change to the indexes (see shared.store)."""
STORE_ID = _store("store-id")
"""The store's identity: a random id set once (SET NX) by its first write, so a public folder
can tell the store it was written from (shared.site_manifest) from an emptied or other one."""
LAYOUT = _store("layout")
"""Hash: the article shards and views partitions the store was made with (see Layout)."""
SLUGS = _store("slugs")
"""Hash: slug → id of the article holding it."""
PATHS = _store("paths")
"""Hash: every URL an article was live at → its id (redirects and 410s)."""
SCHEDULE = _store("schedule")
"""Sorted set: scheduled article ids by publication moment."""
NAMES = _store("names")
"""Hash: listing name key ("section:sport") → display name."""
DAYS = _store("idx", "days")
"""Hash: local day (ISO date) → live articles published that day."""
ALL = _store("idx", "all")
"""Sorted set: every stored article id, whatever its status, by modification moment."""
EDITOR_ALL = _store("ed", "all")
"""Sorted set (lexical): every article for the editor list (see `editor_key`)."""
PLACED = _store("placed")
"""Hash: article id → what its indexed version contributes to the store-wide structures."""
RELAY_MARKS = _store("relay", "marks")
"""Hash: outbox → the last entry the relay loop acknowledged, written on the `{store}` master
before each acknowledgement, so that WAIT there covers the placements (relay_loop)."""
SHOWN_NAMES = _store("render", "shown-names")
"""Hash: listing name key → the display name its pages show (services.render.renames)."""
RENAMED = _store("render", "renamed")
"""Set: listing name keys whose pages are to be re-rendered under a new name."""


def index_key(kind: str, slug: str) -> str:
    """Key of the sorted set of a listing's live articles by publication moment (the home
    listing, of every live article, has no slug)."""
    return _store("idx", kind, slug) if slug else _store("idx", kind)


def editor_key(kind: str, slug: str) -> str:
    """Key of the lexically sorted set of every article of a section or tag, for editors."""
    return _store("ed", kind, slug)


def scratch_key(*parts: str) -> str:
    """A temporary key for one computation in the store's slot (its caller deletes it)."""
    return _store("tmp", *parts)


@dataclass(frozen=True)
class Layout:
    """How articles and views spread over slots: fixed when the store is made (`LAYOUT`)."""

    article_shards: int = 8
    views_partitions: int = 4

    # Article shards.
    def shard_of(self, article_id: str) -> int:
        """The shard an article lives in."""
        return _hash(article_id) % self.article_shards

    def article_key(self, article_id: str) -> str:
        """Key of one article's JSON."""
        return _key(f"a{self.shard_of(article_id)}", "article", article_id)

    def history_key(self, article_id: str) -> str:
        """Key of the list of an article's versions, newest first."""
        return _key(f"a{self.shard_of(article_id)}", "versions", article_id)

    def outbox(self, shard: int) -> str:
        """Stream of a shard's article changes, appended in the article's own transaction."""
        return _key(f"a{shard}", "outbox")

    def outboxes(self) -> list[str]:
        """Every shard's outbox stream."""
        return [self.outbox(n) for n in range(self.article_shards)]

    # Views partitions.
    def partition_of(self, article_id: str) -> int:
        """The views partition an article's views are counted in."""
        return _hash(article_id) % self.views_partitions

    def partitions(self) -> range:
        """Every views partition."""
        return range(self.views_partitions)

    def views_stream(self, partition: int) -> str:
        """Stream of a partition's ArticleViewed events."""
        return _key(f"v{partition}", "views")

    def views_streams(self) -> list[str]:
        """Every partition's views stream."""
        return [self.views_stream(p) for p in self.partitions()]


# Views, partitioned by article id (`Layout.partition_of`): every key of partition p in `{v<p>}`.
def _views(partition: int, *parts: str) -> str:
    return _key(f"v{partition}", *parts)


def views_all_key(partition: int) -> str:
    """Sorted set: the all-time totals of a partition's published articles."""
    return _views(partition, "views", "all")


def seen_prefix(partition: int) -> str:
    """Prefix of a partition's expiring per-visitor marks `<prefix><article>:<visitor>`."""
    return _views(partition, "seen") + ":"


def views_hour_key(partition: int, moment: datetime) -> str:
    """Key of a partition's hourly views bucket holding `moment` (UTC hours, expiring)."""
    return _views(partition, "views", "h", f"{moment.astimezone(UTC):%Y%m%d%H}")


def views_day_key(partition: int, moment: datetime) -> str:
    """Key of a partition's daily views bucket holding `moment` (UTC days, expiring)."""
    return _views(partition, "views", "d", f"{moment.astimezone(UTC):%Y%m%d}")


def parked_views_key(partition: int, article_id: str) -> str:
    """Key of an unpublished article's all-time total, parked (expiring) until it returns."""
    return _views(partition, "views", "parked", article_id)


def views_scratch_key(partition: int, *parts: str) -> str:
    """A temporary key of one computation in a partition's slot (deleted or expiring)."""
    return _views(partition, "tmp", *parts)


# Views keys of a deployment before partitioning (services.feeds.views_migration moves them).
OLD_VIEWS_STREAM = PREFIX + "views"
OLD_VIEWS_ALL = PREFIX + "views:all"
OLD_PARKED_PATTERN = PREFIX + "views:parked:*"
"""SCAN pattern of the old parked totals, `newsroom:views:parked:<article id>`."""


# Keys used alone: no tag.
def rate_limit_key(client: str) -> str:
    """Key of a client address's views counter in the current rate-limit window."""
    return _key("", "ratelimit", "views", client)


def site_status_key(service: str, consumer: str) -> str:
    """Key of a replica's expiring state, for `newsroom stats`."""
    return _key("", "site", service, consumer)


SITE_STATUS_PATTERN = _key("", "site", "*")
"""SCAN pattern of every replica's state."""


def heal_lock_key(service: str) -> str:
    """Key of the lock one replica of a service holds while it rebuilds the public folder."""
    return _key("", "heal-lock", service)
