"""The fixture site, page kind by page kind: content, head tags, links, lists, sitemaps."""

import asyncio
import json
import re
from datetime import datetime, timedelta
from xml.etree import ElementTree

import pytest

from shared.clock import utcnow
from shared.files import site_path
from shared.urls import UrlScheme
from tests.support.site import (
    PAGE_SIZE,
    SITE_URL,
    SITEMAP_SIZE,
    demo,
    soup,
    teaser_links,
    tree,
)

urls = UrlScheme(timezone="Asia/Almaty")
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
RETITLED = "Участковые Караганды выходят к людям"


def list_all(site, first: str) -> list[str]:
    """Every article URL of a list, walking its numbered pages from the oldest."""
    found, number = [], 1
    while (site.root / first.lstrip("/") / f"page/{number}/index.html").exists():
        page = soup(site.page(urls.numbered_url(first, number)))
        found = teaser_links(page) + found
        number += 1
    return found


def test_article_page_shows_everything_the_reference_page_has(site):
    url = site.article_url("demo-001")
    page = soup(site.page(url))

    # Headline, subtitle, Russian date in Almaty time, "updated" after the retitle.
    assert page.h1.get_text() == RETITLED
    assert page.select_one(".subtitle").get_text().startswith("Инспекторы будут проводить")
    assert page.select_one(".dates time").get_text() == "24 ноября 2026, 09:15"
    assert page.select_one(".updated time") is not None
    # The view count placeholder the script fills from views.json.
    assert page.select_one("[data-views]")["data-views"] == "demo-001"
    # Byline links to the author page, the section link to the section page.
    assert [(a.get_text(), a["href"]) for a in page.select(".byline a")] == [
        ("Дмитрий Колесников", "/author/dmitriy-kolesnikov/")
    ]
    assert page.select_one(".article-header .kicker a")["href"] == "/section/obshchestvo/"
    # Lead image with alt text, caption and credit; the sanitized body; tags.
    figure = page.select_one("figure.lead-image")
    assert figure.img["src"] == "/static/demo/city.svg" and figure.img["alt"]
    assert "Фото: Марат Жаксылыков" in figure.figcaption.get_text()
    assert page.select_one(".body p").get_text().startswith("Департамент полиции")
    assert [a.get_text() for a in page.select(".tags a")] == [
        "полиция",
        "Караганда",
        "безопасность",
    ]
    # Популярное with tabs: all time, 24 hours, 7 days (and 30 days).
    popular = page.select_one(".popular")
    assert popular.h2.get_text() == "Популярное"
    assert [b["data-period"] for b in popular.select("[role=tab]")] == ["all", "24h", "7d", "30d"]
    # Архив: year → Russian month name → day.
    archive = page.select_one(".archive-nav")
    assert archive.h2.get_text() == "Архив"
    assert [(a.get_text(), a["href"]) for a in archive.select("a")] == [
        ("2026", "/2026/"),
        ("Ноябрь", "/2026/11/"),
        ("24", "/2026/11/24/"),
    ]


def test_read_also_lists_five_older_articles_newest_first(site):
    page = soup(site.page(site.article_url("demo-001")))
    links = page.select(".read-also a")

    assert page.select_one(".read-also h2").get_text() == "Читайте также"
    assert len(links) == 5
    dates = []
    for link in links:
        target = soup(site.page(link["href"]))
        full_title = target.h1.get_text()
        shown = link.get_text()
        # Long titles are cut on a word boundary with "…", short ones kept whole.
        assert shown == full_title or (
            shown.endswith("…") and full_title.startswith(shown[:-1]) and len(shown) <= 64
        )
        dates.append(target.select_one(".dates time")["datetime"])
    assert dates == sorted(dates, reverse=True)
    assert all(d < "2026-11-24T09:15:00+05:00" for d in dates)


