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
the whole site, which the same task re-renders part by part as a rebuild does. A full rebuild
records the names and the menu it rendered with (`record_rebuilt`), so the first batch after
it does not render the whole site a second time.
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Iterable

from jinja2 import Environment
from redis.exceptions import WatchError

from services.render.output import put
from shared.keyspace import NAMES, RENAMED, SHOWN_NAMES
from shared.listing import Listing
from shared.pages.menu import site_menu
from shared.pages.model import last_page
from shared.pages.site_pages import Pages
from shared.public_writer import PublicWriter
from shared.redis_client import as_text
from shared.store import ArticleStore

# The field of SHOWN_NAMES and mark of RENAMED for the header menu (JSON of (name, url) pairs).
MENU = "menu"
# Numbered pages written per step of a renaming.
PAGES_PER_STEP = 20

log = logging.getLogger(__name__)


async def site_names(store: ArticleStore, menu_order: list[str]) -> tuple[dict[bytes, bytes], str]:
    """Every list's display name, and the header menu (as recorded), as the store gives them."""
    return await store.redis.hgetall(NAMES), json.dumps(await site_menu(store, menu_order))


async def record_rebuilt(
    store: ArticleStore, menu_order: list[str], before: tuple[dict[bytes, bytes], str]
) -> bool:
    """After a full rebuild begun with the names and menu `before` (site_names): record them
    as what every page shows and drop the marks they settle, unless they changed meanwhile
    (then the marks stay, and the next batch finds what to re-render)."""
    names, menu = before
    async with store.redis.pipeline(transaction=True) as pipe:
        with contextlib.suppress(WatchError):
            await pipe.watch(NAMES)
            if await site_names(store, menu_order) == before:
                pipe.multi()
                pipe.hset(SHOWN_NAMES, mapping={**names, MENU.encode(): menu.encode()})
                pipe.srem(RENAMED, MENU, *names)
                await pipe.execute()
                return True
    return False


class Renames:
    """Finds lists whose name changed and re-renders them in the background."""

    def __init__(
        self,
        store: ArticleStore,
        pages: Pages,
        env: Environment,
        writer: PublicWriter,
        render_site: Callable[[PublicWriter], Awaitable[None]],
    ) -> None:
        self.store = store
        self.pages = pages
        self.env = env
        self.writer = writer  # its own: the version it carries is this task's
        self.render_site = render_site
        self.task: asyncio.Task[None] | None = None

    async def note(self, listings: Iterable[Listing]) -> None:
        """Compare the names of these lists (just rendered) with those their pages show;
        mark the renamed ones, record the first name of the others, start the renaming; the
        same for the header menu the pages were rendered with."""
        named = sorted({listing for listing in listings if not listing.is_home})
        fields = [listing.name_key for listing in named]
        names = [*await self.store.names_of(named), json.dumps(self.pages.menu)]
        shown = await self.store.redis.hmget(SHOWN_NAMES, [*fields, MENU])
        pairs = [(f, n, s) for f, n, s in zip([*fields, MENU], names, shown, strict=True) if n]
        # Pages may show any menu before one is recorded (the fixed pages, an older theme).
        new = {f: n for f, n, s in pairs if s is None and f != MENU}
        renamed = [f for f, n, s in pairs if (f == MENU if s is None else as_text(s) != n)]
        if new:
            await self.store.redis.hset(SHOWN_NAMES, mapping=new)
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
        listing = Listing.parse(field)
        name = await self.store.name(listing)
        if name is None:  # no such list any more
            await self.store.redis.srem(RENAMED, field)
            return
        last = await self.step(listing, None)
        number = 1
        while number <= last:
            last = await self.step(listing, set(range(number, number + PAGES_PER_STEP)))
            number += PAGES_PER_STEP
        async with self.store.redis.pipeline(transaction=True) as pipe:
            with contextlib.suppress(WatchError):
                await pipe.watch(NAMES)
                if as_text(await pipe.hget(NAMES, field) or b"") == name:
                    pipe.multi()
                    pipe.hset(SHOWN_NAMES, field, name)
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
                    pipe.hset(SHOWN_NAMES, MENU, menu)
                    pipe.srem(RENAMED, MENU)
                    await pipe.execute()
        log.info("menu re-rendered", extra={"sections": len(self.pages.menu)})

    async def step(self, listing: Listing, numbers: set[int] | None) -> int:
        """Write the first page (`numbers` None) or those numbered pages of a list, from the
        store as it is now; the list's newest page number."""
        self.writer.version = await self.store.revision()
        await self.pages.load_menu()
        head = await self.pages.list_head(listing)
        for item in await self.pages.lists(listing, [], numbers is not None, head, numbers):
            put(self.writer, self.env, item)
        self.writer.sync()
        return last_page(head.count, self.pages.size)
