"""Poison events against the real services: dead-lettered, and the stream keeps flowing."""

import json
import signal
import time
from collections.abc import Iterator

import pytest
import redis

from shared.consuming.dead_letters import dead_letter_keys
from shared.events import ArticleUpdated, encode
from shared.settings import Settings
from shared.topology import ARTICLES_STREAM, FEEDS_GROUP, RENDER_GROUP
from tests.reliability.platforms import platform_with
from tests.support.platform import Platform, wait_for
from tests.support.timing import scaled

ARTICLE = {
    "title": "После ядовитых событий",
    "author": "Дежурный редактор",
    "section": "Общество",
    "published_at": "2026-11-25T10:00:00+05:00",
    "body_html": "<p>Текст</p>",
}


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """The platform with quick retries: claimed after 0.3 s idle, dead after 3 deliveries."""
    env = {"NEWSROOM_CLAIM_IDLE_MS": "300", "NEWSROOM_MAX_DELIVERIES": "3"}
    with platform_with(tmp_path_factory.mktemp("poison"), env) as running:
        yield running


def dead_letters(platform: Platform) -> list[dict[str, str]]:
    with redis.Redis.from_url(platform.redis_url, decode_responses=True) as client:
        return [
            fields
            for key in dead_letter_keys(Settings().layout)
            for _, fields in client.xrange(key)
        ]


def consumers_alive(platform: Platform) -> bool:
    return all(platform.processes[k].poll() is None for k in ("render-0", "feeds-0"))


def test_malformed_events_are_dead_lettered_and_good_ones_follow(platform: Platform):
    # Three entries that are no events land in the articles stream.
    with redis.Redis.from_url(platform.redis_url) as client:
        client.xadd(ARTICLES_STREAM, {"__data__": "{not json"})
        client.xadd(ARTICLES_STREAM, {"__data__": json.dumps({"type": "ArticleUpdated"})})
        client.xadd(ARTICLES_STREAM, {"junk": b"\x00\xff"})

    # An editor then publishes an article: its page appears as usual.
    created = platform.api().put("/api/articles/after-poison", json=ARTICLE)
    assert created.status_code == 201
    wait_for(lambda: platform.get(created.json()["url"]).status_code == 200, timeout=5)

    # Each group dead-lettered the three, with the payload kept for a replay; both live on.
    letters = wait_for(lambda: len(found := dead_letters(platform)) == 6 and found, timeout=5)
    assert sorted(d["group"] for d in letters) == [FEEDS_GROUP] * 3 + [RENDER_GROUP] * 3
    assert {d["payload"] for d in letters} == {
        json.dumps({"__data__": "{not json"}),
        json.dumps({"__data__": '{"type": "ArticleUpdated"}'}),
        json.dumps({"junk": "\x00\\xff"}),
    }
    assert consumers_alive(platform)


def test_an_event_the_renderer_always_fails_on_is_dead_lettered_after_3_deliveries(
    platform: Platform,
):
    # A well-formed event whose placement would make render write outside the public folder.
    before = len(dead_letters(platform))
    event = ArticleUpdated.model_validate(
        {
            "article_id": "hostile-1",
            "version": 1,
            "after": {
                "url": "/../../escape/",
                "published_at": "2026-11-25T10:00:00+05:00",
                "section": "x",
                "tags": [],
                "authors": [],
            },
        }
    )
    with redis.Redis.from_url(platform.redis_url) as client:
        client.xadd(ARTICLES_STREAM, encode(event))

    # Render refuses it three times, then dead-letters it; feeds (which has no use for
    # placements) handles it; nothing was written outside; the services live on.
    letters = wait_for(lambda: len(found := dead_letters(platform)) > before and found, 10)
    (letter,) = letters[before:]
    assert letter["group"] == RENDER_GROUP and letter["deliveries"] == "3"
    assert letter["error"].startswith("UnsafePathError")
    assert not (platform.public.parent.parent / "escape").exists()
    assert consumers_alive(platform)
    with redis.Redis.from_url(platform.redis_url) as client:
        assert client.xpending(ARTICLES_STREAM, RENDER_GROUP)["pending"] == 0


def test_sigterm_stops_a_consumer_cleanly_within_30_seconds(platform: Platform):
    for key in ("render-0", "feeds-0"):
        process = platform.processes[key]
        started = time.monotonic()
        platform.kill(key, signal.SIGTERM)
        assert process.returncode == 0
        assert time.monotonic() - started < scaled(30)