def test_every_page_has_the_head_tags(site):
    files = [p for p in site.root.rglob("*.html")]
    assert len(files) > 100
    for path in files:
        page = soup(path.read_text(encoding="utf-8"))
        assert page.html["lang"] == "ru", path
        assert page.title.get_text().strip(), path
        assert page.select_one("meta[name=description]")["content"].strip(), path
        canonical = page.select_one("link[rel=canonical]")["href"]
        assert canonical.startswith(SITE_URL + "/"), path
        assert page.select_one("meta[property='og:title']")["content"], path
        assert page.select_one("meta[property='og:url']")["content"] == canonical, path
        feeds = {link["href"] for link in page.select("link[rel=alternate]")}
        assert {"/feeds/rss.xml", "/feeds/atom.xml", "/feeds/feed.json"} <= feeds, path


def test_article_head_has_open_graph_article_tags_and_news_article_json_ld(site):
    url = site.article_url("demo-001")
    page = soup(site.page(url))

    og = {m["property"]: m["content"] for m in page.select("meta[property]")}
    assert og["og:type"] == "article"
    assert og["og:title"] == RETITLED
    assert og["og:image"] == SITE_URL + "/static/demo/city.svg"
    assert og["article:published_time"] == "2026-11-24T09:15:00+05:00"
    assert og["article:section"] == "Общество"
    assert page.select_one("link[rel=canonical]")["href"] == SITE_URL + url
    data = json.loads(page.select_one("script[type='application/ld+json']").string)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == RETITLED
    assert data["mainEntityOfPage"] == SITE_URL + url
    assert data["author"][0]["url"] == SITE_URL + "/author/dmitriy-kolesnikov/"


@pytest.mark.parametrize(
    ("first", "heading", "kind"),
    [
        ("/section/obshchestvo/", "Общество", "section"),
        ("/tag/almaty/", "Алматы", "tag"),
        ("/author/sergey-kim/", "Сергей Ким", "author"),
        ("/tag/zhas-burkit/", "Жас бүркіт", "tag"),
        ("/tag/uly-zhengis/", "Ұлы Жеңіс", "tag"),
    ],
)
def test_section_tag_and_author_pages_list_their_articles_with_their_own_feeds(
    site, first, heading, kind
):
    page = soup(site.page(first))

    assert page.h1.get_text().strip() == heading
    own = urls.feed_urls(kind, first.split("/")[2])
    feeds = {link["href"] for link in page.select("link[rel=alternate]")}
    assert {own["rss"], own["atom"]} <= feeds
    shown = teaser_links(page)
    assert 0 < len(shown) <= PAGE_SIZE
    for url in shown:
        article = soup(site.page(url))
        if kind == "section":
            assert article.select_one(".article-header .kicker a")["href"] == first
        elif kind == "tag":
            assert first in [a["href"] for a in article.select(".tags a")]
        else:
            assert first in [a["href"] for a in article.select(".byline a")]


def test_numbered_pages_hold_every_live_article_once_oldest_on_page_one(site):
    newest = teaser_links(soup(site.page("/")))
    everything = list_all(site, "/")
    live = 44 - 2 + 2 + 1  # demo, minus two unpublished, plus two fresh and one back-dated

    assert len(everything) == len(set(everything)) == live
    assert newest == everything[:PAGE_SIZE]
    oldest = soup(site.page("/page/1/"))
    assert teaser_links(oldest)[-1] == site.article_url("late-1")
    assert len(teaser_links(oldest)) == PAGE_SIZE
    # Each numbered page links to its neighbours; the newest links back to the first page.
    last = len(everything) // PAGE_SIZE + (len(everything) % PAGE_SIZE > 0)
    assert soup(site.page(f"/page/{last}/")).select_one(".pager-newer")["href"] == "/"
    assert soup(site.page("/page/2/")).select_one(".pager-older")["href"] == "/page/1/"


def test_archive_pages_for_year_month_and_day(site):
    year = soup(site.page("/2026/"))
    month = soup(site.page("/2026/11/"))
    day = soup(site.page("/2026/11/24/"))

    assert year.h1.get_text() == "2026"
    assert "Ноябрь" in [
        a.select_one(".archive-label").get_text() for a in year.select(".archive-links a")
    ]
    assert month.h1.get_text() == "Ноябрь 2026"
    assert "/2026/11/24/" in [a["href"] for a in month.select(".archive-links a")]
    assert day.h1.get_text() == "24 ноября 2026"
    day_links = teaser_links(day)
    assert site.article_url("demo-001") in day_links
    assert len(day_links) == 3  # demo-001, demo-022, demo-024


