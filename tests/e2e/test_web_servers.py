"""The shipped nginx configuration, run in front of the real platform, and the local site
server that stands in for it: pages, caching, compression, security headers, and 301/410/404
for moved, unpublished and unknown URLs."""

import http.client
import json
from collections.abc import Iterator

import httpx
import pytest

from shared.files import revision_file, site_path
from shared.settings import Settings
from tests.support.images import noise
from tests.support.nginx import Nginx
from tests.support.platform import Platform, wait_for
from tests.support.readers import BROWSER
from tests.support.timing import scaled

ARTICLE = {
    "title": "Новый мост через Ишим",
    "author": "Ержан Беков",
    "section": "Город",
    "tags": ["транспорт"],
    "published_at": "2026-11-24T12:00:00+05:00",
    "summary": "Мост откроют весной.",
    "body_html": "<p>" + "Строители закончили пролёт. " * 40 + "</p>",
}


@pytest.fixture(scope="module")
def nginx(platform: Platform, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nginx]:
    """nginx with the repository's configuration in front of the platform's folder and ingest."""
    server = Nginx(
        tmp_path_factory.mktemp("nginx"), platform.public, f"127.0.0.1:{platform.ingest_port}"
    )
    checked = server.check()
    assert checked.returncode == 0, checked.stderr
    server.start()
    yield server
    server.stop()


ERROR_TITLES = {404: "Страница не найдена", 410: "Материал снят с публикации"}


@pytest.fixture(scope="module")
def error_pages(platform: Platform) -> dict[int, str]:
    """The site's own 404 and 410 pages, as render writes them when it starts."""
    pages = {
        status: wait_for(lambda s=status: (platform.public / f"{s}.html").read_text(), 30)
        for status in ERROR_TITLES
    }
    for status, title in ERROR_TITLES.items():
        assert f"<h1>{title}</h1>" in pages[status] and "/static/site.css" in pages[status]
    return pages


def test_nginx_accepts_the_shipped_configuration(nginx: Nginx):
    result = nginx.check()
    assert result.returncode == 0
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr


