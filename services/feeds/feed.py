"""RSS 2.0 and Atom 1.0 documents from a list of articles (feedgen, quirks handled)."""

from dataclasses import dataclass
from datetime import datetime

from feedgen.feed import FeedGenerator

from shared.article import Article
from shared.text import xml_safe


@dataclass(frozen=True)
class FeedInfo:
    """What a feed is: its title, its page on the site and where its files live."""

    title: str
    description: str
    page_url: str
    rss_url: str
    atom_url: str


def _absolute(base: str, path: str) -> str:
    return path if path.startswith(("http://", "https://")) else base + path


def _generator(
    info: FeedInfo, articles: list[Article], base_url: str, language: str, self_url: str
) -> FeedGenerator:
    """A feed generator holding `articles`, newest first, that calls itself `self_url`."""
    fg = FeedGenerator()
    fg.load_extension("dc")
    fg.id(_absolute(base_url, info.page_url))
    fg.title(xml_safe(info.title))
    fg.description(xml_safe(info.description))
    fg.language(language)
    fg.generator("Newsroom")
    # feedgen's RSS <link> is the last link added: self first, then the page.
    fg.link(href=_absolute(base_url, self_url), rel="self")
    fg.link(href=_absolute(base_url, info.page_url), rel="alternate")
    newest: datetime | None = None
    for article in articles:
        changed = article.updated_at or article.modified_at
        newest = max(newest, changed) if newest else changed
        entry = fg.add_entry(order="append")
        entry.id(article.guid)
        entry.guid(article.guid, permalink=False)
        entry.title(article.title)
        entry.link(href=_absolute(base_url, article.url))
        if article.summary:
            entry.summary(article.summary)
        entry.content(article.body_html, type="html")
        entry.published(article.published_at)
        entry.updated(changed)
        for author in article.authors:
            entry.author(name=author.name)
        entry.dc.dc_creator([a.name for a in article.authors])
        for term in (article.section, *article.tags):
            entry.category(term=term)
    if newest:
        fg.updated(newest)
        fg.lastBuildDate(newest)
    return fg


def rss(info: FeedInfo, articles: list[Article], base_url: str, language: str) -> bytes:
    """The RSS 2.0 document."""
    return _generator(info, articles, base_url, language, info.rss_url).rss_str(pretty=True)


def atom(info: FeedInfo, articles: list[Article], base_url: str, language: str) -> bytes:
    """The Atom 1.0 document."""
    return _generator(info, articles, base_url, language, info.atom_url).atom_str(pretty=True)
