"""Hostile view reports against the real ingest process: one exact answer for each, and only
plausible views of published articles reach the stream."""

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import redis

from shared.clock import utcnow
from tests.support.flood import load_articles, published_articles, streamed
from tests.support.platform import Platform, wait_for
from tests.support.redis_server import redis_executor, url_of

SETTINGS = {
    "NEWSROOM_VIEWS_BATCH_MAX": "5",  # so the views' own body limit is 64 + 5 KiB
    "NEWSROOM_VIEWS_RATE_LIMIT": "8",
    "NEWSROOM_VIEWS_TS_WINDOW_S": "600",
}
LIMIT = 64 + 5 * 1024
JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def ingest(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, redis.Redis]]:
    workdir: Path = tmp_path_factory.mktemp("views-hostile")
    with redis_executor(workdir / "redis") as executor:
        load_articles(url_of(executor), published_articles("real", 1))
        platform = Platform(url_of(executor), workdir)
        platform.env.update(SETTINGS)
        platform.start("ingest")
        base = f"http://127.0.0.1:{platform.ingest_port}"
        client = redis.Redis.from_url(url_of(executor))
        try:
            wait_for(lambda: httpx.get(f"{base}/api/ready").status_code == 200, 30)
            yield base, client
        finally:
            platform.stop()
            client.close()


def post(
    base: str, content: bytes | Iterator[bytes], headers: dict[str, str], address: str
) -> httpx.Response:
    """POST /api/views as the client `address` (ingest trusts 127.0.0.1 as a proxy)."""
    forwarded = {"x-forwarded-for": address}
    return httpx.post(f"{base}/api/views", content=content, headers=headers | forwarded)


VIEW = b'{"article_id": "real-0"}'


def at(delta: timedelta) -> bytes:
    return b'{"article_id": "real-0", "ts": "%s"}' % (utcnow() + delta).isoformat().encode()


HOSTILE = [
    ("no content type", lambda: VIEW, {}, 415),
    ("text/plain", lambda: VIEW, {"content-type": "text/plain"}, 415),
    (
        "a form",
        lambda: b"article_id=real-0",
        {"content-type": "application/x-www-form-urlencoded"},
        415,
    ),
    ("over the views' limit", lambda: b"[" + b" " * LIMIT + VIEW + b"]", JSON, 413),
    ("over the limit, chunked", lambda: iter([b"[", b" " * LIMIT, VIEW + b"]"]), JSON, 413),
    ("a batch over the maximum", lambda: b"[" + b",".join([VIEW] * 6) + b"]", JSON, 422),
    ("not JSON", lambda: b"{", JSON, 400),
    (
        "a year out of range",
        lambda: b'{"article_id": "real-0", "ts": "1800-01-01T00:00:00Z"}',
        JSON,
        422,
    ),
]


@pytest.mark.parametrize(
    ("case", "body", "headers", "status"), HOSTILE, ids=[h[0] for h in HOSTILE]
)
def test_each_hostile_report_gets_one_exact_status(ingest, case, body, headers, status):
    base, client = ingest
    before = streamed(client)

    answer = post(base, body(), headers, f"198.51.100.{len(case)}")

    assert answer.status_code == status, answer.text
    assert answer.json()["error"]
    assert streamed(client) == before


def test_implausible_views_are_dropped_and_the_rest_stored(ingest):
    base, client = ingest
    before = streamed(client)
    views = [
        b'{"article_id": "made-up"}',
        at(timedelta(hours=2)),
        at(-timedelta(days=400)),
        at(timedelta(days=3000)),
        at(-timedelta(minutes=5)),
    ]

    answer = post(base, b"[" + b",".join(views) + b"]", JSON, "198.51.100.200")

    assert (answer.status_code, answer.json()) == (202, {"accepted": 1, "dropped": 4})
    assert streamed(client) == before + 1


def test_the_rate_limit_counts_views_and_groups_an_ipv6_64(ingest):
    base, _ = ingest
    five = b"[" + b",".join([VIEW] * 5) + b"]"

    statuses = [
        post(base, five, JSON, "2001:db8:7:7::1").status_code,
        post(base, five, JSON, "2001:db8:7:7::2").status_code,  # the same /64: 10 views > 8
        post(base, five, JSON, "2001:db8:7:8::1").status_code,  # another /64
    ]

    assert statuses == [202, 429, 202]