def test_nginx_serves_pages_compressed_cached_and_with_security_headers(
    platform: Platform, nginx: Nginx
):
    client = httpx.Client(base_url=nginx.url)
    editorial = httpx.Client(
        base_url=nginx.editorial_url, headers={"Authorization": f"Bearer {platform.token}"}
    )

    # The article is published through nginx's editorial listener.
    created = editorial.put("/api/articles/nginx-1", json=ARTICLE)
    assert created.status_code == 201
    url = created.json()["url"]

    # nginx serves its page, gzipped, with a short cache and the security headers.
    page = wait_for(lambda: (r := client.get(url)).status_code == 200 and r, 5)
    assert "Новый мост через Ишим" in page.text
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["content-encoding"] == "gzip"
    assert page.headers["cache-control"] == "max-age=60"
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self' 'wasm-unsafe-eval'" in csp
    assert "frame-ancestors 'none'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "strict-origin-when-cross-origin"

    # A reader's cache revalidates: same ETag or not modified since → 304, no body.
    etag, modified = page.headers["etag"], page.headers["last-modified"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304

    # Theme files are cached for a month; the view counts feeds writes are always revalidated.
    css = client.get("/static/site.css")
    assert css.status_code == 200 and css.headers["cache-control"] == "max-age=2592000"
    view = client.post("/api/views", json={"article_id": "nginx-1"}, headers=BROWSER)
    assert view.status_code == 202
    # (feeds refreshes the counts every NEWSROOM_POPULAR_INTERVAL seconds while views arrive)
    views = wait_for(
        lambda: (
            (r := client.get("/data/views.json")).status_code == 200 and "nginx-1" in r.json() and r
        ),
        30,
        0.2,
    )
    assert views.headers["cache-control"] == "no-cache"
    assert views.json()["nginx-1"] >= 1

    # The feeds are served as XML with a five-minute cache.
    rss = wait_for(lambda: (r := client.get("/feeds/rss.xml")).status_code == 200 and r, 5)
    assert rss.headers["cache-control"] == "max-age=300"
    assert rss.headers["content-encoding"] == "gzip"

    # The search index (each month's current build named in shards.json) is served and
    # revalidated.
    shards = wait_for(lambda: (r := client.get("/pagefind/shards.json")).is_success and r, 60)
    assert shards.headers["cache-control"] == "no-cache"
    newest = shards.json()["shards"][0]["path"]
    assert client.get(f"{newest}pagefind.js").status_code == 200


@pytest.mark.parametrize("server", ["nginx", "siteserver"])
def test_missing_files_answer_301_410_or_404(
    platform: Platform, nginx: Nginx, error_pages: dict[int, str], server: str
):
    base = nginx.url if server == "nginx" else platform.site_url
    api = platform.api()
    article_id = f"moving-{server}"

    # An article is published, then given a new slug: its old URL moves.
    first = api.put(f"/api/articles/{article_id}", json=ARTICLE | {"title": f"Мост {server}"})
    old_url = first.json()["url"]
    moved = api.put(
        f"/api/articles/{article_id}", json=ARTICLE | {"title": "Мост", "slug": f"bridge-{server}"}
    )
    new_url = moved.json()["url"]
    assert new_url != old_url
    wait_for(lambda: httpx.get(base + new_url).status_code == 200, 5)
    wait_for(lambda: httpx.get(base + old_url).status_code != 200, 5)

    # The old URL answers 301 with the new one.
    redirect = httpx.get(base + old_url)
    assert redirect.status_code == 301
    assert redirect.headers["location"] == new_url

    # Once unpublished, the URL answers 410 with the site's "gone" page.
    assert api.delete(f"/api/articles/{article_id}").status_code == 200
    gone = wait_for(lambda: (r := httpx.get(base + new_url)).status_code == 410 and r, 5)
    assert gone.text == error_pages[410]
    assert httpx.get(base + old_url).status_code == 410

    # A path nothing was ever published at answers 404 with the site's "not found" page.
    missing = httpx.get(base + "/2020/01/01/nothing-here/")
    assert missing.status_code == 404
    assert missing.text == error_pages[404]
    if server == "nginx":
        assert missing.headers["x-content-type-options"] == "nosniff"

    # The writers' bookkeeping next to the pages (revision sidecars) is never served.
    sidecar = revision_file(platform.public, site_path(platform.public, new_url))
    assert sidecar.is_file()
    hidden = sidecar.relative_to(platform.public.resolve())
    assert httpx.get(f"{base}/{hidden}").status_code == 404


def test_a_missing_file_is_404_while_ingest_is_away(
    platform: Platform, nginx: Nginx, error_pages: dict[int, str]
):
    platform.kill("ingest-0")
    try:
        for base in (nginx.url, platform.site_url):
            missing = httpx.get(base + "/2020/01/01/while-away/")
            assert missing.status_code == 404
            assert missing.text == error_pages[404]
    finally:
        platform.start("ingest")
        wait_for(lambda: httpx.get(f"{platform.site_url}/api/ready").status_code == 200, 30)


def test_api_limits_hold_behind_nginx(platform: Platform, nginx: Nginx):
    # A body over ingest's limit gets ingest's own JSON 413 through nginx.
    big = {"article_id": "a1", "padding": "x" * 2_500_000}
    refused = httpx.post(f"{nginx.url}/api/views", json=big, timeout=scaled(30))
    assert refused.status_code == 413
    assert "request body over" in refused.json()["error"]

    # A client cannot dodge the views rate limit by inventing X-Forwarded-For addresses:
    # ingest, trusting the proxy, is restarted with a limit of two reports per address.
    platform.kill("ingest-0")
    limits = {"NEWSROOM_VIEWS_RATE_LIMIT": "2", "NEWSROOM_TRUSTED_PROXIES": "*"}
    platform.env.update(limits)
    try:
        platform.start("ingest")
        wait_for(lambda: httpx.get(f"{nginx.editorial_url}/api/ready").status_code == 200, 30)
        statuses = [
            httpx.post(
                f"{nginx.url}/api/views",
                json={"article_id": "a1"},
                headers={"X-Forwarded-For": f"203.0.113.{n}"},
            ).status_code
            for n in range(4)
        ]
        # (Views this module sent earlier from the same address may already count.)
        assert statuses[2:] == [429, 429]
    finally:
        platform.kill("ingest-0")
        for name in limits:
            del platform.env[name]
        platform.start("ingest")
        wait_for(lambda: httpx.get(f"{nginx.editorial_url}/api/ready").status_code == 200, 30)


def raw_request(
    base: str, method: str, target: str, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    """Status and body of a request whose target is sent exactly as written (no client
    normalising `..`, `//` or escapes)."""
    url = httpx.URL(base)
    connection = http.client.HTTPConnection(url.host, url.port, timeout=10)
    try:
        connection.request(method, target, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


# Editorial calls, and spellings of them a reader might try on the public port.
EDITORIAL_CALLS = [
    ("GET", "/api/articles"),
    ("GET", "/api/articles?section=gorod&tag=transport"),
    ("GET", "/api/articles/nginx-exposed"),
    ("PUT", "/api/articles/nginx-exposed"),
    ("DELETE", "/api/articles/nginx-exposed"),
    ("GET", "/api/resolve?path=/"),
    ("GET", "/api/docs"),
    ("GET", "/api/openapi.json"),
    ("GET", "/api/ready"),
    ("POST", "/api/media"),
    ("GET", "/api/%61rticles"),
    ("GET", "/api//articles"),
    ("GET", "/api/views/../articles"),
    ("GET", "/api/health/..%2Farticles"),
]


@pytest.mark.parametrize(("method", "target"), EDITORIAL_CALLS)
def test_the_public_port_answers_editorial_calls_404_in_json(
    platform: Platform, nginx: Nginx, method: str, target: str
):
    auth = {"Authorization": f"Bearer {platform.token}", "Content-Type": "application/json"}
    status, body = raw_request(nginx.url, method, target, auth)
    assert (status, json.loads(body)) == (404, {"error": "not found"})


def test_the_editorial_listener_serves_the_api_and_the_public_port_what_pages_need(
    platform: Platform, nginx: Nginx
):
    editorial = httpx.Client(
        base_url=nginx.editorial_url, headers={"Authorization": f"Bearer {platform.token}"}
    )
    body = ARTICLE | {"title": "Редакционный вход"}
    created = editorial.put("/api/articles/nginx-exposed", json=body)
    assert created.status_code == 201
    listed = editorial.get("/api/articles", params={"section": "Город", "tag": "транспорт"})
    assert "nginx-exposed" in [a["id"] for a in listed.json()["items"]]
    assert editorial.get("/api/articles/nginx-exposed").json()["title"] == "Редакционный вход"
    assert editorial.get("/api/openapi.json").status_code == 200
    assert editorial.get("/api/ready").json() == {"status": "ready"}

    # The public port passes what the site's pages call: views, health, the resolver.
    view = httpx.post(
        f"{nginx.url}/api/views", json={"article_id": "nginx-exposed"}, headers=BROWSER
    )
    assert view.status_code == 202
    assert httpx.get(f"{nginx.url}/api/health").status_code == 200
    moved = httpx.get(f"{nginx.url}/api/resolve/redirect", params={"path": "/nowhere/"})
    assert (moved.status_code, moved.json()) == (404, {"error": "nothing at /nowhere/"})
    # nginx passes its own path, not the client's spelling: this one is GET /api/views.
    status, _ = raw_request(nginx.url, "GET", "/api/articles/x%2F..%2F..%2Fviews")
    assert status == 405

    # The editorial listener serves nothing but the API.
    page = httpx.get(nginx.editorial_url + created.json()["url"])
    assert (page.status_code, page.json()) == (404, {"error": "not found"})
    assert editorial.delete("/api/articles/nginx-exposed").status_code == 200


def test_the_editorial_listener_takes_uploads_up_to_their_own_limit(
    platform: Platform, nginx: Nginx
):
    auth = {"Authorization": f"Bearer {platform.token}", "Content-Type": "image/png"}
    image = noise(1000, 1000)  # over the API's 2 MB, under the 20 MB of uploads
    assert len(image) > Settings().max_body_bytes
    url = f"{nginx.editorial_url}/api/media"
    taken = httpx.post(url, content=image, headers=auth, timeout=scaled(30))
    assert taken.status_code == 201, taken.text
    assert (taken.json()["width"], taken.json()["height"]) == (1000, 1000)
    limit = Settings().media_max_bytes
    big = b"\x89PNG" + b"\x00" * limit
    refused = httpx.post(url, content=big, headers=auth, timeout=scaled(30))
    assert (refused.status_code, refused.json()) == (
        413,
        {"error": f"request body over {limit} bytes"},
    )


# Paths with characters that would end the resolver's query value (`&`), start another (`?`),
# end the request line (CR LF) or a C string (NUL), and what nginx answers for each.
HOSTILE_PATHS = [
    ("/nothing%26path={old}", 404),
    ("{old}%26path={old}", 404),
    ("/nothing%3Fpath={old}", 404),
    ("{old}%3F", 404),
    ("/nothing%0D%0AX-Injected:%20yes", 404),
    ("{old}%0D%0AHost:%20evil.example", 404),
    ("/nothing%00{old}", 400),
    ("{old}%00", 400),
]


@pytest.fixture(scope="module")
def old_url(platform: Platform, nginx: Nginx) -> str:
    """The old URL of an article given a new slug: one the resolver answers 301 for."""
    api = platform.api()
    first = api.put("/api/articles/nginx-hostile", json=ARTICLE | {"title": "Враждебные пути"})
    api.put("/api/articles/nginx-hostile", json=ARTICLE | {"slug": "hostile"})
    url = first.json()["url"]
    wait_for(lambda: raw_request(nginx.url, "GET", url)[0] == 301, 5)
    return url


@pytest.mark.parametrize(("template", "expected"), HOSTILE_PATHS)
def test_nginx_asks_the_resolver_only_about_paths_that_need_no_escaping(
    nginx: Nginx, error_pages: dict[int, str], old_url: str, template: str, expected: int
):
    status, body = raw_request(nginx.url, "GET", template.format(old=old_url))
    assert status == expected
    if expected == 404:
        assert body.decode() == error_pages[404]
