"""Search as a reader's Chromium sees it, on the real platform (site server, ingest, render):
the index follows publishes, stems Russian, finds Kazakh words, and loses an article as soon
as it is unpublished."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page

from newsroom.siteserver import CSP
from tests.render.test_html_validity import failures
from tests.support.chromium import SCREENSHOTS, chromium
from tests.support.platform import ROOT, Platform, wait_for
from tests.support.search_files import indexed_urls
from tests.support.timing import scaled

HOUR_AGO = (datetime.now(UTC) - timedelta(hours=1)).isoformat(timespec="seconds")
REFORM = {
    "title": "Парламент обсудил школьную реформу",
    "author": "Айгерим Сапарова",
    "section": "Общество",
    "tags": ["образование"],
    "published_at": HOUR_AGO,
    "summary": "Депутаты спорили до вечера.",
    "body_html": "<p>Реформа затронет все школы страны.</p>",
}
KARAGANDA = REFORM | {
    "title": "В области открыли новый мост",
    "tags": ["инфраструктура"],
    "summary": "Мост построили за год.",
    "body_html": "<p>Мост соединил два района Қарағанды.</p>",
}


@pytest.fixture(scope="module")
def published(platform: Platform) -> dict[str, str]:
    """The two articles' URLs, once both are in the search index (within a minute)."""
    api = platform.api()
    urls = {}
    for article_id, body in (("search-reform", REFORM), ("search-karaganda", KARAGANDA)):
        answer = api.put(f"/api/articles/{article_id}", json=body)
        assert answer.status_code == 201
        urls[article_id] = answer.json()["url"]
    wait_for(lambda: set(urls.values()) <= indexed_urls(platform.public), timeout=60)
    return urls


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as running:
        yield running


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page that fails the test on any console error or uncaught exception (a CSP refusal
    of Pagefind's WebAssembly included), but the 410 of an unpublished result's page that
    search.js asks for before showing it."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if message.type == "error" and "status of 410" not in message.text:
            problems.append(message.text)

    page.on("console", note)
    page.on("pageerror", lambda e: problems.append(str(e)))
    yield page
    page.close()
    assert problems == []


def results(page: Page) -> list[str]:
    """The result links the results page shows, once it has finished."""
    status = page.locator("[data-search-status]")
    page.wait_for_function(
        "s => /найдено|недоступен/.test(s.textContent)",
        arg=status.element_handle(),
        timeout=scaled(15) * 1000,
    )
    return [a.get_attribute("href") or "" for a in page.locator(".search-result a").all()]


def search(page: Page, platform: Platform, query: str) -> list[str]:
    page.goto(f"{platform.site_url}/search/?q={quote(query)}")
    return results(page)


@pytest.mark.slow
def test_search_stems_russian_and_finds_kazakh_words(platform, published, page, tmp_path):
    # «реформы» finds the article that says «Реформа» (and «реформу»), not the other one.
    assert search(page, platform, "реформы") == [published["search-reform"]]
    first = page.locator(".search-result").first
    assert "Парламент обсудил школьную реформу" in first.locator("h2").inner_text()
    assert first.locator(".kicker").text_content() == "Общество"  # the section, from its meta
    assert first.locator("mark").count() >= 1  # the words found are marked in the excerpt
    assert page.locator("#search-q").input_value() == "реформы"
    # The page as the script left it is valid HTML too, and looks like the site.
    shown = tmp_path / "results.html"
    shown.write_text(page.content(), encoding="utf-8")
    assert failures([shown]) == {}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"search-{width}.png"), full_page=True)

    # The header's search box on any page leads there: «Қарағанды» from the home page.
    page.goto(platform.site_url + "/")
    page.fill("#site-search-q", "Қарағанды")
    page.press("#site-search-q", "Enter")
    page.wait_for_url("**/search/?q=*")
    assert results(page) == [published["search-karaganda"]]

    # A word on no page finds nothing, and says so.
    assert search(page, platform, "дирижабль") == []
    assert "ничего не найдено" in page.locator("[data-search-status]").inner_text()


@pytest.mark.slow
def test_an_unpublished_article_leaves_the_results_at_once(platform, published, page):
    assert search(page, platform, "реформа") == [published["search-reform"]]

    assert platform.api().delete("/api/articles/search-reform").status_code == 200
    wait_for(lambda: platform.get(published["search-reform"]).status_code == 410)

    # As soon as its page is gone it is gone from the results, and the index soon after (an
    # unpublish builds at once, without waiting for NEWSROOM_SEARCH_DEBOUNCE_S).
    assert search(page, platform, "реформа") == []
    wait_for(lambda: published["search-reform"] not in indexed_urls(platform.public), 30)
    assert search(page, platform, "Қарағанды") == [published["search-karaganda"]]


def test_the_site_server_sends_the_policy_pagefind_needs(platform):
    policy = platform.get("/search/").headers["content-security-policy"]
    assert "script-src 'self' 'wasm-unsafe-eval'" in policy and "default-src 'self'" in policy


def test_nginx_sends_the_same_policy_as_the_site_server():
    template = (ROOT / "deploy/nginx/newsroom.conf.template").read_text()
    assert re.findall(r'Content-Security-Policy "([^"]*)"', template) == [CSP]
