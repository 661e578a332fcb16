"""«Читайте также» on the real render pipeline: five older articles, by tag, section, site."""

from tests.support.site import (
    new_article,
    soup,
)

# (id, section, tags, hours ago): the oldest first; only the newest shares anything.
ARTICLES = [
    ("football", "Спорт", ["футбол"], 10),
    ("economy", "Экономика", [], 9),
    ("culture", "Культура", [], 8),
    ("society", "Общество", [], 7),
    ("science", "Наука", [], 6),
    ("politics", "Политика", [], 5),
]


async def publish(store, pump, article_id: str, section: str, tags: list[str], hours: float):
    await store.save(
        article_id, new_article(0, hours, title=article_id, section=section, tags=tags)
    )
    await pump()


async def read_also(store, renderer, article_id: str) -> list[str]:
    """Titles of the read-also links on an article's page, top to bottom."""
    url = (await store.get(article_id)).url
    page = soup((renderer.root / url.lstrip("/") / "index.html").read_text(encoding="utf-8"))
    return [a.get_text() for a in page.select(".read-also-list a")]


async def test_the_sixth_article_offers_the_five_older_ones(recorded_site):
    store, renderer, pump = recorded_site
    for article in ARTICLES:
        await publish(store, pump, *article)

    # The newest links to every other article (sharing nothing), newest first.
    assert await read_also(store, renderer, "politics") == [
        "science",
        "society",
        "culture",
        "economy",
        "football",
    ]
    # Only older articles are offered: the oldest has none, the next one one.
    assert await read_also(store, renderer, "football") == []
    assert await read_also(store, renderer, "economy") == ["football"]


async def test_same_tags_come_first_then_the_section_then_the_site(recorded_site):
    store, renderer, pump = recorded_site
    for article in ARTICLES:
        await publish(store, pump, *article)
    renderer.writer.urls.clear()

    # A new article shares a tag with the oldest and the section with "society".
    await publish(store, pump, "derby", "Общество", ["Футбол"], 1)

    # The tag's article and the section's come first, the site's newest fill up: "economy",
    # newer than "football" but sharing nothing, is left out.
    assert await read_also(store, renderer, "derby") == [
        "politics",
        "science",
        "society",
        "culture",
        "football",
    ]
    # Older only: publishing it rewrote no other article page.
    pages = {(await store.get(i)).url for i, *_ in ARTICLES}
    assert pages.isdisjoint(renderer.writer.urls)


async def test_unpublishing_an_article_refills_the_read_also_of_newer_ones(recorded_site):
    store, renderer, pump = recorded_site
    for article in ARTICLES:
        await publish(store, pump, *article)

    # "culture" shares nothing with "politics" and leaves the site.
    await store.unpublish("culture")
    await pump()

    # The site's filler shifts on the newer page: only four older articles remain.
    assert await read_also(store, renderer, "politics") == [
        "science",
        "society",
        "economy",
        "football",
    ]
    # A back-dated article between them joins it, as the section's own articles would.
    await publish(store, pump, "history", "История", [], 5.5)
    assert await read_also(store, renderer, "politics") == [
        "history",
        "science",
        "society",
        "economy",
        "football",
    ]
