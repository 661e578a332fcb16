"""Each service's /metrics is scraped before and after traffic: the counters move."""

import json
import signal

import httpx
from prometheus_client.parser import text_string_to_metric_families

from newsroom.ports import free_port
from newsroom.probe import probe
from shared.keyspace import Layout
from tests.support.listeners import listening
from tests.support.platform import Platform, wait_for
from tests.support.readers import BROWSER
from tests.support.timing import scaled

ARTICLE = {
    "title": "Метрики двигаются",
    "author": "Дина Омарова",
    "section": "Экономика",
    "published_at": "2026-11-20T09:00:00+05:00",
    "body_html": "<p>Текст</p>",
}


def scrape(url: str) -> dict[tuple[str, frozenset], float]:
    """Every sample of a /metrics page, keyed by name and labels."""
    text = httpx.get(f"{url}/metrics", timeout=scaled(5)).text
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    """Sum of the samples of `name` whose labels include `labels`."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= ls)


def test_counters_move_after_traffic(platform: Platform):
    render, feeds = platform.metrics_url("render-0"), platform.metrics_url("feeds-0")
    ingest = f"http://127.0.0.1:{platform.ingest_port}"

    # Every service answers its health and readiness probes.
    for base in (render, feeds):
        assert httpx.get(f"{base}/health").json() == {"status": "ok"}
        assert httpx.get(f"{base}/ready").json() == {"status": "ready"}
    before = {name: scrape(url) for name, url in [("render", render), ("feeds", feeds)]}
    ingest_before = scrape(ingest)

    # An article is published and read twice.
    api = platform.api()
    created = api.put("/api/articles/metrics-1", json=ARTICLE)
    assert created.status_code == 201
    url = created.json()["url"]
    wait_for(lambda: platform.get(url).status_code == 200, timeout=5)
    views = [{"article_id": "metrics-1"}] * 2
    assert api.post("/api/views", json=views, headers=BROWSER).status_code == 202

    def moved(name: str, service: str, event: str, by: float) -> bool:
        after = scrape(render if service == "render" else feeds)
        labels = {"service": service, "event_type": event}
        return value(after, name, **labels) - value(before[service], name, **labels) >= by

    # Render counts the event and the pages it wrote; feeds the event, the views and the feeds.
    wait_for(lambda: moved("newsroom_events_handled_total", "render", "ArticlePublished", 1))
    wait_for(lambda: moved("newsroom_events_handled_total", "feeds", "ArticlePublished", 1))
    wait_for(lambda: moved("newsroom_events_handled_total", "feeds", "ArticleViewed", 2))
    render_after, feeds_after = scrape(render), scrape(feeds)
    assert value(render_after, "newsroom_files_written_total", kind="html") > value(
        before["render"], "newsroom_files_written_total", kind="html"
    )
    assert value(feeds_after, "newsroom_files_written_total", kind="xml") > value(
        before["feeds"], "newsroom_files_written_total", kind="xml"
    )

    # FastStream's middleware times each handled message, by stream and event type.
    histogram = "faststream_received_processed_messages_duration_seconds_count"
    assert value(render_after, histogram, event_type="ArticlePublished") >= 1

    # Lag and pending of the consumer groups are exported, and settle at zero.
    wait_for(lambda: value(scrape(render), "newsroom_consumer_pending", group="render") == 0)
    stream = Layout().views_stream(Layout().partition_of("metrics-1"))
    views_lag = {"stream": stream, "group": "feeds"}
    wait_for(lambda: ("newsroom_consumer_lag", frozenset(views_lag.items())) in scrape(feeds))
    wait_for(lambda: value(scrape(feeds), "newsroom_consumer_lag", **views_lag) == 0)

    # Ingest counts its requests by route and status, every worker's: whichever of its
    # worker processes answers a scrape (NEWSROOM_INGEST_WORKERS), it counts the one PUT.
    route = {"method": "PUT", "route": "/api/articles/{article_id}", "status": "201"}
    expected = value(ingest_before, "newsroom_http_requests_total", **route) + 1
    for _ in range(6):
        assert value(scrape(ingest), "newsroom_http_requests_total", **route) == expected


def test_logs_are_json_with_the_event_on_every_line(platform: Platform):
    api = platform.api()
    assert api.put("/api/articles/logs-1", json=ARTICLE | {"title": "Логи"}).status_code == 201
    log = platform.logs / "render-0.log"

    def lines_about_the_article() -> list[dict]:
        lines = [json.loads(x) for x in log.read_text().splitlines() if x.startswith("{")]
        return [x for x in lines if x.get("article_id") == "logs-1"]

    # FastStream's own "Received"/"Processed" lines and the renderer's line all name the event.
    about = wait_for(lambda: (ls := lines_about_the_article()) and len(ls) >= 3 and ls, 5)
    assert {x["logger"] for x in about} >= {"faststream.access.redis"}
    assert len({x["event_id"] for x in about}) == 1
    assert all(x["event_type"] == "ArticlePublished" for x in about)

    # Ingest writes one line per request, with method, path, status and duration.
    ingest_lines = [
        json.loads(x)
        for x in (platform.logs / "ingest-0.log").read_text().splitlines()
        if x.startswith("{")
    ]
    puts = [x for x in ingest_lines if x.get("path") == "/api/articles/logs-1"]
    assert len(puts) == 1 and puts[0]["method"] == "PUT" and puts[0]["status"] == 201
    assert puts[0]["ms"] >= 0

    # Page views are counted, not logged one by one; a refused report is logged.
    assert platform.post_views([{"article_id": "logs-1"}]).status_code == 202
    refused = httpx.post(
        f"http://127.0.0.1:{platform.ingest_port}/api/views",
        content=b'{"article_id": "logs-1"}',
        headers={"Content-Type": "text/plain"},
    )
    assert refused.status_code == 415

    def views_statuses() -> set[int]:
        lines = (platform.logs / "ingest-0.log").read_text().splitlines()
        found = (json.loads(x) for x in lines if x.startswith("{"))
        return {x["status"] for x in found if x.get("path") == "/api/views"}

    assert wait_for(lambda: 415 in (statuses := views_statuses()) and statuses, 5) == {415}


def test_the_container_probe_follows_readiness(platform: Platform):
    assert probe(f"http://127.0.0.1:{platform.ingest_port}/api/ready")
    assert probe(f"{platform.metrics_url('render-0')}/ready")
    assert not probe(f"http://127.0.0.1:{free_port()}/ready", timeout=scaled(1))


def test_every_port_listens_on_loopback_unless_a_setting_says_otherwise(platform: Platform):
    # Each process of the platform listens on 127.0.0.1 only: ingest, the site server, and
    # the health and metrics servers of render and feeds.
    expected = {
        "ingest-0": platform.ingest_port,
        "site-0": platform.site_port,
        "render-0": platform.metrics_ports["render-0"],
        "feeds-0": platform.metrics_ports["feeds-0"],
    }
    for key, port in expected.items():
        pid = platform.processes[key].pid
        assert wait_for(lambda pid=pid: listening(pid), 30) == {("127.0.0.1", port)}, key

    # NEWSROOM_METRICS_HOST opens a consumer's server to every address (compose sets it).
    platform.env["NEWSROOM_METRICS_HOST"] = "0.0.0.0"
    try:
        render = platform.start("render", replica=1)
    finally:
        del platform.env["NEWSROOM_METRICS_HOST"]
    try:
        port = platform.metrics_ports["render-1"]
        assert wait_for(lambda: listening(render.pid), 30) == {("0.0.0.0", port)}
        assert httpx.get(f"http://127.0.0.1:{port}/health").json() == {"status": "ok"}
    finally:
        platform.kill("render-1", signal.SIGTERM)
