"""Hostile input through the real API and services: clear 4xx errors, nothing written outside
the public folder, no executable script in any page, slow clients blocking nobody."""

import json
import socket
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import quote

import httpx
import pytest
import redis

from shared.keyspace import Layout
from shared.topology import topology
from tests.reliability.platforms import platform_with
from tests.support.platform import Platform, wait_for
from tests.support.threads import Worker, finish
from tests.support.timing import scaled

BODY_TIMEOUT_S = 2

# Hostile values, each with the one status PUT, GET and DELETE get with it as the article id in
# the URL: 404 where the decoded id holds a "/" (no route has that many segments), 422 where it
# breaks the id pattern; ".." is resolved by the client to /api, a site path outside the API,
# where the site server answers PUT and DELETE with 405, GET with 404.
NO_ROUTE, BAD_ID = (404, 404, 404), (422, 422, 422)
TRAVERSAL = {
    "..": (405, 404, 405),
    "../../etc/passwd": NO_ROUTE,
    "..\\..\\windows\\win.ini": BAD_ID,
    "%2e%2e%2f%2e%2e%2fescape": BAD_ID,
    "%252e%252e%252fescape": BAD_ID,
    "a/../../b": NO_ROUTE,
    "x\x00y": BAD_ID,
    "/etc/passwd": NO_ROUTE,
    "....//....//escape": NO_ROUTE,
    "..%c0%af..%c0%afescape": BAD_ID,
    "\u2025/\u2025/escape": NO_ROUTE,
    "~/.ssh/authorized_keys": NO_ROUTE,
    "a" * 5000: BAD_ID,
    "../" * 300: NO_ROUTE,
}
XSS = {
    "<script>alert(1)</script>": NO_ROUTE,
    "<img src=x onerror=alert(1)>": BAD_ID,
    '"><svg onload=alert(1)>': BAD_ID,
    "javascript:alert(1)": BAD_ID,
    '<a href="javascript:alert(1)">x</a>': NO_ROUTE,
    "<iframe src=//evil.example></iframe>": NO_ROUTE,
    "</title><script>alert(1)</script>": NO_ROUTE,
    "{{ 7*7 }}{% raw %}": BAD_ID,
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>": BAD_ID,
    "<body onload=alert(1)>": BAD_ID,
    '<object data="javascript:alert(1)"></object>': NO_ROUTE,
    "<a href='data:text/html,<script>alert(1)</script>'>x</a>": NO_ROUTE,
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "xlink:href"}


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    env = {"NEWSROOM_BODY_TIMEOUT_S": str(BODY_TIMEOUT_S)}
    with platform_with(tmp_path_factory.mktemp("hostile"), env) as running:
        yield running


def article(value: str, n: int) -> dict:
    return {
        "title": f"Заголовок {n} {value}"[:300],
        "summary": value[:2000],
        "body_html": f"<p>{value}</p>" + "".join(XSS),
        "authors": [{"name": value[:200] or "x"}],
        "section": value[:100] or "x",
        "tags": [value[:100], f"{value[:50]}/{n}"],
        "published_at": "2026-11-25T10:00:00+05:00",
        "lead_image": {"url": "/static/demo/city.svg", "caption": value[:1000]},
    }


class PageScan(HTMLParser):
    """Collects what could run in a browser: scripts, handlers, script URLs, frames."""

    def __init__(self) -> None:
        super().__init__()
        self.script_sources: list[str | None] = []
        self.dangers: list[str] = []
        self.in_script = False
        self.in_data_block = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and values.get("type") == "application/ld+json":
            self.in_data_block = True  # structured data: browsers never execute it
        elif tag == "script":
            self.script_sources.append(values.get("src"))
            self.in_script = True
        if tag in {"iframe", "object", "embed", "frame", "base"}:
            self.dangers.append(f"<{tag}>")
        for name, value in attrs:
            url = (value or "").strip().lower()
            script_url = name in URL_ATTRIBUTES and url.startswith(("javascript:", "data:"))
            if name.startswith("on") or script_url:
                self.dangers.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = self.in_data_block = False

    def handle_data(self, data: str) -> None:
        if self.in_data_block:
            try:
                json.loads(data)  # a payload that broke out of the block would not parse
            except ValueError:
                self.dangers.append(f"broken JSON-LD block {data[:40]!r}")
        if self.in_script and data.strip():
            self.dangers.append(f"inline script {data[:40]!r}")


def settled(platform: Platform) -> bool:
    """Every group has read and acked everything in its streams."""
    with redis.Redis.from_url(platform.redis_url, decode_responses=True) as client:
        for stream in topology(Layout()):
            if not client.exists(stream.name):
                continue
            for group in client.xinfo_groups(stream.name):
                if group["pending"] or group["lag"]:
                    return False
    return True


