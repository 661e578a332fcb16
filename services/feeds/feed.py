"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 documents from a list of articles.

The bytes depend only on the articles and the feed's description (no build time), so an
unchanged feed is never rewritten and the web server's ETag/Last-Modified stay put. Each
article's entry is prepared once (`Entry`) and shared by every format and every list.
"""

import json
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import lxml.html
from feedgen.feed import FeedGenerator
from lxml import etree

from shared.article import Article, LeadImage
from shared.media import MediaInfo
from shared.text import truncate_words, xml_safe
from shared.urls import UrlScheme, absolute_url

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
    urls: UrlScheme
    hub_url: str = ""
    # Size in bytes of a site file (a lead image), when it is known.
    file_size: Callable[[str], int | None] = lambda _path: None
    # What the media folder knows of an upload (shared.media_library), by id.
    media: Callable[[str], MediaInfo | None] = lambda _id: None

    def absolute(self, path: str) -> str:
        """An absolute URL for a site path (absolute URLs pass through)."""
        return absolute_url(self.base_url, path)


@dataclass(frozen=True)
class Author:
    """A byline name and the absolute URL of the author's page."""

    name: str
    url: str


@dataclass(frozen=True)
class Image:
    """The lead image: absolute URL, MIME type, size in bytes when known, dimensions."""

    url: str
    type: str
    length: int | None
    width: int | None
    height: int | None


@dataclass(frozen=True)
class Entry:
    """One article as every feed format shows it, with all text made safe for XML."""

    id: str
    title: str
    link: str
    summary: str
    content_html: str
    published: datetime
    updated: datetime
    authors: tuple[Author, ...]
    categories: tuple[str, ...]
    language: str
    image: Image | None


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


def entry_of(article: Article, channel: Channel) -> Entry:
    """The feed entry of an article."""
    link = channel.absolute(article.url)
    title = feed_text(article.title) or article.slug
    return Entry(
        id=article.guid,
        title=title,
        link=link,
        summary=_summary(article) or title,
        content_html=absolute_html(article.body_html, link),
        published=article.published_at,
        updated=max(article.published_at, article.updated_at or article.modified_at),
        authors=tuple(
            Author(
                feed_text(a.name) or a.page_slug,
                channel.absolute(channel.urls.author_url(a.page_slug)),
            )
            for a in article.authors
        ),
        categories=tuple(c for v in (article.section, *article.tags) if (c := feed_text(v))),
        language=article.language,
        image=_image(article.lead_image, channel) if article.lead_image else None,
    )


def _summary(article: Article) -> str:
    """The article's summary, else the opening words of its body."""
    if article.summary:
        return feed_text(article.summary)
    body = feed_text(article.body_html)
    text = lxml.html.fragment_fromstring(body, create_parent="div").text_content() if body else ""
    return truncate_words(" ".join(text.split()), SUMMARY_LENGTH)


def _image(image: LeadImage, channel: Channel) -> Image:
    media = channel.media(image.media_id) if image.media_id else None
    if media is not None:  # an upload: its widest variant in the original's format
        return Image(channel.absolute(media.largest), *media.enclosure())
    url = channel.absolute(image.src)
    kind = mimetypes.guess_type(url.split("?", 1)[0])[0] or "image/jpeg"
    return Image(url, kind, channel.file_size(image.src), image.width, image.height)


def newest_change(entries: list[Entry]) -> datetime:
    """The feed's own date: its newest entry change (fixed for an empty feed)."""
    return max((e.updated for e in entries), default=EPOCH)


def documents(info: FeedInfo, entries: list[Entry], channel: Channel) -> dict[str, bytes]:
    """Every document of a feed, by site path: RSS, Atom, and JSON Feed when it has one."""
    fg = _generator(info, entries, channel)
    docs = {info.rss_url: _rss(fg, info, channel), info.atom_url: _atom(fg, info, entries, channel)}
    if info.json_url:
        docs[info.json_url] = _json_feed(info, entries, channel)
    return docs


def _links(fg: FeedGenerator, info: FeedInfo, channel: Channel, self_url: str) -> None:
    fg.link(href=channel.absolute(self_url), rel="self", replace=True)
    if channel.hub_url:
        fg.link(href=channel.hub_url, rel="hub")
    # feedgen's RSS <link> is the last link added: the page goes last.
    fg.link(href=channel.absolute(info.page_url), rel="alternate")


