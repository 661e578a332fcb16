"""What a reader's browser gets from the running platform: five «Читайте также» links, a
body image with an (empty) alt, a day archive paged like any list, and a section's new
display name on its untouched pages — read from Chromium's DOM, the articles posted to ingest.
"""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page

from tests.support.chromium import chromium
from tests.support.platform import Platform, wait_for
from tests.support.redis_server import redis_executor, url_of
from tests.support.timing import scaled

pytestmark = pytest.mark.slow

PAGE_SIZE = 3
DAY = "2026-11-20"
# (id, section, hour of DAY, body): four on one day (two pages of its archive), then the rest.
ARTICLES = [
    ("day-1", "Экономика", 8, "<p>Тенге укрепился.</p>"),
    ("day-2", "Экономика", 9, "<p>Цены на зерно выросли.</p>"),
    ("day-3", "Экономика", 10, "<p>Банки снизили ставки.</p>"),
    ("day-4", "Спорт", 11, '<p>Стадион открыт.</p><p><img src="/static/favicon.svg"></p>'),
    ("day-5", "Культура", 12, "<p>Театр вернулся с гастролей.</p>"),
    ("day-6", "Наука", 13, "<p>Учёные представили прототип.</p>"),
]


def article(section: str, hour: int, body: str, title: str) -> dict[str, object]:
    return {
        "title": title,
        "author": "Айгерим Сапарова",
        "section": section,
        "tags": [],
        "published_at": f"{DAY}T{hour:02d}:00:00+05:00",
        "summary": "Коротко о главном.",
        "body_html": body,
    }


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Platform, dict[str, str]]]:
    """The platform with three articles a list page, the articles published through ingest;
    yields it and each article's URL."""
    workdir: Path = tmp_path_factory.mktemp("reader")
    with redis_executor(workdir / "redis") as executor:
        platform = Platform(url_of(executor), workdir)
        platform.env["NEWSROOM_PAGE_SIZE"] = str(PAGE_SIZE)
        try:
            platform.start_all()
            urls = {}
            with platform.api() as api:
                for article_id, section, hour, body in ARTICLES:
                    fields = article(section, hour, body, f"Новость {article_id}")
                    created = api.put(f"/api/articles/{article_id}", json=fields)
                    assert created.status_code == 201, created.text
                    urls[article_id] = created.json()["url"]
            yield platform, urls
        finally:
            platform.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as running:
        yield running


def visit(browser: Browser, platform: Platform, url: str) -> Page:
    """A new tab showing `url` of the site once the page is there (render writes it soon
    after ingest answers)."""
    wait_for(lambda: platform.get(url).status_code == 200, scaled(30))
    page = browser.new_page()
    page.goto(platform.site_url + url)
    return page


def test_the_newest_article_offers_five_older_ones_to_read(site, browser):
    platform, urls = site
    page = visit(browser, platform, urls["day-6"])

    links = page.locator(".read-also-list a")

    def five_links() -> bool:
        page.reload()
        return links.count() == 5

    # All six articles are published before this page is read: it offers the five others.
    wait_for(five_links, scaled(30), interval=0.5)
    assert links.all_inner_texts() == [f"Новость day-{n}" for n in (5, 4, 3, 2, 1)]
    assert all(link.is_visible() for link in links.all())
    page.close()


def test_a_body_image_without_alt_reaches_the_reader_with_an_empty_one(site, browser):
    platform, urls = site
    page = visit(browser, platform, urls["day-4"])

    image = page.locator("article img[src='/static/favicon.svg']")

    assert image.count() == 1
    assert image.get_attribute("alt") == ""
    page.close()


def test_a_day_archive_pages_like_any_list(site, browser):
    platform, _ = site
    day = "/" + DAY.replace("-", "/") + "/"
    page = visit(browser, platform, day)

    # Six articles that day, three a page: the newest three, then a link to the older ones.
    titles = page.locator(".teaser-title a")
    assert titles.all_inner_texts() == [f"Новость day-{n}" for n in (6, 5, 4)]
    with page.expect_navigation():
        page.locator(".pager-older").click()
    assert titles.all_inner_texts() == [f"Новость day-{n}" for n in (3, 2, 1)]
    assert page.locator(".pager-older").count() == 0
    with page.expect_navigation():
        page.locator(".pager-newer").click()
    assert titles.all_inner_texts() == [f"Новость day-{n}" for n in (6, 5, 4)]
    page.close()


def test_a_sections_new_name_reaches_its_untouched_pages(site, browser):
    platform, _ = site
    # The section spans two pages; its second page shows the section's name in its heading.
    second = "/section/ekonomika/page/1/"
    with platform.api() as api:
        for n in (7, 8):
            fields = article("Экономика", 14, "<p>Ещё новость.</p>", f"Новость day-{n}")
            assert api.put(f"/api/articles/day-{n}", json=fields).status_code == 201
    page = visit(browser, platform, second)
    assert page.locator("h1").inner_text().startswith("Экономика")

    # An editor spells the section anew on a newer article (same slug, new display name).
    fields = article("ЭКОНОМИКА", 15, "<p>Итоги дня.</p>", "Новость day-9")
    with platform.api() as api:
        assert api.put("/api/articles/day-9", json=fields).status_code == 201

    # The untouched second page takes the new name by itself, in the background.
    def renamed() -> bool:
        page.reload()
        return page.locator("h1").inner_text().startswith("ЭКОНОМИКА")

    wait_for(renamed, scaled(60), interval=0.5)
    assert httpx.get(platform.site_url + second, timeout=scaled(10)).status_code == 200
    page.close()