def test_hostile_ids_fields_and_bodies_get_clear_errors_and_stay_inside(platform: Platform):
    api = platform.api()
    statuses: dict[int, int] = {}

    # Hostile article ids in the URL get their one 4xx status, with a JSON error.
    for value, expected in (TRAVERSAL | XSS).items():
        for method, status in zip(("PUT", "GET", "DELETE"), expected, strict=True):
            response = api.request(
                method, "/api/articles/" + quote(value, safe=""), json=article("x", 0)
            )
            assert response.status_code == status, (value, method, response.text)
            assert value == ".." or response.json()["error"]  # the API's errors are JSON
            statuses[status] = statuses.get(status, 0) + 1

    # Hostile sections, tags, authors, titles and bodies are accepted and cleaned (201); as a
    # slug or an author's slug the same value is refused with a 422 naming that field.
    accepted = []
    for n, value in enumerate(TRAVERSAL | XSS):
        created = api.put(f"/api/articles/hostile-{n}", json=article(value, n))
        assert created.status_code == 201, (value, created.text)
        accepted.append(created.json()["url"])
        for extra, field in (
            ({"slug": value}, "slug"),
            ({"authors": [{"name": "Автор", "slug": value}]}, "authors.0.slug"),
        ):
            refused = api.put(f"/api/articles/hostile-{n}", json=article(value, n) | extra)
            assert refused.status_code == 422, (value, refused.text)
            assert [f["field"] for f in refused.json()["fields"]] == [field]
        statuses[201] = statuses.get(201, 0) + 1
        statuses[422] = statuses.get(422, 0) + 2

    # An oversized body is refused before it is read.
    huge = article("x", 0) | {"body_html": "<p>" + "я" * 2_000_000 + "</p>"}
    response = api.put("/api/articles/huge", json=huge)
    assert response.status_code == 413 and "error" in response.json()

    # Once render and feeds are done, every file is inside the public folder...
    wait_for(lambda: settled(platform), timeout=30)
    root = platform.public.resolve()
    files = [p for p in root.rglob("*") if p.is_file() or p.is_symlink()]
    assert all(p.resolve().is_relative_to(root) for p in files)
    assert sorted(p.name for p in platform.public.parent.iterdir()) == ["logs", "public", "redis"]

    # ...each accepted article has its page, and no page carries anything executable
    # beyond the site's own script files.
    assert accepted and all((root / u.strip("/") / "index.html").exists() for u in accepted)
    pages = [p for p in files if p.suffix == ".html"]
    for page in pages:
        scan = PageScan()
        scan.feed(page.read_text())
        assert scan.dangers == [], page
        assert all(src and src.startswith("/static/") for src in scan.script_sources), page
    print(
        f"\nhostile input: {sum(statuses.values())} requests ({statuses}); "
        f"{len(files)} files inside the public folder, {len(pages)} pages without scripts"
    )


def trickle(port: int, token: str, trickling: list[int], results: list[str]) -> None:
    """PUT announcing 1,000 bytes, send five of them a fifth of a second apart, then stall;
    record the start of the body in `trickling` and the answer in `results`."""
    with socket.create_connection(("127.0.0.1", port), timeout=scaled(BODY_TIMEOUT_S + 10)) as sock:
        sock.sendall(
            b"PUT /api/articles/slow-1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Authorization: Bearer {token}\r\nContent-Length: 1000\r\n\r\n".encode()
        )
        for n in range(5):
            sock.sendall(b" ")
            if n == 0:
                trickling.append(port)
            time.sleep(0.2)
        reply = b""
        while chunk := sock.recv(4096):  # the answer ends with the connection
            reply += chunk
        results.append(reply.decode(errors="replace"))


def test_slow_clients_get_408_and_block_nobody(platform: Platform):
    # Twenty clients start sending their bodies to ingest a byte at a time, then stall.
    ingest = f"http://127.0.0.1:{platform.ingest_port}"
    trickling: list[int] = []
    results: list[str] = []
    slow = [
        Worker(trickle, platform.ingest_port, platform.token, trickling, results) for _ in range(20)
    ]
    for thread in slow:
        thread.start()
    wait_for(lambda: len(trickling) == 20, timeout=5)

    # Meanwhile other clients are served at once.
    auth = {"Authorization": f"Bearer {platform.token}"}
    with httpx.Client(base_url=ingest, headers=auth, timeout=scaled(2)) as client:
        for _ in range(5):
            started = time.monotonic()
            assert client.get("/api/health").status_code == 200
            assert client.get("/api/articles/none").status_code == 404
            assert time.monotonic() - started < scaled(1)

    # Each slow client gets a 408 with a JSON reason once the body deadline passes.
    finish(slow, BODY_TIMEOUT_S + 10)
    assert len(results) == 20
    assert all(r.startswith("HTTP/1.1 408") and '"error"' in r for r in results), results[0]


def test_an_idle_keep_alive_connection_is_closed_by_the_server(platform: Platform):
    # uvicorn's timeout_keep_alive (5 s) closes a connection left idle after a response.
    with socket.create_connection(("127.0.0.1", platform.ingest_port), timeout=scaled(15)) as sock:
        sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
        reply = b""
        while not reply.endswith(b'{"status":"ok"}'):
            chunk = sock.recv(4096)
            assert chunk, reply  # closed before the whole answer
            reply += chunk
        assert reply.startswith(b"HTTP/1.1 200")
        started = time.monotonic()
        assert sock.recv(4096) == b""
        assert time.monotonic() - started < scaled(10)
