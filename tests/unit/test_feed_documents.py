"""Feed documents: valid in every format, ids are guids, content complete, bytes stable."""

from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from lxml import etree

from services.feeds import feed
from services.feeds.feed import Channel, FeedInfo
from shared.article import Article
from shared.urls import UrlScheme
from tests.support.feed_checks import (
    assert_valid_atom,
    assert_valid_json_feed,
    assert_valid_rss,
)
from tests.support.samples import stored_article

INFO = FeedInfo(
    "Newsroom", "Последние публикации", "/", "/feeds/rss.xml", "/feeds/atom.xml", "/feeds/feed.json"
)
URLS = UrlScheme(timezone="Asia/Almaty")
CHANNEL = Channel(base_url="https://x.kz", language="ru", urls=URLS)
HUB = Channel(base_url="https://x.kz", language="ru", urls=URLS, hub_url="https://hub.example/")


def make_article(**changes) -> Article:
    fields = {
        "title": "«Жас бүркіт» – <b>гордость</b> 🇰🇿",
        "summary": "Лид",
        "body_html": '<p>Тело <a href="/section/x/">раздел</a> <img src="img/a.jpg" alt=""></p>',
        "authors": [{"name": "Александра Власова"}],
        "tags": ["полиция", "Астана"],
        "published_at": "2026-11-25T14:05:00+05:00",
        "lead_image": {"url": "/static/demo/city.svg", "width": 1200, "height": 800},
    }
    return stored_article(**fields | changes)


def documents(articles: list[Article], channel: Channel = CHANNEL) -> dict[str, bytes]:
    entries = [feed.entry_of(a, channel) for a in articles]
    docs = feed.documents(INFO, entries, channel)
    return {"rss": docs[INFO.rss_url], "atom": docs[INFO.atom_url], "json": docs[INFO.json_url]}


def test_every_format_is_valid_and_carries_the_whole_entry():
    # Given one article with a body, a summary, two tags and a lead image.
    docs = documents([make_article(), make_article(id="a2", guid="urn:uuid:2", summary="")])

    # RSS: valid, guid is the article's guid (not a permalink), description is the summary,
    # content:encoded the body with absolute links, dc:creator the author, an enclosure.
    rss = assert_valid_rss(docs["rss"])
    entry = rss.entries[0]
    assert entry.id == "urn:uuid:1"
    assert entry.title == "«Жас бүркіт» – <b>гордость</b> 🇰🇿"
    assert entry.link == "https://x.kz/2026/11/25/s/"
    assert entry.summary == "Лид"
    body = entry.content[0].value
    assert 'href="https://x.kz/section/x/"' in body
    assert 'src="https://x.kz/2026/11/25/s/img/a.jpg"' in body
    assert entry.author == "Александра Власова"
    assert [t.term for t in entry.tags] == ["Общество", "полиция", "Астана"]
    assert entry.enclosures[0].href == "https://x.kz/static/demo/city.svg"
    assert entry.enclosures[0].length == "0"  # size unknown: RSS Best Practices say 0
    assert entry.media_content[0]["url"] == "https://x.kz/static/demo/city.svg"
    assert entry.published_parsed[:5] == (2026, 11, 25, 9, 5)
    # With no summary given, the summary is the opening of the body, not the body itself.
    assert rss.entries[1].summary == "Тело раздел"

    # Atom: valid against RFC 4287's schema, same id, summary and html content, author.
    atom = assert_valid_atom(docs["atom"])
    entry = atom.entries[0]
    assert entry.id == "urn:uuid:1"
    assert entry.summary == "Лид"
    assert entry.content[0].type == "text/html"
    assert 'href="https://x.kz/section/x/"' in entry.content[0].value
    assert entry.author_detail.name == "Александра Власова"
    assert entry.author_detail.href == "https://x.kz/author/aleksandra-vlasova/"
    assert entry.updated_parsed[:4] == (2026, 11, 25, 10)
    links = [(link.rel, link.href) for link in entry.links]
    assert links == [
        ("alternate", "https://x.kz/2026/11/25/s/"),
        ("enclosure", "https://x.kz/static/demo/city.svg"),
    ]

    # JSON Feed: valid against the 1.1 schema, same id, content and dates with time zone.
    data = assert_valid_json_feed(docs["json"])
    item = data["items"][0]
    assert item["id"] == "urn:uuid:1"
    assert item["date_published"] == "2026-11-25T14:05:00+05:00"
    assert item["image"] == "https://x.kz/static/demo/city.svg"
    assert item["tags"] == ["Общество", "полиция", "Астана"]


def test_a_known_image_size_is_the_enclosure_length():
    channel = Channel(base_url="https://x.kz", language="ru", urls=URLS, file_size=lambda _: 2048)
    parsed = assert_valid_rss(documents([make_article()], channel)["rss"])
    assert parsed.entries[0].enclosures[0].length == "2048"


def test_feeds_advertise_self_and_hub_in_every_format():
    docs = documents([make_article()], HUB)
    for name in ("rss", "atom"):
        root = etree.fromstring(docs[name])
        links = {
            link.get("rel"): link.get("href")
            for link in root.iter("{http://www.w3.org/2005/Atom}link")
        }
        assert links["hub"] == "https://hub.example/"
        assert links["self"] == f"https://x.kz/feeds/{name}.xml"
    assert_valid_rss(docs["rss"])
    assert_valid_atom(docs["atom"])
    data = assert_valid_json_feed(docs["json"])
    assert data["hubs"] == [{"type": "WebSub", "url": "https://hub.example/"}]
    assert data["feed_url"] == "https://x.kz/feeds/feed.json"


def test_same_articles_give_the_same_bytes_dated_by_the_newest_change():
    articles = [make_article()]
    assert documents(articles) == documents(articles)
    rss = assert_valid_rss(documents(articles)["rss"])
    assert rss.feed.updated_parsed[:4] == (2026, 11, 25, 10)


def test_an_empty_feed_is_valid_and_stable():
    docs = documents([])
    assert docs == documents([])
    # Dated by a fixed moment (nothing to date it by), not by when it was built.
    assert assert_valid_rss(docs["rss"]).feed.updated_parsed[:3] == (1970, 1, 1)
    assert_valid_atom(docs["atom"])
    assert assert_valid_json_feed(docs["json"])["items"] == []


# Any text at all: control characters XML forbids, Kazakh letters, emoji, RTL, markup.
awkward_text = st.lists(
    st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(list("\x00\x01\x0b\x1f\ufffe\u200f<>&\"'ӘәҒғҚқҢңӨөҰұҮүҺһІі")),
        st.sampled_from(["שלום", "مرحبا", "🇰🇿", "👩🏽‍💻", "<b>", "]]>", "&amp;", "<!--"]),
    ),
    min_size=1,
    max_size=12,
).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=awkward_text, body=awkward_text, tag=awkward_text, name=awkward_text)
def test_awkward_text_never_makes_an_invalid_feed(title, body, tag, name):
    try:
        article = make_article(
            title=title, body_html=f"<p>{body}</p>", tags=[tag], authors=[{"name": name}]
        )
    except ValueError:
        reject()  # the model refused it (blank after cleaning): nothing to publish
    docs = documents([article], HUB)
    assert assert_valid_rss(docs["rss"]).entries[0].id == "urn:uuid:1"
    title = feed.entry_of(article, HUB).title
    assert assert_valid_atom(docs["atom"]).entries[0].title == title
    assert assert_valid_json_feed(docs["json"])["items"][0]["title"] == title
