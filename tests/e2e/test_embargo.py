"""No embargo leaks: nothing a reader can fetch reveals a scheduled article, nor one that was
unpublished before its time.

Two articles wait for their time on the real platform (one of them is then withdrawn), with
names of their own (tag, author) and words found nowhere else; the scheduled one has an
uploaded lead image. A live article sharing their
section and a tag is published after them, so every list, feed, sitemap and data file that
would hold them is written after they were stored. Then each output is searched.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from services.render.search_index import BUNDLE
from shared.files import site_path
from shared.media import media_folder
from shared.settings import Settings
from shared.slugs import make_slug
from shared.urls import UrlScheme
from tests.support.images import picture
from tests.support.platform import Platform, wait_for
from tests.support.readers import BROWSER
from tests.support.search_files import index_texts, indexed_urls

LATER = timedelta(hours=1)


def article(name: str, slug: str, word: str, tag: str, author: str) -> dict[str, object]:
    """An article of the shared section and tag, with words of its own in every field."""
    return {
        "section": "Общество",
        "title": f"Новость {name}",
        "slug": slug,
        "summary": f"Лид {word}lead",
        "body_html": f"<p>Абзац {word}body.</p>",
        "tags": ["эмбарго", tag],
        "author": author,
    }


SCHEDULED = article(
    "Qorgan и Zhelbank", "embargo-slug-alpha", "vortex", "Sealedtag", "Hidden Scribe"
)
WITHDRAWN = article("Brindlecorp", "embargo-slug-beta", "marrow", "Pulledtag", "Pulled Writer")
LIVE = article("Sunlitpost", "sunlitpost", "open", "Открытая тема", "Дежурный редактор")
# What must never show, lowercased: ids, slugs, and words of titles, bodies, summaries, tags
# and bylines of the two hidden articles.
SECRETS = [
    "emb-later",
    "embargo-slug-alpha",
    "qorgan",
    "zhelbank",
    "vortexlead",
    "vortexbody",
    "sealedtag",
    "hidden scribe",
    "hidden-scribe",
    "emb-pulled",
    "embargo-slug-beta",
    "brindlecorp",
    "marrowlead",
    "marrowbody",
    "pulledtag",
    "pulled writer",
    "pulled-writer",
]
LIVE_MARK = "sunlitpost"
UNKNOWN_PATH = "/2026/11/25/no-such-article/"


def moment(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat(timespec="seconds")


def leaks(text: str) -> list[str]:
    """The secrets found in a text."""
    lowered = text.lower()
    return [s for s in SECRETS if s in lowered]


def public_files(root: Path) -> dict[str, str]:
    """Every file a reader can fetch from the public folder, by site path, as text (the search
    index, every build of it, unpacked)."""
    files = index_texts(root)
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and not any(p.startswith(".") for p in relative.parts):
            files.setdefault("/" + relative.as_posix(), path.read_text(errors="replace"))
    return files


def kind_of(site_file: str) -> str:
    """The output a file belongs to: page, feed, sitemap, data, static, index or other."""
    name = site_file.rsplit("/", 1)[1]
    if site_file.startswith(f"/{BUNDLE}/"):
        return "index"
    if site_file.startswith("/static/"):
        return "static"
    if site_file.startswith("/data/"):
        return "data"
    if site_file == "/sitemap.xml" or site_file.startswith("/sitemaps/"):
        return "sitemap"
    if name in ("rss.xml", "atom.xml", "feed.json"):
        return "feed"
    return "page" if name.endswith(".html") else "other"


def file_text(platform: Platform, url: str) -> str:
    """The text of a public file, '' while it is missing."""
    path = site_path(platform.public, url)
    return path.read_text() if path.is_file() else ""


@pytest.fixture(scope="module")
def hidden_image(platform: Platform) -> dict[str, object]:
    """The upload the scheduled article leads with (its id and URL)."""
    answer = platform.api().post(
        "/api/media", content=picture(1200, 800, "JPEG"), headers={"Content-Type": "image/jpeg"}
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


@pytest.fixture(scope="module")
def hidden_urls(platform: Platform, hidden_image: dict[str, object]) -> list[str]:
    """The URLs of the two hidden articles, once a live one is everywhere after them."""
    api = platform.api()
    lead = {"lead_image": {"media_id": hidden_image["id"]}}
    scheduled = api.put(
        "/api/articles/emb-later", json=SCHEDULED | lead | {"published_at": moment(LATER)}
    )
    withdrawn = api.put(
        "/api/articles/emb-pulled", json=WITHDRAWN | {"published_at": moment(LATER)}
    )
    assert (scheduled.status_code, withdrawn.status_code) == (201, 201)
    assert scheduled.json()["status"] == "scheduled"
    assert api.delete("/api/articles/emb-pulled").json()["status"] == "unpublished"
    live = api.put("/api/articles/sunlitpost-1", json=LIVE | {"published_at": moment(-LATER)})
    assert live.status_code == 201
    views = [
        {"article_id": i, "visitor_id": f"reader-{i}"}
        for i in ("emb-later", "emb-pulled", "sunlitpost-1")
    ]
    assert httpx.post(f"{platform.site_url}/api/views", json=views, headers=BROWSER).is_success

    # Everything that lists the live article was written after the hidden ones were stored.
    urls = UrlScheme.for_site(Settings())  # the platform's, with its default time zone
    tag = urls.tag_url(make_slug("эмбарго"))
    written_after = [
        live.json()["url"],
        "/",
        urls.section_url(make_slug("Общество")),
        tag,
        tag + "rss.xml",
        "/feeds/rss.xml",
        "/feeds/atom.xml",
        "/feeds/feed.json",
        "/sitemaps/news.xml",
        "/sitemaps/articles-1.xml",
        "/data/popular.json",
        "/data/views.json",
    ]
    for url in written_after:
        wait_for(lambda url=url: LIVE_MARK in file_text(platform, url), timeout=60)
    wait_for(lambda: live.json()["url"] in indexed_urls(platform.public), timeout=60)
    return [scheduled.json()["url"], withdrawn.json()["url"]]


@pytest.mark.parametrize("kind", ["page", "feed", "sitemap", "data", "index"])
@pytest.mark.usefixtures("hidden_urls")
def test_no_output_of_a_kind_shows_a_hidden_article(platform: Platform, kind: str):
    files = {
        url: text for url, text in public_files(platform.public).items() if kind_of(url) == kind
    }
    assert any(LIVE_MARK in text.lower() for text in files.values()), f"no {kind} written"
    assert {url: leaks(text) for url, text in files.items() if leaks(text)} == {}


@pytest.mark.usefixtures("hidden_urls")
def test_no_public_file_at_all_shows_a_hidden_article(platform: Platform):
    files = public_files(platform.public)
    assert {url: leaks(text) for url, text in files.items() if leaks(text)} == {}
    assert not any(leaks(url) for url in files), "a file is named after a hidden article"


@pytest.mark.usefixtures("hidden_urls")
def test_the_uploaded_image_of_a_scheduled_article_cannot_be_fetched(
    platform: Platform, hidden_image: dict[str, object]
):
    media_id = str(hidden_image["id"])
    assert (platform.media / media_folder(media_id) / "original.jpg").is_file()  # kept
    files = public_files(platform.public)
    assert not [url for url, text in files.items() if media_id in url or media_id in text]
    unknown = platform.get(UNKNOWN_PATH)
    for width in (480, 960, 1200):
        for ext in ("webp", "jpg"):
            answer = platform.get(f"/media/{media_folder(media_id)}/{width}.{ext}")
            assert (answer.status_code, answer.text) == (404, unknown.text)


def test_hidden_paths_answer_as_an_unknown_path_does(platform: Platform, hidden_urls: list[str]):
    unknown = platform.get(UNKNOWN_PATH)
    assert unknown.status_code == 404
    for url in hidden_urls:
        page = platform.get(url)
        assert (page.status_code, page.text) == (404, unknown.text)


def test_the_resolver_answers_hidden_paths_as_unknown_ones(
    platform: Platform, hidden_urls: list[str]
):
    with httpx.Client(base_url=platform.site_url, timeout=10) as reader:
        for path in [*hidden_urls, UNKNOWN_PATH]:
            redirect = reader.get("/api/resolve/redirect", params={"path": path})
            assert redirect.status_code == 404
            assert redirect.json() == {"error": f"nothing at {path}"}
            resolved = reader.get("/api/resolve", params={"path": path})
            assert resolved.json() == {"status": 404, "location": None}


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/articles/emb-later", {}),
        ("/api/articles/emb-pulled", {}),
        ("/api/articles", {}),
        ("/api/articles", {"section": "Общество", "tag": "Sealedtag"}),
        ("/api/openapi.json", {}),
        ("/api/docs", {}),
    ],
)
@pytest.mark.usefixtures("hidden_urls")
def test_the_api_tells_an_anonymous_reader_nothing(platform: Platform, path: str, params: dict):
    response = httpx.get(platform.site_url + path, params=params, timeout=10)
    assert response.status_code == 401
    assert response.json() == {"error": "missing or invalid bearer token"}


@pytest.mark.usefixtures("hidden_urls")
def test_a_view_of_a_hidden_article_is_answered_as_one_of_an_unknown_id(platform: Platform):
    def post(article_id: str) -> tuple[int, bytes]:
        view = {"article_id": article_id, "visitor_id": "curious"}
        url = f"{platform.site_url}/api/views"
        answer = httpx.post(url, json=view, headers=BROWSER, timeout=10)
        return answer.status_code, answer.content

    unknown = post("never-stored")
    assert post("emb-later") == unknown
    assert post("emb-pulled") == unknown


@pytest.mark.usefixtures("hidden_urls")
def test_a_full_rebuild_writes_nothing_of_them_either(platform: Platform):
    platform.rebuild()
    files = public_files(platform.public)
    assert LIVE_MARK in files["/index.html"].lower()
    assert {url: leaks(text) for url, text in files.items() if leaks(text)} == {}
    assert not any(url.startswith("/media/") for url in files)
