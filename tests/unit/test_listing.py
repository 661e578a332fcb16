"""Listings and the keyspace: one name per list, and the Redis keys a store already holds."""

from datetime import UTC, datetime

from shared import keyspace
from shared.article import Placement
from shared.listing import HOME, Kind, Listing, listings_of, read_also_listings
from shared.urls import UrlScheme

urls = UrlScheme(timezone="Asia/Almaty")
SPORT = Listing(Kind.SECTION, "sport")


def test_a_listing_gives_its_pages_feeds_index_and_name_key():
    assert (HOME.url(urls), SPORT.url(urls)) == ("/", "/section/sport/")
    assert HOME.feed_paths(urls)["json"] == "/feeds/feed.json"
    assert SPORT.feed_paths(urls) == {
        "rss": "/section/sport/rss.xml",
        "atom": "/section/sport/atom.xml",
    }
    assert (HOME.index, SPORT.index) == (
        "newsroom:{store}:idx:home",
        "newsroom:{store}:idx:section:sport",
    )
    assert Listing.parse(SPORT.name_key) == SPORT and SPORT.name_key == "section:sport"


def test_listings_sort_home_first_then_sections_tags_and_authors_by_slug():
    author, tag = Listing(Kind.AUTHOR, "a"), Listing(Kind.TAG, "b")
    site = Listing(Kind.SECTION, "site")  # a section named like the site: its own listing
    assert sorted([author, tag, SPORT, site, HOME]) == [HOME, site, SPORT, tag, author]


def test_an_article_is_on_home_its_section_tags_and_authors_and_read_also_skips_authors():
    placement = Placement(
        url="/x/",
        published_at=datetime(2026, 11, 25, tzinfo=UTC),
        section="sport",
        tags=["futbol"],
        authors=["kim"],
    )
    futbol, kim = Listing(Kind.TAG, "futbol"), Listing(Kind.AUTHOR, "kim")
    assert listings_of(placement) == {HOME, SPORT, futbol, kim}
    assert read_also_listings(placement) == [HOME, SPORT, futbol]


def test_keys_that_change_together_share_a_hash_tag():
    layout = keyspace.Layout(article_shards=8, views_partitions=4)
    store_wide = [keyspace.ARTICLES_STREAM, keyspace.REVISION, keyspace.SLUGS, SPORT.index]
    assert {keyspace.tag_of(key) for key in store_wide} == {"store"}
    shard = layout.shard_of("a1")
    own = [layout.article_key("a1"), layout.history_key("a1"), layout.outbox(shard)]
    assert {keyspace.tag_of(key) for key in own} == {f"a{shard}"}
    assert layout.article_key("a1") == f"newsroom:{{a{shard}}}:article:a1"
    # Article bodies spread over every shard.
    assert {layout.shard_of(f"id-{n}") for n in range(200)} == set(range(8))
    assert keyspace.dead_letters_key(keyspace.ARTICLES_STREAM) == "newsroom:{store}:dead-letters"


def test_keys_used_alone_have_no_tag():
    assert keyspace.rate_limit_key("10.0.0.1") == "newsroom:ratelimit:views:10.0.0.1"
    assert keyspace.site_status_key("render", "r-1") == "newsroom:site:render:r-1"
    assert keyspace.tag_of(keyspace.heal_lock_key("render")) == ""
