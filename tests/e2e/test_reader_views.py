"""Readers' Chromium counts their reads: the demo site on the real platform, behind the shipped
nginx configuration (its CSP enforced), read by browser profiles of their own; and Chromium
screenshots of the site's pages for the README."""

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Playwright, Request, Response, sync_playwright

from newsroom.demo import demo_articles
from tests.support.chromium import CHROMIUM, FLAGS, READER_AGENT, SCREENSHOTS
from tests.support.demo_site import demo_site
from tests.support.images import picture
from tests.support.nginx import Nginx
from tests.support.platform import Platform, wait_for
from tests.support.readers import BROWSER

VISITOR_KEY = "newsroom-visitor"  # where static/beacon.js keeps the visitor id
# Views the fixture reports for other articles, so the most-read lists have something to show.
SEEDED = {"demo-001": 5, "demo-011": 4, "demo-018": 3, "demo-022": 2}
PHOTO = "photo-1"  # an article whose lead image was uploaded (POST /api/media)


@dataclass(frozen=True)
class Site:
    """The platform and nginx in front of it; `url` is what readers open."""

    platform: Platform
    url: str

    def article(self, article_id: str) -> str:
        """Where an article is published now."""
        with self.platform.api() as api:
            return api.get(f"/api/articles/{article_id}").json()["url"]

    def data(self, name: str) -> dict:
        """A JSON file the feeds service writes under /data/ ({} before the first)."""
        response = httpx.get(f"{self.url}/data/{name}.json")
        return response.json() if response.status_code == 200 else {}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The demo site, most-read lists refreshed every second, a few views already counted."""
    workdir: Path = tmp_path_factory.mktemp("reader-views")
    with demo_site(workdir) as platform:
        nginx = Nginx(workdir / "nginx", platform.public, f"127.0.0.1:{platform.ingest_port}")
        nginx.start()
        try:
            served = Site(platform, nginx.url)
            # Every article's page is out: render has caught up with the demo's events.
            for article in demo_articles():
                page = served.url + served.article(str(article["id"]))
                wait_for(lambda p=page: httpx.get(p).status_code == 200, 30, interval=0.2)
            views = [
                {"article_id": article, "visitor_id": f"seed-{n}"}
                for article, count in SEEDED.items()
                for n in range(count)
            ]
            posted = httpx.post(f"{nginx.url}/api/views", json=views, headers=BROWSER)
            assert posted.json() == {"accepted": len(views), "dropped": 0}
            wait_for(lambda: served.data("views") == SEEDED, 30)
            upload_photo_article(platform)
            wait_for(lambda: httpx.get(served.url + served.article(PHOTO)).status_code == 200, 30)
            yield served
        finally:
            nginx.stop()


def upload_photo_article(platform: Platform) -> None:
    """An editor uploads a photo (a Pillow gradient) and publishes an article leading with it."""
    api = f"http://127.0.0.1:{platform.ingest_port}/api"
    auth = {"Authorization": f"Bearer {platform.token}"}
    photo = httpx.post(
        f"{api}/media",
        content=picture(2400, 1600, "JPEG"),
        headers=auth | {"Content-Type": "image/jpeg"},
    )
    assert photo.status_code == 201, photo.text
    article = next(a for a in demo_articles() if a["id"] == "demo-022")
    fields = {k: v for k, v in article.items() if k not in {"id", "slug"}} | {
        "title": "Фоторепортаж: степь перед первым снегом",
        "lead_image": {"media_id": photo.json()["id"], "caption": "Степь под Астаной"},
    }
    answer = httpx.put(f"{api}/articles/{PHOTO}", json=fields, headers=auth)
    assert answer.status_code == 201, answer.text


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def chromium(playwright: Playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
    yield browser
    browser.close()


class Reader:
    """One browser profile: its view reports and anything the pages complained about."""

    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        self.reports: list[Request] = []
        self.problems: list[str] = []
        self.page = context.new_page()
        context.on("request", self._request)
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(m.text))
        self.page.on("pageerror", lambda e: self.problems.append(str(e)))

    def _request(self, request: Request) -> None:
        if request.url.endswith("/api/views"):
            self.reports.append(request)

    def read(self, url: str) -> tuple[dict, dict]:
        """Open an article page; the view it reported and ingest's answer to it."""
        with self.page.expect_response(lambda r: r.url.endswith("/api/views")) as answer:
            self.page.goto(url)
        response: Response = answer.value
        assert response.status == 202, response.text()
        return response.request.post_data_json, response.json()

    def visitor_id(self) -> str | None:
        return self.page.evaluate(f"localStorage.getItem({json.dumps(VISITOR_KEY)})")


