"""A section or tag renamed (same slug, new display name) shows its new name on every page
of its list, untouched numbered pages included, on the real render pipeline."""

import asyncio

from services.render.rebuild import rebuild
from services.render.renames import record_rebuilt, site_names
from shared.keyspace import RENAMED, SHOWN_NAMES
from tests.support.site import SITEMAP_SIZE, new_article, site_settings, soup

LISTS = ("/tag/zhas-burkit/", "/section/proisshestviya/")


def headings(renderer, first: str) -> list[str]:
    """The heading of every page of a list, first page first."""
    folder = renderer.root / first.lstrip("/")
    pages = [folder / "index.html", *sorted(folder.glob("page/*/index.html"))]
    return [soup(p.read_text(encoding="utf-8")).h1.contents[0].strip() for p in pages]


async def test_a_new_display_name_reaches_every_page_of_its_list(recorded_site):
    store, renderer, pump = recorded_site
    # Twelve articles in one section under one tag: a first page and three numbered ones.
    for n in range(12):
        article = new_article(n, hours_ago=100 - n, tags=["Жас бүркіт"])
        await store.save(f"old-{n}", article)
    await pump()
    assert [headings(renderer, first) for first in LISTS] == [
        ["Жас бүркіт"] * 4,
        ["Происшествия"] * 4,
    ]
    # Names seen for the first time are recorded; the menu (no record yet) is re-rendered once.
    assert await store.redis.smembers(RENAMED) == {b"menu"}
    await asyncio.wait_for(renderer.renames.task, timeout=60)
    assert await store.redis.hget(SHOWN_NAMES, "tag:zhas-burkit") == "Жас бүркіт".encode()

    # An editor spells the tag and the section anew on a new article.
    await store.save("new", new_article(12, tags=["Жас Бүркіт"], section="ПРОИСШЕСТВИЯ"))
    await pump()

    # In the background, every page of both lists takes the new name; page 1, which the
    # new article does not touch, too.
    await asyncio.wait_for(renderer.renames.task, timeout=60)
    assert [headings(renderer, first) for first in LISTS] == [
        ["Жас Бүркіт"] * 4,
        ["ПРОИСШЕСТВИЯ"] * 4,
    ]
    page = soup((renderer.root / "tag/zhas-burkit/page/1/index.html").read_text(encoding="utf-8"))
    assert page.title.get_text().startswith("Тег: Жас Бүркіт — страница 1")

    # Another event with the names unchanged starts no renaming.
    done = renderer.renames.task
    await store.save("newer", new_article(13, tags=["Жас Бүркіт"], section="ПРОИСШЕСТВИЯ"))
    await pump()
    assert renderer.renames.task is done


async def test_a_full_rebuild_records_what_its_pages_show(recorded_site, redis_url):
    store, renderer, pump = recorded_site
    for n in range(3):
        await store.save(f"old-{n}", new_article(n, hours_ago=10 - n, tags=["Жас бүркіт"]))
    settings = site_settings(redis_url, renderer.root)
    await asyncio.to_thread(rebuild, settings, 1, False, SITEMAP_SIZE)
    assert await store.redis.hget(SHOWN_NAMES, "tag:zhas-burkit") == "Жас бүркіт".encode()
    assert await store.redis.hexists(SHOWN_NAMES, "menu")

    # The events the rebuild already showed, and a new one, start no re-rendering of the site.
    await store.save("new", new_article(3, tags=["Жас бүркіт"]))
    await pump()
    assert renderer.renames.task is None
    assert await store.redis.smembers(RENAMED) == set()


async def test_names_changed_during_a_rebuild_are_not_recorded(recorded_site):
    store, renderer, _ = recorded_site
    await store.save("old", new_article(0, tags=["Жас бүркіт"]))
    before = await site_names(store, renderer.pages.menu_order)
    await store.save("new", new_article(1, tags=["Жас Бүркіт"]))  # while "the rebuild ran"
    assert not await record_rebuilt(store, renderer.pages.menu_order, before)
    assert not await store.redis.exists(SHOWN_NAMES)
