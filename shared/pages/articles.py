"""Article pages: the article with its read-also list, archive links and schema.org data."""

from datetime import datetime
from typing import Any

from shared.article import Article
from shared.clock import month_name
from shared.listing import read_also_listings
from shared.media_library import MediaLibrary
from shared.pages.base import PageBase
from shared.pages.model import RELATED_SIZE, Page
from shared.settings import Settings
from shared.store import ArticleStore
from shared.text import truncate_words
from shared.urls import absolute_url

READ_ALSO_TITLE = 64


class ArticlePages(PageBase):
    """Builds article pages."""

    def __init__(self, store: ArticleStore, settings: Settings) -> None:
        super().__init__(store, settings)
        self.media = MediaLibrary(settings.media_dir, settings.media_max_pixels)

    def article(self, article: Article, related: list[tuple[str, str]]) -> Page:
        """An article page with its read-also list (see `related`) and archive navigation."""
        local = self.urls.local(article.published_at)
        edited = article.updated_at or (
            article.modified_at
            if article.modified_at > max(article.created_at, article.published_at)
            else None
        )
        section_url = self.urls.section_url(article.section_slug)
        image = article.lead_image
        media = self.media.info(image.media_id) if image and image.media_id else None
        json_ld = self.news_article(article, edited)
        if media:
            json_ld["image"] = [absolute_url(self.base, media.largest)]
        return Page(
            article.url,
            "article.html",
            {
                "article": article,
                "canonical": article.url,
                "description": article.summary or article.subtitle or article.title,
                "updated": edited,
                "section_url": section_url,
                "authors": [(a.name, self.urls.author_url(a.page_slug)) for a in article.authors],
                "tags": [
                    (tag, self.urls.tag_url(slug))
                    for tag, slug in zip(article.tags, article.tag_slugs, strict=True)
                ],
                "read_also": [
                    (truncate_words(title, READ_ALSO_TITLE), url) for title, url in related
                ],
                "archive": [
                    (str(local.year), self.urls.archive_url(local.year)),
                    (month_name(local.month), self.urls.archive_url(local.year, local.month)),
                    (str(local.day), self.urls.archive_url(local.year, local.month, local.day)),
                ],
                "json_ld": json_ld,
                "picture": media.picture() if media else None,
                "feeds": self.feeds(),
                "menu": self.menu,
            },
        )

    async def related(self, articles: list[Article]) -> dict[str, list[tuple[str, str]]]:
        """Read also of each article: (title, url) of up to RELATED_SIZE older articles sharing
        a tag (first), the section (next) or none (the site's, last), newest first. One script
        call and one read for all of them."""
        queries = [
            [(listing, a.published_at) for listing in read_also_listings(a.placement())]
            for a in articles
        ]
        rows = await self.store.older_than([q for qs in queries for q in qs], RELATED_SIZE)
        chosen: dict[str, list[str]] = {}
        for article, qs in zip(articles, queries, strict=True):
            site, section, *tags = rows[: len(qs)]
            rows = rows[len(qs) :]
            chosen[article.id] = _read_also([[r for row in tags for r in row], section, site])
        wanted = sorted({i for ids in chosen.values() for i in ids})
        found = {a["id"]: (a["title"], a["url"]) for a in await self.store.fields_many(wanted)}
        return {key: [found[i] for i in ids if i in found] for key, ids in chosen.items()}

    def news_article(self, article: Article, edited: datetime | None) -> dict[str, Any]:
        """schema.org NewsArticle data of an article."""
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": article.title,
            "description": article.summary or article.title,
            "datePublished": article.published_at.isoformat(timespec="seconds"),
            "dateModified": (edited or article.published_at).isoformat(timespec="seconds"),
            "mainEntityOfPage": self.base + article.url,
            "articleSection": article.section,
            "keywords": article.tags,
            "inLanguage": article.language,
            "author": [
                {
                    "@type": "Person",
                    "name": a.name,
                    "url": self.base + self.urls.author_url(a.page_slug),
                }
                for a in article.authors
            ],
            "publisher": {"@type": "Organization", "name": self.site_name},
        }
        if article.lead_image:
            data["image"] = [absolute_url(self.base, article.lead_image.src)]
        return data


def _read_also(tiers: list[list[tuple[str, float]]]) -> list[str]:
    """Ids for read also: the newest (id, score) rows of each tier in turn until RELATED_SIZE
    are chosen, shown newest first."""

    def newest(rows: list[tuple[str, float]]) -> list[tuple[str, float]]:
        return sorted(set(rows), key=lambda r: (r[1], r[0]), reverse=True)

    chosen: list[tuple[str, float]] = []
    for tier in tiers:
        picked = {i for i, _ in chosen}
        chosen += [r for r in newest(tier) if r[0] not in picked][: RELATED_SIZE - len(chosen)]
    return [i for i, _ in newest(chosen)]
