"""Ingest on the whole platform: hostile bodies on rendered pages, and the scheduler's timing."""

import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx

from tests.support.platform import Platform, wait_for
from tests.support.timing import scaled
from tests.support.xss import CORPUS, executable_constructs

ARTICLE = {
    "title": "Проверка тела статьи",
    "author": "Дежурный редактор",
    "section": "Общество",
    "published_at": "2026-11-25T10:00:00+05:00",
    "body_html": "<p>Обычный абзац.</p>",
}


def page_of(platform: Platform, url: str, timeout: float = 10) -> str:
    return wait_for(lambda: (r := platform.get(url)).status_code == 200 and r.text, timeout)


def test_hostile_bodies_leave_nothing_executable_in_store_or_page(platform: Platform):
    api = platform.api()
    baseline = api.put("/api/articles/xss-baseline", json=ARTICLE).json()
    theme_own = Counter(executable_constructs(page_of(platform, baseline["url"])))

    for n, payload in enumerate(CORPUS):
        body = f"<p>До атаки {n}.</p>{payload}<p>После атаки {n}.</p>"
        stored = api.put(
            f"/api/articles/xss-{n}",
            json=ARTICLE | {"title": f"Атака номер {n}", "body_html": body},
        ).json()

        assert executable_constructs(stored["body_html"]) == [], payload
        page = page_of(platform, stored["url"])
        assert f"Атака номер {n}" in page
        assert Counter(executable_constructs(page)) == theme_own, payload


def at(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def appear_delay(platform: Platform, url: str, due: datetime) -> float:
    """Seconds between `due` and the page answering 200 (polled every 20 ms)."""
    page_of(platform, url, timeout=30)
    return (datetime.now(UTC) - due).total_seconds()


def test_scheduled_article_appears_within_two_seconds_of_its_time(platform: Platform):
    api = platform.api()
    due = datetime.now(UTC) + timedelta(seconds=3)

    scheduled = api.put("/api/articles/sched-1", json=ARTICLE | {"published_at": at(due)}).json()

    # Until its time nothing shows: not the page, not the home list.
    assert scheduled["status"] == "scheduled"
    assert platform.get(scheduled["url"]).status_code == 404
    assert scheduled["url"] not in platform.get("/").text
    # Then it appears without another call, within two seconds of its time.
    delay = appear_delay(platform, scheduled["url"], due)
    assert 0 <= delay <= scaled(2.0), delay
    assert api.get("/api/articles/sched-1").json()["status"] == "published"


def test_scheduled_article_appears_after_a_restart_while_it_waited(platform: Platform):
    api = platform.api()
    due = datetime.now(UTC) + timedelta(seconds=2)
    url = api.put("/api/articles/sched-2", json=ARTICLE | {"published_at": at(due)}).json()["url"]

    # Ingest, which runs the scheduler, is down when the article falls due.
    platform.kill("ingest-0")
    time.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()) + 1)
    assert platform.get(url).status_code == 404

    # It comes back; the overdue article is published at once.
    platform.start("ingest")
    ingest = f"http://127.0.0.1:{platform.ingest_port}/api/ready"
    wait_for(lambda: httpx.get(ingest).status_code == 200, 30)
    back = datetime.now(UTC)
    assert appear_delay(platform, url, back) <= scaled(2.0)
