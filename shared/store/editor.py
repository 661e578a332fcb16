"""The editor list: every article of any status, newest created first, by section and tag.

Each article is a member of lexically sorted sets (all, its section, each tag) under a sort
key that never changes (its creation moment, then its id), so pages of the list are stable.
"""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from shared.article import Article
from shared.keyspace import EDITOR_ALL, editor_key, scratch_key
from shared.slot_transactions import SlotTransactions
from shared.slugs import make_slug

CURSOR_PATTERN = r"^[0-9]{20}\|[A-Za-z0-9_-]{1,64}$"


def _member(article: Article) -> str:
    """Sort key of an article in the editor lists: creation moment, then id (never changes)."""
    return f"{article.created_at.astimezone(UTC):%Y%m%d%H%M%S%f}|{article.id}"


@dataclass(frozen=True)
class EditorPage:
    """One page of the editor list, and the position to continue after (None at the end)."""

    articles: list[Article]
    next_after: str | None


def editor_entries(article: Article) -> list[tuple[str, str]]:
    """The editor lists an article is in (all, its section, each tag), with its member."""
    member = _member(article)
    keys = [EDITOR_ALL, editor_key("section", article.section_slug)]
    keys += [editor_key("tag", t) for t in article.tag_slugs]
    return [(key, member) for key in dict.fromkeys(keys)]


class EditorList:
    """The store's editor list queries."""

    redis: Redis
    slots: SlotTransactions

    async def list_for_editors(
        self,
        *,
        section: str | None = None,
        tag: str | None = None,
        limit: int = 20,
        after: str | None = None,
    ) -> EditorPage:
        """Articles of every status, newest created first, in a stable order.

        `after` is the `next_after` of the previous page (see CURSOR_PATTERN).
        """
        keys = [editor_key("section", make_slug(section))] if section else []
        keys += [editor_key("tag", make_slug(tag))] if tag else []
        found: list[tuple[str, Article]] = []
        async for member, article in self._editor_scan(keys or [EDITOR_ALL], after, limit + 1):
            found.append((member, article))
            if len(found) > limit:
                break
        more = len(found) > limit
        page = found[:limit]
        return EditorPage([a for _, a in page], page[-1][0] if more else None)

    async def _editor_scan(
        self, keys: list[str], after: str | None, batch: int
    ) -> AsyncIterator[tuple[str, Article]]:
        """Members and articles of every editor list in `keys` after `after`, newest first."""
        while True:
            members = await self._editor_members(keys, after, batch)
            if not members:
                return
            articles = await self.stored_many([m.split("|", 1)[1] for m in members])
            for member, data in zip(members, articles, strict=True):
                if data:
                    yield member, Article.from_stored(data)
            if len(members) < batch:
                return
            after = members[-1]

    async def _editor_members(self, keys: list[str], after: str | None, batch: int) -> list[str]:
        """Up to `batch` members after `after` of the intersection of the editor lists `keys`.

        Two lists (section and tag) are intersected inside Redis into a temporary key, in one
        transaction: the work is bounded by the smaller list, never by walking the larger.
        """
        top = f"({after}" if after else "+"
        if len(keys) == 1:
            raw = await self.redis.zrevrangebylex(keys[0], top, "-", start=0, num=batch)
        else:
            scratch = scratch_key(uuid.uuid4().hex)

            async def intersect(pipe: Pipeline) -> None:
                pipe.multi()
                pipe.zinterstore(scratch, keys)
                pipe.zrevrangebylex(scratch, top, "-", start=0, num=batch)
                pipe.delete(scratch)

            _, (_, raw, _) = await self.slots.transact(scratch, intersect)
        return [m.decode() if isinstance(m, bytes) else m for m in raw]
