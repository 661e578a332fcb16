"""Page views in-process against a real Redis: what reaches the stream, what is dropped, the
rate limit counted in views, and the media type and size views may come in."""

import json
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from services.ingest.app import create_app
from shared.clock import utcnow
from shared.keyspace import Layout
from shared.settings import Settings
from tests.support.readers import BROWSER
from tests.support.samples import TOKENS, article_in

GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def make_client(redis_url, **settings) -> TestClient:
    config = {"REDIS_URL": redis_url, "api_tokens": TOKENS, "views_batch_max": 5} | settings
    return TestClient(create_app(Settings(**config)))


def publish(client: TestClient, *ids: str) -> None:
    for article_id in ids:
        client.portal.call(client.app.state.store.save, article_id, article_in())


@pytest.fixture
def client(redis_url):
    with make_client(redis_url) as test_client:
        publish(test_client, "a1", "a2", "a3")
        yield test_client


def views(client) -> list[dict]:
    """Every view appended, in order within an article (the partitions' streams merged)."""
    redis = client.app.state.redis
    entries = [
        entry
        for stream in Layout().views_streams()
        for entry in client.portal.call(redis.xrange, stream)
    ]
    return [json.loads(fields[b"__data__"]) for _, fields in sorted(entries, key=_entry_id)]


def _entry_id(entry: tuple[bytes, dict]) -> tuple[int, int]:
    ms, seq = entry[0].decode().split("-")
    return int(ms), int(seq)


def redis_keys(client) -> list[str]:
    return sorted(k.decode() for k in client.portal.call(client.app.state.redis.keys, "*"))


def test_one_view_or_a_batch_is_appended_to_the_views_stream(client):
    opened = (utcnow() - timedelta(minutes=2)).isoformat()
    one = client.post("/api/views", json={"article_id": "a1", "visitor_id": "v1"}, headers=BROWSER)
    batch = client.post(
        "/api/views", json=[{"article_id": "a2"}, {"article_id": "a3", "ts": opened}]
    )

    assert (one.status_code, one.json()) == (202, {"accepted": 1, "dropped": 0})
    assert (batch.status_code, batch.json()) == (202, {"accepted": 2, "dropped": 0})
    stored = sorted(views(client), key=lambda v: v["article_id"])
    assert [(v["type"], v["article_id"], v["bot"]) for v in stored] == [
        ("ArticleViewed", "a1", False),
        ("ArticleViewed", "a2", False),
        ("ArticleViewed", "a3", False),
    ]
    assert stored[0]["visitor_id"] == "v1"
    assert datetime.fromisoformat(stored[2]["occurred_at"]) == datetime.fromisoformat(opened)


def test_views_of_anything_but_a_published_article_are_dropped_one_by_one(client):
    client.portal.call(
        client.app.state.store.save, "later", article_in(published_at="2099-01-01T00:00:00Z")
    )
    publish(client, "gone")
    client.portal.call(client.app.state.store.unpublish, "gone")
    keys_before = redis_keys(client)

    answer = client.post(
        "/api/views",
        json=[{"article_id": i, "visitor_id": "v1"} for i in ("later", "gone", "made-up", "a1")],
    )

    assert (answer.status_code, answer.json()) == (202, {"accepted": 1, "dropped": 3})
    assert [v["article_id"] for v in views(client)] == ["a1"]
    # The keys the views added: the stream (trimmed once read) and the expiring rate counter.
    counter = "newsroom:ratelimit:views:testclient"
    a1_stream = Layout().views_stream(Layout().partition_of("a1"))
    assert sorted(set(redis_keys(client)) - set(keys_before)) == [counter, a1_stream]
    assert client.portal.call(client.app.state.redis.ttl, counter) > 0


def test_views_dated_outside_the_window_around_now_are_dropped(redis_url):
    with make_client(redis_url, views_ts_window_s=600) as client:
        publish(client, "a1")
        now = utcnow()
        dates = [now - timedelta(minutes=11), now - timedelta(minutes=9)]
        dates += [now + timedelta(minutes=9), now + timedelta(minutes=11)]
        dates += [now.replace(year=1900), now.replace(year=9000)]
        sent = [{"article_id": "a1", "ts": d.isoformat()} for d in dates[:5]]
        more = [{"article_id": "a1", "ts": dates[5].isoformat()}]

        answers = [client.post("/api/views", json=batch) for batch in (sent, more)]

        assert [(a.status_code, a.json()) for a in answers] == [
            (202, {"accepted": 2, "dropped": 3}),
            (202, {"accepted": 0, "dropped": 1}),
        ]
        assert [datetime.fromisoformat(v["occurred_at"]) for v in views(client)] == dates[1:3]


def test_known_crawlers_are_recorded_as_bots(client):
    client.post("/api/views", json={"article_id": "a1"}, headers={"user-agent": GOOGLEBOT})
    client.post("/api/views", json=[{"article_id": "a1"}], headers={"user-agent": "curl/8.5.0"})
    client.post("/api/views", json={"article_id": "a1"}, headers=BROWSER)

    assert [v["bot"] for v in views(client)] == [True, True, False]


