"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 documents from a list of articles.

The bytes depend only on the articles and the feed's description (no build time), so an
unchanged feed is never rewritten and the web server's ETag/Last-Modified stay put.
"""

import json
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import lxml.html
from feedgen.feed import FeedGenerator
from lxml import etree

from shared.article import Article, LeadImage
from shared.text import truncate_words, xml_safe
from shared.urls import UrlScheme

ATOM_NS = "http://www.w3.org/2005/Atom"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
SUMMARY_LENGTH = 300
# An empty feed has no entry to date it by: a fixed moment keeps its bytes stable.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_C1 = re.compile("[\x80-\x9f]")


@dataclass(frozen=True)
class FeedInfo:
    """What a feed is: its title, its page on the site and where its files live."""

    title: str
    description: str
    page_url: str
    rss_url: str
    atom_url: str
    json_url: str | None = None


@dataclass(frozen=True)
class Channel:
    """Site-wide facts every feed carries."""

    base_url: str
    language: str
    hub_url: str = ""
    urls: UrlScheme = field(default_factory=UrlScheme)
    # Size in bytes of a site file (a lead image), when it is known.
    file_size: Callable[[str], int | None] = lambda _path: None

    def absolute(self, path: str) -> str:
        """An absolute URL for a site path (absolute URLs pass through)."""
        return path if path.startswith(("http://", "https://")) else self.base_url + path

    def author_page(self, slug: str) -> str:
        """Absolute URL of an author's page."""
        return self.absolute(self.urls.author_url(slug))


def feed_text(value: str) -> str:
    """Text a feed can carry: no XML-forbidden characters and no C1 controls, which XML
    discourages and feed readers take for Windows-1252 letters."""
    return _C1.sub("", xml_safe(value))


def absolute_html(html: str, page_url: str) -> str:
    """`html` with every link and image URL made absolute against `page_url`."""
    html = feed_text(html)
    if not html.strip():
        return ""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    root.make_links_absolute(page_url, resolve_base_href=False)
    inner = lxml.html.tostring(root, encoding="unicode", method="html")
    return inner.removeprefix("<div>").removesuffix("</div>")


def title_of(article: Article) -> str:
    """The entry title (the slug if cleaning left nothing of the title)."""
    return feed_text(article.title) or article.slug


def author_names(article: Article) -> list[str]:
    """The byline names (an author's slug if cleaning left nothing of the name)."""
    return [feed_text(a.name) or a.page_slug for a in article.authors]


def categories_of(article: Article) -> list[str]:
    """The section and the tags, the ones cleaning left empty dropped."""
    return [clean for v in (article.section, *article.tags) if (clean := feed_text(v))]


def summary_of(article: Article) -> str:
    """The article's summary, else the opening words of its body, else its title."""
    if article.summary:
        return feed_text(article.summary)
    body = feed_text(article.body_html)
    text = lxml.html.fragment_fromstring(body, create_parent="div").text_content() if body else ""
    return truncate_words(" ".join(text.split()), SUMMARY_LENGTH) or title_of(article)


def updated_of(article: Article) -> datetime:
    """When the article last changed for a reader (never before its publication)."""
    return max(article.published_at, article.updated_at or article.modified_at)


def newest_change(articles: list[Article]) -> datetime:
    """The feed's own date: its newest entry change (fixed for an empty feed)."""
    return max((updated_of(a) for a in articles), default=EPOCH)


def _image_type(url: str) -> str:
    return mimetypes.guess_type(url.split("?", 1)[0])[0] or "image/jpeg"


def _generator(
    info: FeedInfo, articles: list[Article], channel: Channel, self_url: str
) -> FeedGenerator:
    """A feed generator holding `articles`, newest first, that calls itself `self_url`."""
    fg = FeedGenerator()
    fg.load_extension("dc")
    fg.load_extension("media")
    fg.id(channel.absolute(info.page_url))
    fg.title(feed_text(info.title))
    fg.description(feed_text(info.description))
    fg.language(channel.language)
    fg.generator("Newsroom")
    fg.link(href=channel.absolute(self_url), rel="self")
    if channel.hub_url:
        fg.link(href=channel.hub_url, rel="hub")
    # feedgen's RSS <link> is the last link added: the page goes last.
    fg.link(href=channel.absolute(info.page_url), rel="alternate")
    for article in articles:
        _add_entry(fg, article, channel)
    fg.updated(newest_change(articles))
    fg.lastBuildDate(newest_change(articles))
    return fg


