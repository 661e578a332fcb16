"""A section, tag or author whose display name changed: every page of its list follows.

Each article saved names its section, tags and authors, and the store keeps the name the
latest one gave each slug (an editor fixes "Жас бүркіт" to "Жас Бүркіт"). An event re-renders
only the list pages it touches; so render records, per list, the name its pages show, and
when a batch finds the store naming a list otherwise, it marks the list for renaming. A
background task then re-renders every page of each marked list from the store, a few pages at
a time (the event batches go on meanwhile, and page revisions keep either from undoing the
other), and records the name it showed once the store still gives that name.

The header menu (shared.pages.menu) is on every page: render records the menu pages show
too, and when a batch renders another one (a new section, a renamed or emptied one), it marks
the whole site, which the same task re-renders part by part as a rebuild does.
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Iterable

from redis.exceptions import WatchError

from services.render.writer import Writer
from shared.pages.menu import site_menu
from shared.pages.model import ListKey, last_page
from shared.pages.site_pages import Pages
from shared.redis_client import as_text
from shared.store import NAMES, PREFIX, ArticleStore

# The name each list's pages show (kind:slug → name), and the lists to re-render.
SHOWN = PREFIX + "render:shown-names"
RENAMED = PREFIX + "render:renamed"
# The field of SHOWN and mark of RENAMED for the header menu (JSON of its (name, url) pairs).
MENU = "menu"
# Numbered pages written per step of a renaming.
PAGES_PER_STEP = 20

log = logging.getLogger(__name__)


class Renames:
    """Finds lists whose name changed and re-renders them in the background."""

    def __init__(
        self,
        store: ArticleStore,
        pages: Pages,
        writer: Writer,
        render_site: Callable[[Writer], Awaitable[None]],
    ) -> None:
        self.store = store
        self.pages = pages
        self.writer = writer  # its own: the revision it carries is this task's
        self.render_site = render_site
        self.task: asyncio.Task[None] | None = None

    async def note(self, keys: Iterable[ListKey]) -> None:
        """Compare the names of these lists (just rendered) with those their pages show;
        mark the renamed ones, record the first name of the others, start the renaming; the
        same for the header menu the pages were rendered with."""
        fields = sorted({f"{kind}:{slug}" for kind, slug in keys if kind != "home"})
        names = [*await self.store.names_of(fields), json.dumps(self.pages.menu)]
        shown = await self.store.redis.hmget(SHOWN, [*fields, MENU])
        pairs = [(f, n, s) for f, n, s in zip([*fields, MENU], names, shown, strict=True) if n]
        # Pages may show any menu before one is recorded (the fixed pages, an older theme).
        new = {f: n for f, n, s in pairs if s is None and f != MENU}
        renamed = [f for f, n, s in pairs if (f == MENU if s is None else as_text(s) != n)]
        if new:
            await self.store.redis.hset(SHOWN, mapping=new)
        if renamed:
            await self.store.redis.sadd(RENAMED, *renamed)
            self.start()

    def start(self) -> None:
        """Run the renaming of the marked lists unless it runs already."""
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self.run())

    async def run(self) -> None:
        """Re-render every marked list, one after another, until none is left."""
        try:
            while field := await self.store.redis.srandmember(RENAMED):
                if as_text(field) == MENU:
                    await self.remenu()
                else:
                    await self.rename(as_text(field))
        except Exception:
            log.exception("renaming lists failed")  # the marks stay: the next batch retries

    async def rename(self, field: str) -> None:
        """Re-render all pages of one list, then record the name they show (unless the store
        names it otherwise by now: then it stays marked and is re-rendered again)."""
        kind, slug = field.split(":", 1)
        key: ListKey = (kind, slug)
        name = await self.store.name(kind, slug)
        if name is None:  # no such list any more
            await self.store.redis.srem(RENAMED, field)
            return
        last = await self.step(key, None)
        number = 1
        while number <= last:
            last = await self.step(key, set(range(number, number + PAGES_PER_STEP)))
            number += PAGES_PER_STEP
        async with self.store.redis.pipeline(transaction=True) as pipe:
            with contextlib.suppress(WatchError):
                await pipe.watch(NAMES)
                if as_text(await pipe.hget(NAMES, field) or b"") == name:
                    pipe.multi()
                    pipe.hset(SHOWN, field, name)
                    pipe.srem(RENAMED, field)
                    await pipe.execute()
        log.info("list renamed", extra={"list": field, "pages": last + 1})

    async def remenu(self) -> None:
        """Re-render every page, then record the menu they show (unless the store's menu
        differs by now: then the site stays marked and is re-rendered again)."""
        menu = json.dumps(await site_menu(self.store, self.pages.menu_order))
        await self.render_site(self.writer)
        async with self.store.redis.pipeline(transaction=True) as pipe:
            with contextlib.suppress(WatchError):
                await pipe.watch(NAMES)
                if json.dumps(await site_menu(self.store, self.pages.menu_order)) == menu:
                    pipe.multi()
                    pipe.hset(SHOWN, MENU, menu)
                    pipe.srem(RENAMED, MENU)
                    await pipe.execute()
        log.info("menu re-rendered", extra={"sections": len(self.pages.menu)})

    async def step(self, key: ListKey, numbers: set[int] | None) -> int:
        """Write the first page (`numbers` None) or those numbered pages of a list, from the
        store as it is now; the list's newest page number."""
        self.writer.revision = await self.store.revision()
        await self.pages.load_menu()
        head = await self.pages.list_head(key)
        for item in await self.pages.lists(key, [], numbers is not None, head, numbers):
            self.writer.put(item)
        self.writer.sync()
        return last_page(head.count, self.pages.size)