HEADERS = ("content-type", "sec-fetch-mode", "sec-fetch-site")
ONE = {"accepted": 1, "dropped": 0}


@pytest.fixture
def readers(chromium) -> Iterator[Callable[..., Reader]]:
    """New browser profiles (each its own cookies and localStorage), closed after the test."""
    opened: list[Reader] = []

    def new(**options) -> Reader:
        opened.append(Reader(chromium.new_context(**options)))
        return opened[-1]

    yield new
    for reader in opened:
        reader.context.close()
    assert [r.problems for r in opened] == [[] for _ in opened]


@pytest.mark.slow
def test_article_pages_count_each_reader_once_rank_and_show_the_count(site: Site, readers):
    first, second = site.article("demo-007"), site.article("demo-008")
    with site.platform.api() as api:
        title = api.get("/api/articles/demo-007").json()["title"]

    # A crawler's visit is reported like any other (headless Chromium says so in its agent).
    crawler = readers()
    view, answer = crawler.read(site.url + first)
    assert view["article_id"] == "demo-007" and answer == ONE

    # A reader opens the article, then reloads it twice: each load reports the same visitor.
    alice = readers(user_agent=READER_AGENT)
    view, answer = alice.read(site.url + first)
    assert re.fullmatch(r"[0-9a-f]{32}", view["visitor_id"]) and answer == ONE
    assert view == {"article_id": "demo-007", "visitor_id": alice.visitor_id()}
    for _ in range(2):
        assert alice.read(site.url + first) == (view, ONE)
    # Another reader, with a profile of her own, opens another article.
    bob = readers(user_agent=READER_AGENT)
    other, _ = bob.read(site.url + second)
    assert other["visitor_id"] != view["visitor_id"]

    # Once bob's view is counted, every earlier one is: alice counted once, the crawler never.
    counts = wait_for(lambda: (c := site.data("views")).get("demo-008") and c, 15)
    assert counts["demo-007"] == 1 and counts["demo-008"] == 1

    # Bob reads the first article too: two readers, two views, on the day's most-read list.
    bob.read(site.url + first)
    wait_for(lambda: site.data("views").get("demo-007") == 2, 15)

    def day() -> dict[str, tuple[str, int]]:
        ranked = site.data("popular").get("periods", {}).get("24h", [])
        return {i["id"]: (i["url"], i["views"]) for i in ranked}

    wait_for(lambda: day().get("demo-007") == (first, 2), 15)

    # What bob's browser shows on the article page: the count and the article among the most read.
    bob.read(site.url + first)
    bob.page.locator(".popular-list li").first.wait_for()
    assert bob.page.locator("[data-views]").inner_text() == "Просмотры: 2"
    assert title in bob.page.locator(".popular-list a").all_inner_texts()
    # The home page lists it too, and reports nothing: only article pages count.
    bob.page.goto(site.url + "/")
    bob.page.locator(".popular-list li").first.wait_for()
    assert title in bob.page.locator(".popular-list a").all_inner_texts()

    # One report per article page load, each a same-origin JSON POST.
    assert [len(r.reports) for r in (crawler, alice, bob)] == [1, 3, 3]
    sent = [r.all_headers() for x in (alice, bob) for r in x.reports]
    assert {tuple(h.get(name) for name in HEADERS) for h in sent} == {
        ("application/json", "cors", "same-origin")
    }


