"""The header menu: every section with live articles, those NEWSROOM_MENU_SECTIONS names first
(in its order), the others by name."""

from shared.keyspace import NAMES
from shared.listing import Kind, Listing
from shared.redis_client import as_text
from shared.store import ArticleStore

SCAN_BATCH = 1000


async def site_menu(store: ArticleStore, order: list[str]) -> list[tuple[str, str]]:
    """(name, url) of the menu's sections."""
    names: dict[str, str] = {}
    async for key, name in store.redis.hscan_iter(NAMES, match="section:*", count=SCAN_BATCH):
        names[as_text(key).split(":", 1)[1]] = as_text(name)
    slugs = sorted(names)
    async with store.redis.pipeline(transaction=False) as pipe:
        for slug in slugs:
            pipe.zcard(Listing(Kind.SECTION, slug).index)
        counts = await pipe.execute()
    live = [slug for slug, count in zip(slugs, counts, strict=True) if count]
    rank = {slug: n for n, slug in enumerate(order)}
    live.sort(key=lambda s: (rank.get(s, len(rank)), names[s].casefold(), s))
    return [(names[s], store.urls.section_url(s)) for s in live]
