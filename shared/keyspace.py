"""Every Redis key of the platform, named here and nowhere else.

Keys are `newsroom:` followed by `:`-separated parts, all made by `_key`. Every key an
anonymous client can make expires (views buckets, per-visitor marks, rate-limit counters);
the rest grows with the articles an editor stores.

Redis Cluster (issue 14): a multi-key command, transaction or script must keep its keys in one
hash slot. Today one write transaction touches the article, its history, the store-wide maps
(slugs, paths, names, days, schedule, revision), the list indexes, the editor lists and the
articles stream; the views script touches buckets, totals and the home index. The hash tags
that place keys in slots (`{...}` around the part that decides the slot) go into `_key`.
"""

from datetime import UTC, datetime

PREFIX = "newsroom:"


def _key(*parts: str) -> str:
    """A key from its parts. Hash tags for Redis Cluster go here (see the module's note)."""
    return PREFIX + ":".join(parts)


# Streams (shared.topology says who writes and who reads each).
ARTICLES_STREAM = _key("articles")
VIEWS_STREAM = _key("views")
DEAD_LETTERS_STREAM = _key("dead-letters")

# The article store: store-wide keys.
REVISION = _key("revision")
"""The store-wide revision, bumped by every write (see shared.store.writes)."""
STORE_ID = _key("store-id")
"""The store's identity: a random id set once (SET NX) by its first write, so a public folder
can tell the store it was written from (shared.site_manifest) from an emptied or other one."""
SLUGS = _key("slugs")
"""Hash: slug → id of the article holding it."""
PATHS = _key("paths")
"""Hash: every URL an article was live at → its id (redirects and 410s)."""
SCHEDULE = _key("schedule")
"""Sorted set: scheduled article ids by publication moment."""
NAMES = _key("names")
"""Hash: listing name key ("section:sport") → display name."""
DAYS = _key("idx", "days")
"""Hash: local day (ISO date) → live articles published that day."""
ALL = _key("idx", "all")
"""Sorted set: every stored article id, whatever its status, by modification moment."""
EDITOR_ALL = _key("ed", "all")
"""Sorted set (lexical): every article for the editor list (see `editor_key`)."""


def article_key(article_id: str) -> str:
    """Key of one article's JSON."""
    return _key("article", article_id)


def history_key(article_id: str) -> str:
    """Key of the list of an article's versions, newest first."""
    return _key("versions", article_id)


def index_key(kind: str, slug: str) -> str:
    """Key of the sorted set of a listing's live articles by publication moment (the home
    listing, of every live article, has no slug)."""
    return _key("idx", kind, slug) if slug else _key("idx", kind)


def editor_key(kind: str, slug: str) -> str:
    """Key of the lexically sorted set of every article of a section or tag, for editors."""
    return _key("ed", kind, slug)


def scratch_key(*parts: str) -> str:
    """A temporary key for one computation (its caller deletes it in the same transaction)."""
    return _key("tmp", *parts)


# Views (services.ingest.viewlog appends them, services.feeds.views counts them).
VIEWS_ALL = _key("views", "all")
"""Sorted set: all-time view totals of published articles."""
SEEN_PREFIX = _key("seen") + ":"
"""Prefix of the expiring per-visitor marks `seen:<article>:<visitor>`: the views script
builds them from it (declaring each as a key would double a batch's arguments)."""


def views_hour_key(moment: datetime) -> str:
    """Key of the hourly views bucket holding `moment` (UTC hours, expiring)."""
    return _key("views", "h", f"{moment.astimezone(UTC):%Y%m%d%H}")


def views_day_key(moment: datetime) -> str:
    """Key of the daily views bucket holding `moment` (UTC days, expiring)."""
    return _key("views", "d", f"{moment.astimezone(UTC):%Y%m%d}")


def parked_views_key(article_id: str) -> str:
    """Key of an unpublished article's all-time total, parked (expiring) until it returns."""
    return _key("views", "parked", article_id)


def rate_limit_key(client: str) -> str:
    """Key of a client address's views counter in the current rate-limit window."""
    return _key("ratelimit", "views", client)


# Services' own state.
def site_status_key(service: str, consumer: str) -> str:
    """Key of a replica's expiring state, for `newsroom stats`."""
    return _key("site", service, consumer)


SITE_STATUS_PATTERN = _key("site", "*")
"""SCAN pattern of every replica's state."""


def heal_lock_key(service: str) -> str:
    """Key of the lock one replica of a service holds while it rebuilds the public folder."""
    return _key("heal-lock", service)


SHOWN_NAMES = _key("render", "shown-names")
"""Hash: listing name key → the display name its pages show (services.render.renames)."""
RENAMED = _key("render", "renamed")
"""Set: listing name keys whose pages are to be re-rendered under a new name."""
