"""The demo site's feeds and most-read lists, produced by the real services end to end."""

import json
from collections import Counter
from collections.abc import Iterator

import pytest
import redis

from newsroom.demo import demo_articles
from shared.article import ArticleIn
from shared.keyspace import Layout, parked_views_key, views_all_key
from shared.slugs import make_slug
from tests.support.demo_site import demo_site
from tests.support.feed_checks import assert_valid_atom, assert_valid_json_feed, assert_valid_rss
from tests.support.platform import Platform, wait_for
from tests.support.readers import BROWSER


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """The platform with the demo articles loaded, refreshing most-read lists every second."""
    with demo_site(tmp_path_factory.mktemp("feeds-site")) as platform:
        yield platform


def expected_lists() -> dict[str, int]:
    """Feed folder of every list the demo articles are on, and how many entries it holds."""
    counts: Counter[str] = Counter()
    for raw in demo_articles():
        article = ArticleIn.model_validate({k: v for k, v in raw.items() if k != "id"})
        counts["feeds"] += 1
        counts[f"section/{make_slug(article.section)}"] += 1
        counts.update(f"tag/{make_slug(t)}" for t in article.tags)
        counts.update(f"author/{a.page_slug}" for a in article.authors)
    return {folder: min(n, 50) for folder, n in counts.items()}


def entry_count(platform: Platform, folder: str) -> int:
    response = platform.get(f"/{folder}/rss.xml")
    return len(assert_valid_rss(response.content).entries) if response.status_code == 200 else -1


def test_every_feed_of_the_demo_site_is_valid(site: Platform):
    # Once the feeds service has caught up, every list has its feeds with every article.
    lists = expected_lists()
    assert len(lists) > 30
    wait_for(lambda: all(entry_count(site, f) == n for f, n in lists.items()), timeout=60)

    # Each RSS and Atom feed the site serves is valid and holds the same entries, newest first.
    for folder, count in lists.items():
        rss = assert_valid_rss(site.get(f"/{folder}/rss.xml").content)
        atom = assert_valid_atom(site.get(f"/{folder}/atom.xml").content)
        ids = [e.id for e in rss.entries]
        assert ids == [e.id for e in atom.entries] and len(set(ids)) == count
        assert all(i.startswith("urn:uuid:") for i in ids)
        published = [e.published_parsed for e in atom.entries]
        assert published == sorted(published, reverse=True)

    # The JSON Feed holds every article; lead images carry their real size in RSS.
    data = assert_valid_json_feed(site.get("/feeds/feed.json").content)
    assert len(data["items"]) == lists["feeds"]
    rss = assert_valid_rss(site.get("/feeds/rss.xml").content)
    city = (site.public / "static/demo/city.svg").stat().st_size
    lengths = {e.enclosures[0].href: e.enclosures[0].length for e in rss.entries if e.enclosures}
    assert lengths["https://news.example.kz/static/demo/city.svg"] == str(city)


def test_views_reach_the_most_read_lists(site: Platform):
    views = [{"article_id": "demo-005", "visitor_id": f"v{n}"} for n in range(3)]
    views += [{"article_id": "demo-001", "visitor_id": "v1"}] * 2  # one reader, twice
    # A reader's browser reports them (HTTP libraries' User-Agents count as bots).
    assert site.api().post("/api/views", json=views, headers=BROWSER).status_code == 202

    def most_read() -> list:
        response = site.get("/data/popular.json")
        return response.status_code == 200 and response.json()["periods"]["24h"]

    def ranked() -> list:
        return [(i["id"], i["views"]) for i in most_read() or []]

    # The views are appended to their partitions' streams one by one, and counted as read:
    # the lists may show part of them for a moment.
    wait_for(lambda: ranked() == [("demo-005", 3), ("demo-001", 1)], timeout=15)
    top = most_read()
    assert top[0]["url"].startswith("/2026/11/23/")
    counts = json.loads(site.get("/data/views.json").content)
    assert counts == {"demo-005": 3, "demo-001": 1}
    science = site.get("/data/popular.json").json()["sections"]["nauka"]["all"]
    assert [i["id"] for i in science] == ["demo-005"]


