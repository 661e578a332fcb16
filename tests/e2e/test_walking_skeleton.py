"""A reader's view of the whole path: PUT → stream → render and feeds → pages and feeds."""

import feedparser
import pytest

from tests.support.platform import Platform, wait_for
from tests.support.samples import ARTICLE


def feed_entries(platform: Platform, name: str) -> list:
    parsed = feedparser.parse(platform.get(f"/feeds/{name}.xml").content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed.entries


def titles_in_feeds(platform: Platform, guid: str) -> list[list[str]]:
    return [
        [e.title for e in feed_entries(platform, name) if e.id == guid] for name in ("rss", "atom")
    ]


def test_publish_update_and_unpublish_reach_pages_and_feeds(platform: Platform):
    api = platform.api()

    # An editor publishes an article with a Cyrillic title.
    created = api.put("/api/articles/skeleton-1", json=ARTICLE)
    assert created.status_code == 201
    url, guid = created.json()["url"], created.json()["guid"]

    # Within a second the reader finds its page, the home page lists it, both feeds carry it.
    page = wait_for(lambda: (r := platform.get(url)).status_code == 200 and r.text, timeout=1)
    assert "<h1>Чем я могу Вам помочь?</h1>" in page
    assert "Александра Власова" in page
    assert "«чем я могу помочь?»" in page
    wait_for(lambda: url in platform.get("/").text, timeout=1)
    wait_for(lambda: titles_in_feeds(platform, guid) == [[ARTICLE["title"]]] * 2, timeout=1)

    # The editor retitles it: the page and the feeds follow, with one entry each, not two.
    renamed = api.put("/api/articles/skeleton-1", json=ARTICLE | {"title": "Служба рядом"})
    assert renamed.status_code == 200 and renamed.json()["url"] == url
    wait_for(lambda: "<h1>Служба рядом</h1>" in platform.get(url).text, timeout=2)
    wait_for(lambda: titles_in_feeds(platform, guid) == [["Служба рядом"]] * 2, timeout=2)

    # The editor unpublishes it: the page is gone (410), and no list or feed shows it.
    assert api.delete("/api/articles/skeleton-1").status_code == 200
    wait_for(lambda: platform.get(url).status_code == 410, timeout=2)
    wait_for(lambda: url not in platform.get("/").text, timeout=2)
    wait_for(lambda: titles_in_feeds(platform, guid) == [[], []], timeout=2)


@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_write_calls_need_the_token(platform: Platform, token):
    import httpx

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.put(
        f"{platform.site_url}/api/articles/skeleton-2", json=ARTICLE, headers=headers
    )
    assert response.status_code == 401
    assert response.json() == {"error": "missing or invalid bearer token"}