# How a reader asks for privacy in Chromium: Do Not Track is a setting of the profile,
# Global Privacy Control a browser feature (Chromium turns it on with this switch).
PRIVACY = {
    "do-not-track": ({"enable_do_not_track": True}, [], "dnt"),
    "global-privacy-control": ({}, ["--enable-features=GlobalPrivacyControlForce"], "sec-gpc"),
}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("setting", "article"), [("do-not-track", "demo-009"), ("global-privacy-control", "demo-012")]
)
def test_with_do_not_track_or_gpc_the_view_carries_no_visitor_id(
    site: Site, playwright: Playwright, tmp_path: Path, setting: str, article: str
):
    preferences, switches, header = PRIVACY[setting]
    profile = tmp_path / "profile"
    (profile / "Default").mkdir(parents=True)
    (profile / "Default" / "Preferences").write_text(json.dumps(preferences))
    context = playwright.chromium.launch_persistent_context(
        profile, executable_path=CHROMIUM, args=FLAGS + switches, user_agent=READER_AGENT
    )
    try:
        reader = Reader(context)
        url = site.url + site.article(article)
        with reader.page.expect_request(lambda r: r.url.endswith("/api/views")) as sent:
            reader.page.goto(url)
        # The browser sends its signal; the page's report names the article and nobody.
        assert sent.value.headers.get(header) == "1"
        assert sent.value.post_data_json == {"article_id": article}
        assert sent.value.response().json() == ONE
        assert reader.visitor_id() is None
        # Ingest counts an anonymous view (every one: nothing to tell repeats apart by).
        wait_for(lambda: site.data("views").get(article) == 1, 15)
        assert reader.problems == []
    finally:
        context.close()


@dataclass(frozen=True)
class Shot:
    """A page to screenshot: its path on the site, and what must be on screen first."""

    path: Callable[[Site], str]
    ready: tuple[str, ...] = ()


# Pages screenshotted at each width into test-artifacts/screenshots/<name>-<width>.png.
SHOTS = {
    "home": Shot(lambda site: "/", (".teaser-title a", ".popular-list li")),
    "article": Shot(lambda site: site.article("demo-001"), (".popular-list li", "[data-views]")),
    "article-uploaded-image": Shot(lambda site: site.article(PHOTO), (".article picture img",)),
}
WIDTHS = (390, 1280)
# Scrolls down the page as a reader would, so lazily loaded pictures load, and back up.
SCROLL_THROUGH = """async () => {
  const frame = () => new Promise((done) => requestAnimationFrame(() => setTimeout(done)));
  for (let y = 0; y < document.body.scrollHeight; y += innerHeight / 2) {
    scrollTo(0, y);
    await frame();
  }
  scrollTo(0, 0);
}"""
EVERY_IMAGE_SHOWN = "[...document.images].every((i) => i.complete && i.naturalWidth > 0)"


@pytest.mark.slow
@pytest.mark.parametrize("width", WIDTHS)
def test_screenshots(site: Site, readers, width: int):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    reader = readers(user_agent=READER_AGENT, viewport={"width": width, "height": 900})
    for name, shot in SHOTS.items():
        reader.page.goto(site.url + shot.path(site))
        for selector in shot.ready:
            reader.page.locator(selector).first.wait_for()
        reader.page.evaluate(SCROLL_THROUGH)
        reader.page.wait_for_function(EVERY_IMAGE_SHOWN)
        path = SCREENSHOTS / f"{name}-{width}.png"
        reader.page.screenshot(path=path, full_page=True)
        assert path.stat().st_size > 10_000
        # Nothing sticks out sideways, on a phone or on a desktop.
        assert reader.page.evaluate("document.documentElement.scrollWidth") <= width, name