def test_error_pages_and_robots(site):
    assert soup(site.page("/404.html")).h1.get_text() == "Страница не найдена"
    assert soup(site.page("/410.html")).h1.get_text() == "Материал снят с публикации"
    robots = site.page("/robots.txt")
    assert f"Sitemap: {SITE_URL}/sitemap.xml" in robots


def test_sitemaps_cover_every_live_article_in_small_chunks_and_news_holds_the_last_48_hours(site):
    index = ElementTree.fromstring((site.root / "sitemap.xml").read_bytes())
    locs = [e.text for e in index.findall("s:sitemap/s:loc", SITEMAP_NS)]
    assert locs[-1] == SITE_URL + "/sitemaps/news.xml"
    article_locs = []
    for loc in locs[:-1]:
        chunk = ElementTree.fromstring((site.root / loc.removeprefix(SITE_URL + "/")).read_bytes())
        entries = chunk.findall("s:url/s:loc", SITEMAP_NS)
        assert 0 < len(entries) <= SITEMAP_SIZE
        article_locs += [e.text for e in entries]
    assert sorted(article_locs) == sorted(SITE_URL + u for u in list_all(site, "/"))
    news = (site.root / "sitemaps/news.xml").read_text(encoding="utf-8")
    titles = re.findall(r"<news:title>(.*?)</news:title>", news)
    since = utcnow() - timedelta(hours=48)
    recent = []
    for url in list_all(site, "/"):
        article = soup(site.page(url))
        if datetime.fromisoformat(article.select_one(".dates time")["datetime"]) > since:
            recent.append(article.h1.get_text())
    assert "Свежая новость номер 2: учёные Алматы представили прототип" in titles
    assert sorted(titles) == sorted(recent)


def test_unpublished_article_is_gone_from_its_url_and_every_list(site):
    url = site.article_url("demo-044")
    title = demo("demo-044")["title"]

    assert not site_path(site.root, url).exists()
    for path in site.root.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert url not in html and title not in html, path
    for path in (site.root / "sitemaps").iterdir():
        assert url not in path.read_text(encoding="utf-8")


def test_changed_slug_moves_the_page_and_the_old_url_redirects(site):
    old = (
        "/2026/11/20/"
        "v-astane-poyavyatsya-eshchyo-pyat-avtobusnykh-marshrutov-s-vydelennymi-polosami/"
    )
    new = "/2026/11/20/novyi-adres/"

    assert not site_path(site.root, old).exists()
    assert not site_path(site.root, old).parent.exists()  # no empty folder for nginx to list
    assert soup(site.page(new)).h1.get_text() == demo("demo-011")["title"]

    async def resolve() -> tuple[int, str | None]:
        store = site.store()
        answer = await store.resolve(old)
        await store.redis.aclose()
        return answer

    assert asyncio.run(resolve()) == (301, new)


# Files the feeds service writes (site, section, tag and author feeds; /data/*.json) are
# outside this render-only check: their paths come from UrlScheme and are tested there.
EXTERNAL = re.compile(r"^/(feeds/.*|data/.*|(section|tag|author)/[^/]+/(rss|atom)\.xml)$")


def test_every_link_on_every_page_resolves_to_a_file(site):
    checked = 0
    for path in site.root.rglob("*.html"):
        page = soup(path.read_text(encoding="utf-8"))
        for node in page.select("[href], [src]"):
            link = node.get("href") or node.get("src")
            if link.startswith(("http://", "https://")) or EXTERNAL.match(link):
                continue
            if link.startswith("#"):  # the skip link's target is on the page itself
                assert page.find(id=link[1:]) is not None, (path, link)
            else:
                assert site_path(site.root, link).is_file(), (path, link)
            checked += 1
    assert checked > 1000


def test_incremental_output_equals_full_rebuild_byte_for_byte(site):
    incremental, rebuilt = tree(site.root), tree(site.rebuilt)

    assert sorted(incremental) == sorted(rebuilt)
    assert [name for name in incremental if incremental[name] != rebuilt[name]] == []
    empty_folders = [p for p in site.root.rglob("*") if p.is_dir() and not any(p.iterdir())]
    assert empty_folders == []