def _add_entry(fg: FeedGenerator, article: Article, channel: Channel) -> None:
    link = channel.absolute(article.url)
    entry = fg.add_entry(order="append")
    entry.id(article.guid)
    entry.guid(article.guid, permalink=False)
    entry.title(title_of(article))
    entry.link(href=link, rel="alternate")
    entry.summary(summary_of(article))
    entry.content(absolute_html(article.body_html, link), type="html")
    entry.published(article.published_at)
    entry.updated(updated_of(article))
    names = author_names(article)
    for name, author in zip(names, article.authors, strict=True):
        entry.author(name=name, uri=channel.author_page(author.page_slug))
    entry.dc.dc_creator(names)
    for term in categories_of(article):
        entry.category(term=term)
    if article.lead_image:
        # RSS requires a length: feedgen writes 0 when unknown, as the RSS Advisory Board's
        # best practices say; Atom gets a length only when the size is known.
        entry.link(_enclosure(article.lead_image, channel))
        entry.media.content(_media(article.lead_image, channel), group=None)


def _enclosure(image: LeadImage, channel: Channel) -> dict[str, str]:
    url = channel.absolute(image.url)
    size = channel.file_size(image.url)
    link = {"href": url, "rel": "enclosure", "type": _image_type(url)}
    return link | ({"length": str(size)} if size else {})


def _media(image: LeadImage, channel: Channel) -> dict[str, str]:
    url = channel.absolute(image.url)
    size = channel.file_size(image.url)
    media = {"url": url, "medium": "image", "type": _image_type(url)}
    media |= {k: str(v) for k, v in (("width", image.width), ("height", image.height)) if v}
    return media | ({"fileSize": str(size)} if size else {})


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)


def rss(info: FeedInfo, articles: list[Article], channel: Channel) -> bytes:
    """The RSS 2.0 document (content:encoded, dc:creator, atom:link self and hub)."""
    document = _generator(info, articles, channel, info.rss_url).rss_str(pretty=True)
    if not channel.hub_url:
        return document
    # feedgen writes only the self atom:link into RSS; the hub link is added here.
    root = etree.fromstring(document)
    self_link = root.find(f"channel/{{{ATOM_NS}}}link")
    hub = etree.Element(f"{{{ATOM_NS}}}link", href=channel.hub_url, rel="hub")
    hub.tail = self_link.tail
    self_link.addnext(hub)
    return _serialize(root)


def atom(info: FeedInfo, articles: list[Article], channel: Channel) -> bytes:
    """The Atom 1.0 document."""
    document = _generator(info, articles, channel, info.atom_url).atom_str(pretty=True)
    if not any(a.lead_image for a in articles):
        return document
    # feedgen 1.0.0 writes entry links with their href only (lkiesow/python-feedgen#135):
    # the enclosure's rel, type and length are put back here.
    root = etree.fromstring(document)
    for entry, article in zip(root.iterfind(f"{{{ATOM_NS}}}entry"), articles, strict=True):
        if article.lead_image:
            enclosure = _enclosure(article.lead_image, channel)
            for link in entry.iterfind(f"{{{ATOM_NS}}}link"):
                if link.get("href") == enclosure["href"]:
                    link.attrib.update(enclosure)
    return _serialize(root)


def json_feed(info: FeedInfo, articles: list[Article], channel: Channel) -> bytes:
    """The JSON Feed 1.1 document."""
    if info.json_url is None:
        raise ValueError(f"{info.title!r} has no JSON Feed")
    feed: dict[str, object] = {
        "version": JSON_FEED_VERSION,
        "title": feed_text(info.title),
        "home_page_url": channel.absolute(info.page_url),
        "feed_url": channel.absolute(info.json_url),
        "description": feed_text(info.description),
        "language": channel.language,
    }
    if channel.hub_url:
        feed["hubs"] = [{"type": "WebSub", "url": channel.hub_url}]
    feed["items"] = [_json_item(a, channel) for a in articles]
    return json.dumps(feed, ensure_ascii=False, indent=1).encode()


def _json_item(article: Article, channel: Channel) -> dict[str, object]:
    link = channel.absolute(article.url)
    item: dict[str, object] = {
        "id": article.guid,
        "url": link,
        "title": title_of(article),
        "content_html": absolute_html(article.body_html, link),
        "summary": summary_of(article),
        "date_published": article.published_at.isoformat(),
        "date_modified": updated_of(article).isoformat(),
        "authors": [
            {"name": feed_text(a.name), "url": channel.author_page(a.page_slug)}
            for a in article.authors
        ],
        "tags": categories_of(article),
        "language": article.language,
    }
    if article.lead_image:
        item["image"] = channel.absolute(article.lead_image.url)
    return item
