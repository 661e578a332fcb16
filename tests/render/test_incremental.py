"""Incremental rendering against a real Redis: bounded work per event, coalesced bursts."""

from collections import Counter

from tests.support.site import (
    new_article,
)


async def publish_one_and_record(store, renderer, pump, article_id: str) -> Counter[str]:
    renderer.writer.urls.clear()
    await store.save(article_id, new_article(0))
    await pump()
    return Counter(renderer.writer.urls)


def shape(urls: Counter[str]) -> Counter[str]:
    """Kinds of pages written, with article URLs and page numbers folded together."""
    kinds: Counter[str] = Counter()
    for url in urls:
        parts = url.strip("/").split("/")
        if url.endswith(".xml") or url.endswith(".txt"):
            kinds[parts[0]] += 1
        elif parts[0] in {"section", "tag", "author"}:
            kinds[f"{parts[0]} {'numbered' if 'page' in parts else 'first'}"] += 1
        elif parts[0] == "page":
            kinds["home numbered"] += 1
        elif parts == [""]:
            kinds["home first"] += 1
        else:
            kinds[f"date path of depth {len(parts)}"] += 1
    return kinds


async def test_work_per_event_does_not_grow_with_the_site(recorded_site):
    store, renderer, pump = recorded_site

    # A site of 60 articles in one section, then one more article arrives.
    for n in range(60):
        await store.save(f"old-{n}", new_article(n, hours_ago=100 + n))
    await pump(batch_size=100)
    small = await publish_one_and_record(store, renderer, pump, "probe-small")

    # The site grows to 360 articles; another article of the same kind arrives.
    for n in range(60, 360):
        await store.save(f"old-{n}", new_article(n, hours_ago=100 + n))
    await pump(batch_size=100)
    large = await publish_one_and_record(store, renderer, pump, "probe-large")

    # The same kinds and number of pages are written either way; each at most once.
    assert shape(small) == shape(large)
    assert sum(large.values()) == sum(small.values()) < 40
    assert max(large.values()) == 1
    # Of a list, only the first page and the newest numbered pages are rewritten.
    home_pages = sorted(u for u in large if u.startswith("/page/"))
    assert len(home_pages) <= 2
    # Of the article sitemaps (chunks of 10, linked to nothing), only the one it joins.
    chunks = [store.urls.sitemap_url(n) for n in range(1, 38)]
    assert [u for u in large if u in chunks] == [store.urls.sitemap_url(37)]


async def test_a_burst_renders_each_list_page_once(recorded_site):
    store, renderer, pump = recorded_site

    # 50 articles arrive in one burst and are read as one batch.
    for n in range(50):
        await store.save(f"burst-{n}", new_article(n, hours_ago=n / 60))
    renderer.writer.urls.clear()
    assert await pump(batch_size=50) == 50

    # Home, section, archive day and sitemap index are written once, not 50 times.
    urls = renderer.writer.urls
    assert urls["/"] == 1
    assert urls["/section/proisshestviya/"] == 1
    assert urls["/sitemap.xml"] == 1
    assert max(urls.values()) == 1
    home = (renderer.root / "index.html").read_text(encoding="utf-8")
    assert "Сводка происшествий номер 0" in home


async def test_unpublishing_removes_the_page_and_the_list_entries(recorded_site):
    store, renderer, pump = recorded_site
    for n in range(8):
        await store.save(f"a-{n}", new_article(n, hours_ago=n))
    await pump()
    article = (await store.get("a-3")).url
    assert (renderer.root / article.lstrip("/") / "index.html").exists()

    await store.unpublish("a-3")
    await pump()

    assert not (renderer.root / article.lstrip("/")).exists()
    for path in renderer.root.rglob("*.html"):
        assert article not in path.read_text(encoding="utf-8"), path


async def test_news_sitemap_refresh_drops_articles_older_than_48_hours(recorded_site):
    store, renderer, pump = recorded_site
    await store.save("recent", new_article(1, hours_ago=1))
    await pump()
    news = renderer.root / "sitemaps" / "news.xml"
    assert "Сводка происшествий номер 1" in news.read_text(encoding="utf-8")

    # As if two days passed: the store says the article is 49 hours old, and no event is
    # rendered; the periodic refresh alone drops it.
    await store.save("recent", new_article(1, hours_ago=49))
    await renderer.refresh_news()

    assert "Сводка происшествий номер 1" not in news.read_text(encoding="utf-8")


async def test_an_article_saved_again_into_an_emptied_store_shows_its_new_title(recorded_site):
    # An article is on the home page of a running renderer.
    store, renderer, pump = recorded_site
    await store.save("again-1", new_article(1))
    await pump()
    home = renderer.root / "index.html"
    assert "Сводка происшествий номер 1" in home.read_text(encoding="utf-8")

    # Redis comes back empty; the editors send the article again, retitled: version 1 again.
    await store.redis.flushdb()
    await store.save("again-1", new_article(1, title="Сводка, отправленная заново"))
    assert (await store.get("again-1")).version == 1
    await pump()

    # The home page shows the new title, not a teaser kept from before.
    page = home.read_text(encoding="utf-8")
    assert "Сводка, отправленная заново" in page
    assert "Сводка происшествий номер 1" not in page
