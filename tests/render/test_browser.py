"""A reader's look at the fixture site in headless Chromium (Debian's, driven by Playwright)."""

import functools
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Browser

from tests.support.chromium import chromium
from tests.support.site import popular_fixture, soup


class QuietHandler(SimpleHTTPRequestHandler):
    """The site's files; the article pages' view reports are taken and dropped (they are
    counted in tests/e2e/test_reader_views.py)."""

    def do_POST(self) -> None:
        self.send_response(202 if self.path == "/api/views" else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@dataclass(frozen=True)
class Served:
    base: str
    article: str  # path of the article page under test


@pytest.fixture(scope="module")
def served(site) -> Iterator[Served]:
    """The fixture site over HTTP, with the two JSON files the feeds service would write."""
    article = site.article_url("demo-001")
    home = soup(site.page("/"))
    popular = [
        (f"p{n}", a.get_text(), a["href"]) for n, a in enumerate(home.select(".teaser-title a"))
    ]
    data = site.root / "data"
    data.mkdir(exist_ok=True)
    (data / "popular.json").write_text(popular_fixture(popular), encoding="utf-8")
    (data / "views.json").write_text(json.dumps({"demo-001": 4824}), encoding="utf-8")
    handler = functools.partial(QuietHandler, directory=str(site.root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(f"http://127.0.0.1:{server.server_port}", article)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser(served) -> Iterator[Browser]:
    """Debian's Chromium, headless."""
    with chromium() as running:
        yield running


@pytest.mark.slow
def test_article_page_in_chromium_shows_popular_read_also_and_archive(site, served, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))

    # A reader opens the article page.
    page.goto(served.base + served.article)

    # The script fills the popular block from popular.json and the view count from views.json.
    popular = page.locator(".popular-list li a")
    popular.first.wait_for(state="visible")
    assert popular.count() == 5
    assert page.locator("[data-views]").inner_text() == "Просмотры: 4 824".replace(" 8", "\u00a08")
    assert not page.locator("[data-popular-fallback]").is_visible()
    # Tabs switch the list (the week's most read come in another order) and keep one selected.
    all_time = popular.all_inner_texts()
    page.get_by_role("tab", name="Неделя").click()
    assert page.get_by_role("tab", name="Неделя").get_attribute("aria-selected") == "true"
    assert page.get_by_role("tab", name="Все").get_attribute("aria-selected") == "false"
    assert popular.all_inner_texts() == all_time[::-1]
    # Read also and the archive navigation are on screen.
    read_also = page.locator(".read-also a")
    assert read_also.count() == 5 and all(link.is_visible() for link in read_also.all())
    archive = page.locator(".archive-nav a")
    assert archive.all_inner_texts() == ["2026", "Ноябрь", "24"]
    assert all(link.is_visible() for link in archive.all())
    assert problems == []
    page.close()


@pytest.mark.slow
def test_without_javascript_the_page_points_to_its_section_instead(site, served, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()

    page.goto(served.base + served.article)

    assert not page.locator(".popular-live").is_visible()
    fallback = page.locator("[data-popular-fallback] a")
    assert fallback.is_visible() and fallback.get_attribute("href") == "/section/obshchestvo/"
    context.close()