def test_a_batch_over_the_cap_or_empty_is_refused_with_a_reason(client):
    too_many = client.post("/api/views", json=[{"article_id": "a1"}] * 6)
    empty = client.post("/api/views", json=[])

    for response in (too_many, empty):
        assert response.status_code == 422
        assert response.json()["error"] == "validation failed"
    assert "at most 5 items" in too_many.json()["fields"][0]["reason"]
    assert views(client) == []


@pytest.mark.parametrize(
    ("content_type", "status"),
    [
        (None, 415),
        ("text/plain", 415),
        ("text/plain;charset=UTF-8", 415),
        ("application/x-www-form-urlencoded", 415),
        ("multipart/form-data; boundary=x", 415),
        ("application/jsonp", 415),
        ("application/json", 202),
        ("Application/JSON; charset=utf-8", 202),
    ],
)
def test_views_come_only_as_application_json(client, content_type, status):
    headers = {"content-type": content_type} if content_type else {}
    body = b'{"article_id": "a1"}'

    answer = client.post("/api/views", content=body, headers=headers)

    assert answer.status_code == status
    if status == 415:
        assert answer.json() == {"error": "views must be sent as application/json"}
        assert views(client) == []


def test_views_have_a_body_limit_of_their_own_sized_to_the_batch(client):
    limit = client.app.state.views_parser.body_limit
    assert limit == 64 + 5 * 1024  # NEWSROOM_VIEWS_BATCH_MAX 5, the client's setting
    headers = {"content-type": "application/json"}
    # The longest valid view: every field at its longest, the visitor id all \\u escapes.
    longest = {"article_id": "a" * 64, "visitor_id": "Ж" * 128, "ts": utcnow().isoformat()}
    full = json.dumps([longest] * 5, indent=1).encode()
    over = b'{"article_id": "a1", "visitor_id": "' + b"x" * limit + b'"}'

    def chunked():
        yield over[:100]
        yield over[100:]

    answers = [
        client.post("/api/views", content=full, headers=headers),
        client.post("/api/views", content=over, headers=headers),
        client.post("/api/views", content=chunked(), headers=headers),
    ]

    assert [a.status_code for a in answers] == [202, 413, 413]
    assert answers[0].json() == {"accepted": 0, "dropped": 5}
    for answer in answers[1:]:
        assert answer.json() == {"error": f"request body over {limit} bytes"}


def test_the_rate_limit_counts_views_not_requests(redis_url):
    with make_client(redis_url, views_rate_limit=7, views_rate_window=30) as client:
        publish(client, "a1")
        sizes = [3, 3, 1, 1, 1]
        answers = [client.post("/api/views", json=[{"article_id": "a1"}] * n) for n in sizes]

        assert [a.status_code for a in answers] == [202, 202, 202, 429, 429]
        assert answers[3].json() == {"error": "too many view reports from this address"}
        assert 1 <= int(answers[3].headers["retry-after"]) <= 30
        assert len(views(client)) == 7
        # The counter expires with its window.
        ttl = client.portal.call(client.app.state.redis.ttl, "newsroom:ratelimit:views:testclient")
        assert 1 <= ttl <= 30


def test_forwarded_for_counts_only_when_it_comes_from_a_trusted_proxy(redis_url):
    def statuses(client, forwarded: str) -> list[int]:
        return [
            client.post(
                "/api/views", json={"article_id": "a1"}, headers={"x-forwarded-for": forwarded}
            ).status_code
            for _ in range(2)
        ]

    with make_client(redis_url, views_rate_limit=1, trusted_proxies="testclient") as via_proxy:
        assert statuses(via_proxy, "203.0.113.1") == [202, 429]
        assert statuses(via_proxy, "203.0.113.2") == [202, 429]

    with make_client(redis_url, views_rate_limit=1, trusted_proxies="10.0.0.1") as direct:
        assert statuses(direct, "203.0.113.3") == [202, 429]
        assert statuses(direct, "203.0.113.4") == [429, 429]


def test_ipv6_clients_are_limited_by_their_64(redis_url):
    def status(client, forwarded: str) -> int:
        headers = {"x-forwarded-for": forwarded}
        return client.post("/api/views", json={"article_id": "a1"}, headers=headers).status_code

    with make_client(redis_url, views_rate_limit=1, trusted_proxies="testclient") as client:
        assert status(client, "2001:db8:1:2::1") == 202
        assert status(client, "2001:db8:1:2:ffff:ffff:ffff:ffff") == 429  # the same /64
        assert status(client, "2001:db8:1:3::1") == 202  # the next /64
        assert status(client, "::ffff:203.0.113.9") == 202  # IPv4 written as IPv6...
        assert status(client, "203.0.113.9") == 429  # ...is that IPv4 address
