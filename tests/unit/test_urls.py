"""The URL scheme render and feeds share: feed paths, numbered pages, sitemaps."""

import pytest

from shared.pages.lists import _runs
from shared.urls import UrlScheme

urls = UrlScheme(timezone="Asia/Almaty")


def test_feed_paths_of_sections_tags_and_authors():
    assert urls.feed_urls("section", "sport") == {
        "rss": "/section/sport/rss.xml",
        "atom": "/section/sport/atom.xml",
    }
    assert urls.feed_urls("tag", "zhas-burkit")["rss"] == "/tag/zhas-burkit/rss.xml"
    assert urls.feed_urls("author", "sergey-kim")["atom"] == "/author/sergey-kim/atom.xml"
    assert urls.feed_urls("home") == {
        "rss": "/feeds/rss.xml",
        "atom": "/feeds/atom.xml",
        "json": "/feeds/feed.json",
    }


def test_list_pages_are_numbered_from_the_oldest_under_their_first_page():
    assert urls.list_url("home") == "/"
    assert urls.list_url("section", "sport") == "/section/sport/"
    with pytest.raises(KeyError):
        urls.list_url("sections", "sport")
    assert urls.numbered_url("/", 1) == "/page/1/"
    assert urls.numbered_url("/tag/almaty/", 12) == "/tag/almaty/page/12/"


def test_sitemap_and_fixed_paths():
    assert urls.sitemap_url(3) == "/sitemaps/articles-3.xml"
    assert (urls.sitemap_index, urls.news_sitemap) == ("/sitemap.xml", "/sitemaps/news.xml")
    assert (urls.not_found, urls.gone, urls.robots) == ("/404.html", "/410.html", "/robots.txt")
    assert (urls.popular_data, urls.views_data) == ("/data/popular.json", "/data/views.json")


def test_numbered_pages_are_read_in_runs_of_consecutive_pages_no_longer_than_asked():
    assert _runs({1, 2, 3, 4, 5, 7, 8, 10}, 2) == [[1, 2], [3, 4], [5], [7, 8], [10]]
    assert _runs(set(range(1, 121)), 50) == [
        list(range(1, 51)),
        list(range(51, 101)),
        list(range(101, 121)),
    ]
