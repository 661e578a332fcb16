"""Takeover between replica processes: a render (or feeds) replica SIGKILLed while it holds an
unacknowledged event, and never restarted; another replica process finishes the event once it
has been idle for the claim timeout, set low here."""

import signal
import time
from collections.abc import Callable, Iterator

import psutil
import pytest
import redis

from shared.settings import Settings
from shared.topology import ARTICLES_STREAM, FEEDS_GROUP, RENDER_GROUP, streams_read_by
from tests.reliability.platforms import platform_with
from tests.support.platform import Platform, wait_for
from tests.support.samples import ARTICLE

pytestmark = pytest.mark.slow

CLAIM_IDLE_S = 2
# Taken over within the claim timeout, plus a claimer's poll and the work itself.
TAKEOVER_S = CLAIM_IDLE_S + 8
GROUPS = {"render": RENDER_GROUP, "feeds": FEEDS_GROUP}
# Blocking stream readers, one a stream the group reads: articles (feeds: and each views
# partition).
READERS = {s: len(streams_read_by(g, Settings().layout)) for s, g in GROUPS.items()}
ATTEMPTS = 20  # each try goes to replica 0 about half the time


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    env = {"NEWSROOM_CLAIM_IDLE_MS": str(CLAIM_IDLE_S * 1000)}
    with platform_with(tmp_path_factory.mktemp("takeover"), env) as running:
        yield running


def blocked_reading(platform: Platform, key: str) -> bool:
    """Whether every stream reader of process `key` is blocked in XREADGROUP on the server,
    so the next entry is delivered to it even while the process is stopped."""
    pid = platform.processes[key].pid
    ports = {c.laddr.port for c in psutil.Process(pid).net_connections("tcp") if c.raddr}
    with redis.Redis.from_url(platform.redis_url, decode_responses=True) as client:
        mine = [c for c in client.client_list() if int(c["addr"].rsplit(":", 1)[1]) in ports]
    reads = [c for c in mine if c["cmd"] == "xreadgroup"]
    service = key.split("-")[0]
    return len(reads) == READERS[service] and all("b" in c["flags"] for c in reads)


def pending_of(platform: Platform, group: str, consumer: str) -> int:
    """How many entries of the articles stream `consumer` holds unacknowledged in `group`."""
    with redis.Redis.from_url(platform.redis_url, decode_responses=True) as client:
        held = client.xpending(ARTICLES_STREAM, group)["consumers"]
    return next((int(c["pending"]) for c in held if c["name"] == consumer), 0)


def published(platform: Platform, service: str, article: dict) -> Callable[[], bool]:
    """Whether `service` has done its work for `article`: its page, or its feed entry."""
    if service == "render":
        return lambda: platform.get(article["url"]).status_code == 200
    return lambda: article["guid"] in platform.get("/feeds/rss.xml").text


def hold_an_event(platform: Platform, service: str) -> dict:
    """Stop replica 0 of `service` while both replicas are blocked reading and publish an
    article: the stopped replica may be handed the event and hold it. Replica 1 may be handed
    it instead, or replica 0's one-second block may have ended first; then the replicas handle
    it and another try is made. The article replica 0 holds."""
    victim, group = f"{service}-0", GROUPS[service]
    process = platform.processes[victim]
    with platform.api() as api:
        for attempt in range(ATTEMPTS):
            wait_for(lambda: all(blocked_reading(platform, f"{service}-{n}") for n in (0, 1)), 15)
            process.send_signal(signal.SIGSTOP)
            body = ARTICLE | {"title": f"{ARTICLE['title']} {service} {attempt}"}
            created = api.put(f"/api/articles/held-by-{service}-{attempt}", json=body)
            assert created.status_code == 201
            # Redis hands an entry to a blocked reader as it is added: no wait needed.
            if pending_of(platform, group, victim) == 1:
                return created.json()
            process.send_signal(signal.SIGCONT)
            wait_for(published(platform, service, created.json()), timeout=15)
    raise AssertionError(f"{victim} was not handed an event in {ATTEMPTS} tries")


@pytest.mark.parametrize("service", ["render", "feeds"])
def test_a_killed_replicas_pending_event_is_finished_by_another(platform: Platform, service):
    victim, group = f"{service}-0", GROUPS[service]
    platform.start(service, 1)
    article = hold_an_event(platform, service)

    # The holder is SIGKILLed at once and not started again; its event is not done yet.
    process = platform.processes[victim]
    platform.kill(victim)
    killed = time.monotonic()
    assert process.returncode == -signal.SIGKILL and victim not in platform.processes
    assert not published(platform, service, article)()

    # The other replica claims the event once idle for the claim timeout, and finishes it.
    wait_for(published(platform, service, article), timeout=TAKEOVER_S, interval=0.1)
    took = time.monotonic() - killed
    with redis.Redis.from_url(platform.redis_url) as client:
        wait_for(lambda: client.xpending(ARTICLES_STREAM, group)["pending"] == 0, timeout=5)
    other = "feeds" if service == "render" else "render"
    assert published(platform, other, article)()
    print(f"\n{service}: the event {victim} held was finished by {service}-1 {took:.1f} s after")