def _generator(info: FeedInfo, entries: list[Entry], channel: Channel) -> FeedGenerator:
    """A feed generator holding `entries`, newest first."""
    fg = FeedGenerator()
    fg.load_extension("dc")
    fg.load_extension("media")
    fg.id(channel.absolute(info.page_url))
    fg.title(feed_text(info.title))
    fg.description(feed_text(info.description))
    fg.language(channel.language)
    fg.generator("Newsroom")
    for entry in entries:
        _add_entry(fg, entry)
    fg.updated(newest_change(entries))
    fg.lastBuildDate(newest_change(entries))
    return fg


def _add_entry(fg: FeedGenerator, entry: Entry) -> None:
    item = fg.add_entry(order="append")
    item.id(entry.id)
    item.guid(entry.id, permalink=False)
    item.title(entry.title)
    item.link(href=entry.link, rel="alternate")
    item.summary(entry.summary)
    item.content(entry.content_html, type="html")
    item.published(entry.published)
    item.updated(entry.updated)
    for author in entry.authors:
        item.author(name=author.name, uri=author.url)
    item.dc.dc_creator([a.name for a in entry.authors])
    for term in entry.categories:
        item.category(term=term)
    if entry.image:
        # RSS requires a length: feedgen writes 0 when unknown, as the RSS Advisory Board's
        # best practices say; Atom gets a length only when the size is known.
        item.link(_enclosure(entry.image))
        item.media.content(_media(entry.image), group=None)


def _enclosure(image: Image) -> dict[str, str]:
    link = {"href": image.url, "rel": "enclosure", "type": image.type}
    return link | ({"length": str(image.length)} if image.length else {})


def _media(image: Image) -> dict[str, str]:
    media = {"url": image.url, "medium": "image", "type": image.type}
    media |= {k: str(v) for k, v in (("width", image.width), ("height", image.height)) if v}
    return media | ({"fileSize": str(image.length)} if image.length else {})


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)


def _rss(fg: FeedGenerator, info: FeedInfo, channel: Channel) -> bytes:
    """The RSS 2.0 document (content:encoded, dc:creator, atom:link self and hub)."""
    _links(fg, info, channel, info.rss_url)
    document = fg.rss_str(pretty=True)
    if not channel.hub_url:
        return document
    # feedgen writes only the self atom:link into RSS; the hub link is added here.
    root = etree.fromstring(document)
    self_link = root.find(f"channel/{{{ATOM_NS}}}link")
    hub = etree.Element(f"{{{ATOM_NS}}}link", href=channel.hub_url, rel="hub")
    hub.tail = self_link.tail
    self_link.addnext(hub)
    return _serialize(root)


def _atom(fg: FeedGenerator, info: FeedInfo, entries: list[Entry], channel: Channel) -> bytes:
    """The Atom 1.0 document."""
    _links(fg, info, channel, info.atom_url)
    document = fg.atom_str(pretty=True)
    if not any(e.image for e in entries):
        return document
    # feedgen 1.0.0 writes entry links with their href only (lkiesow/python-feedgen#135):
    # the enclosure's rel, type and length are put back here.
    root = etree.fromstring(document)
    for element, entry in zip(root.iterfind(f"{{{ATOM_NS}}}entry"), entries, strict=True):
        if entry.image:
            enclosure = _enclosure(entry.image)
            for link in element.iterfind(f"{{{ATOM_NS}}}link"):
                if link.get("href") == enclosure["href"]:
                    link.attrib.update(enclosure)
    return _serialize(root)


def _json_feed(info: FeedInfo, entries: list[Entry], channel: Channel) -> bytes:
    """The JSON Feed 1.1 document."""
    feed: dict[str, object] = {
        "version": JSON_FEED_VERSION,
        "title": feed_text(info.title),
        "home_page_url": channel.absolute(info.page_url),
        "feed_url": channel.absolute(info.json_url or ""),
        "description": feed_text(info.description),
        "language": channel.language,
    }
    if channel.hub_url:
        feed["hubs"] = [{"type": "WebSub", "url": channel.hub_url}]
    feed["items"] = [_json_item(e) for e in entries]
    return json.dumps(feed, ensure_ascii=False, separators=(",", ":")).encode()


def _json_item(entry: Entry) -> dict[str, object]:
    item: dict[str, object] = {
        "id": entry.id,
        "url": entry.link,
        "title": entry.title,
        "content_html": entry.content_html,
        "summary": entry.summary,
        "date_published": entry.published.isoformat(),
        "date_modified": entry.updated.isoformat(),
        "authors": [{"name": a.name, "url": a.url} for a in entry.authors],
        "tags": list(entry.categories),
        "language": entry.language,
    }
    if entry.image:
        item["image"] = entry.image.url
        length = {"size_in_bytes": entry.image.length} if entry.image.length else {}
        item["attachments"] = [{"url": entry.image.url, "mime_type": entry.image.type} | length]
    return item