def test_an_unpublished_articles_total_is_parked_to_expire_and_restored(site: Platform):
    client = redis.Redis.from_url(site.redis_url)
    partition = Layout().partition_of("demo-003")
    totals, parked = views_all_key(partition), parked_views_key(partition, "demo-003")
    views = [{"article_id": "demo-003", "visitor_id": f"park-{n}"} for n in range(2)]
    assert site.api().post("/api/views", json=views, headers=BROWSER).status_code == 202
    wait_for(lambda: client.zscore(totals, "demo-003") == 2, timeout=15)

    assert site.api().delete("/api/articles/demo-003").status_code == 200
    wait_for(lambda: client.get(parked) == b"2", timeout=15)
    assert client.zscore(totals, "demo-003") is None
    assert 0 < client.ttl(parked) <= 31 * 86400

    body = next(a for a in demo_articles() if a["id"] == "demo-003")
    body = {k: v for k, v in body.items() if k != "id"}
    assert site.api().put("/api/articles/demo-003", json=body).status_code == 200
    wait_for(lambda: client.zscore(totals, "demo-003") == 2, timeout=15)
    assert client.exists(parked) == 0
    client.close()


HOSTILE_BODY = (
    '<p>Мост <a href="https://example.org/most" onclick="alert(1)">открыт</a>'
    '<script>alert(1)</script> <img src="/static/demo/city.svg" onerror="alert(1)" alt="город">'
    ' <a href="/section/gorod/">Город</a></p><iframe src="//evil.example"></iframe>'
)
# What the store keeps of it: scripts, handlers and frames gone, off-site links marked.
SANITIZED = (
    '<p>Мост <a href="https://example.org/most" rel="noopener noreferrer">открыт</a>'
    ' <img src="/static/demo/city.svg" alt="город"> <a href="/section/gorod/">Город</a></p>'
)


def test_the_json_feed_carries_exactly_the_sanitized_body(site: Platform):
    body = {
        "title": "Мост через Ишим открыт",
        "author": "Ержан Беков",
        "section": "Город",
        "published_at": "2026-11-25T10:00:00+05:00",
        "body_html": HOSTILE_BODY,
    }
    created = site.api().put("/api/articles/feed-body", json=body)
    assert created.status_code == 201
    guid = created.json()["guid"]
    assert site.api().get("/api/articles/feed-body").json()["body_html"] == SANITIZED

    def item() -> dict | None:
        items = assert_valid_json_feed(site.get("/feeds/feed.json").content)["items"]
        return next((i for i in items if i["id"] == guid), None)

    # The sanitized body, its site-relative URLs made absolute for feed readers, and no more.
    assert wait_for(item, timeout=15)["content_html"] == SANITIZED.replace(
        '"/', '"https://news.example.kz/'
    )


CRAWLERS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
    "python-httpx/0.28.1",
    "curl/8.5.0",
]


def test_bot_views_never_reach_rankings_or_counts(site: Platform):
    def counts() -> dict[str, int]:
        response = site.get("/data/views.json")
        return response.json() if response.status_code == 200 else {}

    before = counts()
    api = site.api()
    # Crawlers view demo-010 many times; ingest accepts each report as it would a reader's.
    for agent in CRAWLERS:
        views = [{"article_id": "demo-010", "visitor_id": f"bot{n}"} for n in range(5)]
        response = api.post("/api/views", json=views, headers={"User-Agent": agent})
        assert response.status_code == 202, response.text
    # Then one reader views demo-011: once feeds has counted it, it has read the bots' too.
    reader = api.post("/api/views", json={"article_id": "demo-011"}, headers=BROWSER)
    assert reader.status_code == 202

    after = wait_for(lambda: (c := counts()).get("demo-011", 0) > before.get("demo-011", 0) and c)
    assert after.get("demo-010", 0) == before.get("demo-010", 0)
    assert after["demo-011"] == before.get("demo-011", 0) + 1

    def ranked() -> list[str]:
        """Every article id on a most-read list, of the whole site and of each section."""
        popular = site.get("/data/popular.json").json()
        lists = (popular["periods"], *popular["sections"].values())
        return [item["id"] for period in lists for items in period.values() for item in items]

    assert "demo-010" not in wait_for(lambda: "demo-011" in (found := ranked()) and found)
