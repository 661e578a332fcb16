"""Editors' previews and the header menu on the real platform (redis-server, ingest, render,
feeds, the site server), as Chromium shows them."""

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser

from services.ingest.preview_links import PreviewLinks
from tests.render.test_html_validity import failures
from tests.support.chromium import SCREENSHOTS, chromium
from tests.support.platform import Platform, wait_for
from tests.support.redis_server import redis_executor, url_of
from tests.support.samples import ARTICLE, PREVIEW_SECRET

pytestmark = pytest.mark.slow
MENU_ORDER = "sport,ekonomika"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """The platform with a menu order, and three sections published."""
    workdir: Path = tmp_path_factory.mktemp("previews")
    with redis_executor(workdir / "redis") as executor:
        running = Platform(url_of(executor), workdir)
        running.env["NEWSROOM_MENU_SECTIONS"] = MENU_ORDER
        try:
            running.start_all()
            for n, section in enumerate(("Культура", "Экономика", "Спорт")):
                put(running, f"live-{n}", section, hours=-10 + n)
            wait_for(lambda: running.get("/section/sport/").status_code == 200, 30)
            yield running
        finally:
            running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as running:
        yield running


def put(platform: Platform, article_id: str, section: str, hours: float) -> dict:
    """Save an article of `section` published `hours` from now (in the future: scheduled)."""
    moment = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=hours)
    body = ARTICLE | {
        "title": f"Материал {article_id} в разделе {section}",
        "section": section,
        "tags": [],
        "published_at": moment.isoformat(),
    }
    with platform.api() as api:
        answer = api.put(f"/api/articles/{article_id}", json=body)
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def menu_of(browser: Browser, url: str) -> list[str]:
    """The header menu's link texts as Chromium shows the page."""
    page = browser.new_page()
    try:
        page.goto(url)
        return page.locator(".site-nav a").all_text_contents()
    finally:
        page.close()


def preview_path(platform: Platform, article_id: str) -> str:
    with platform.api() as api:
        answer = api.post(f"/api/articles/{article_id}/preview")
    assert answer.status_code == 200, answer.text
    url = urlsplit(answer.json()["url"])
    assert f"{url.scheme}://{url.netloc}" == "https://news.example.kz"  # the site's address
    return f"{url.path}?{url.query}"


def test_menu_lists_every_section_in_the_set_order_on_every_page_kind(site, browser):
    article = site.api().get("/api/articles/live-0").json()["url"]
    expected = ["Главная", "Спорт", "Экономика", "Культура", "RSS"]
    for path in ("/", "/section/kultura/", article):
        assert menu_of(browser, site.site_url + path) == expected, path


def test_a_new_section_reaches_an_old_pages_menu_in_the_background(site, browser):
    old = site.api().get("/api/articles/live-0").json()["url"]
    put(site, "auto-1", "Авто", hours=-1)

    def menu_has_it() -> bool:
        return "/section/avto/" in site.get(old).text

    wait_for(menu_has_it, 60)
    expected = ["Главная", "Спорт", "Экономика", "Авто", "Культура", "RSS"]
    assert menu_of(browser, site.site_url + old) == expected


@pytest.mark.parametrize("status", ["scheduled", "unpublished"])
def test_preview_shows_an_unpublished_article_with_the_theme_and_noindex(
    site, browser, tmp_path, status
):
    article_id = f"preview-{status}"
    saved = put(site, article_id, "Наука", hours=48 if status == "scheduled" else -2)
    if status == "unpublished":  # a draft: saved, never left for readers
        with site.api() as api:
            assert api.delete(f"/api/articles/{article_id}").status_code == 200
    path = preview_path(site, article_id)

    answer = site.get(path)
    assert answer.status_code == 200
    assert answer.headers["x-robots-tag"].startswith("noindex")
    assert answer.headers["cache-control"] == "private, no-store"
    # An editor's look is no reader's view: no beacon script, no marked article.
    assert "beacon.js" not in answer.text
    assert "data-view-beacon" not in answer.text
    page = browser.new_page()
    page.goto(site.site_url + path)
    assert page.locator("h1").inner_text() == saved["title"]
    assert page.locator('meta[name="robots"]').get_attribute("content").startswith("noindex")
    assert page.evaluate("getComputedStyle(document.querySelector('.masthead')).display")
    assert page.evaluate("document.styleSheets[0].href").endswith("/static/site.css")
    assert "Спорт" in page.locator(".site-nav").text_content()
    page.close()

    # Never in the public folder, and not readable at the article's address.
    assert site.get(saved["url"]).status_code in (404, 410)
    written = [p for p in site.public.rglob("*.html") if saved["title"] in p.read_text("utf-8")]
    assert written == []

    # vnu finds no error on the preview page.
    (tmp_path / "preview.html").write_text(answer.text, encoding="utf-8")
    assert failures([tmp_path / "preview.html"]) == {}


@pytest.mark.parametrize("width", [390, 1280])
def test_a_screenshot_of_a_preview(site, browser, width):
    put(site, "preview-shot", "Наука", hours=24)
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(site.site_url + preview_path(site, "preview-shot"))

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"preview-{width}.png"
    page.screenshot(path=path, full_page=True)

    assert page.locator(".preview-note").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert path.stat().st_size > 10_000
    page.close()


def test_a_tampered_expired_or_unknown_link_is_404(site):
    put(site, "preview-guarded", "Наука", hours=24)
    good = preview_path(site, "preview-guarded")
    links = PreviewLinks(PREVIEW_SECRET)
    tampered = good[:-1] + ("0" if good[-1] != "0" else "1")
    other = good.replace("preview-guarded", "preview-other")
    expired = links.path("preview-guarded", now=time.time() - 2 * 3600)
    unknown = links.path("never-saved")
    for path in (tampered, other, expired, unknown, "/preview/preview-guarded"):
        answer = httpx.get(site.site_url + path, timeout=10)
        assert answer.status_code == 404, path
        assert answer.json()["error"], path
    assert site.get(good).status_code == 200
