"""Page views in-process against a real Redis: stream entries, bots, batches, rate limit."""

import json

import pytest
from fastapi.testclient import TestClient

from services.ingest.app import create_app
from shared.settings import Settings
from shared.topology import VIEWS_STREAM
from tests.support.readers import BROWSER
from tests.support.samples import TOKENS

GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def make_client(redis_url, **settings) -> TestClient:
    config = {"REDIS_URL": redis_url, "api_tokens": TOKENS, "views_batch_max": 5} | settings
    return TestClient(create_app(Settings(**config)))


@pytest.fixture
def client(redis_url):
    with make_client(redis_url) as test_client:
        yield test_client


def views(client) -> list[dict]:
    entries = client.portal.call(client.app.state.redis.xrange, VIEWS_STREAM)
    return [json.loads(fields[b"__data__"]) for _, fields in entries]


def test_one_view_or_a_batch_is_appended_to_the_views_stream(client):
    one = client.post("/api/views", json={"article_id": "a1", "visitor_id": "v1"}, headers=BROWSER)
    batch = client.post(
        "/api/views",
        json=[{"article_id": "a2"}, {"article_id": "a3", "ts": "2026-11-25T10:00:00+05:00"}],
    )

    assert (one.status_code, one.json()) == (202, {"accepted": 1})
    assert (batch.status_code, batch.json()) == (202, {"accepted": 2})
    stored = views(client)
    assert [(v["type"], v["article_id"], v["bot"]) for v in stored] == [
        ("ArticleViewed", "a1", False),
        ("ArticleViewed", "a2", False),
        ("ArticleViewed", "a3", False),
    ]
    assert stored[0]["visitor_id"] == "v1"
    assert stored[2]["occurred_at"] == "2026-11-25T10:00:00+05:00"


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


def test_an_address_over_its_rate_limit_gets_429_with_retry_after(redis_url):
    with make_client(redis_url, views_rate_limit=3, views_rate_window=30) as client:
        answers = [client.post("/api/views", json={"article_id": "a1"}) for _ in range(5)]

        assert [a.status_code for a in answers] == [202, 202, 202, 429, 429]
        assert answers[3].json()["error"] == "too many view reports from this address"
        assert 1 <= int(answers[3].headers["retry-after"]) <= 30
        assert len(views(client)) == 3


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
