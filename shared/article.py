"""The article: what an editorial system sends, and what the store keeps."""

import hashlib
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    PlainSerializer,
    ValidationInfo,
    model_validator,
)

from shared.media import MEDIA_ID_PATTERN, teaser_url
from shared.slugs import make_slug
from shared.text import plain_text, xml_safe

ARTICLE_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
# The editorial system's id of an article, as the API and the importer take it.
ArticleId = Annotated[str, Field(pattern=ARTICLE_ID_PATTERN, examples=["kz-2026-000123"])]
# Validation context of articles read back from the store: cleaned when saved, not again.
STORED = {"stored": True}


def _is_stored(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get("stored"))


def _cleaning(clean: Callable[[str], str]) -> Callable[[str, ValidationInfo], str]:
    """A validator applying `clean` to incoming text, and trusting stored text as it is."""

    def validate(value: str, info: ValidationInfo) -> str:
        return value if _is_stored(info) else clean(value)

    return validate


PlainText = Annotated[str, AfterValidator(_cleaning(plain_text))]
Title = Annotated[PlainText, Field(max_length=300)]


def _required(value: str) -> str:
    if not value:
        raise ValueError("must not be empty")
    return value


def _plausible(moment: datetime) -> datetime:
    """Refuse moments that cannot be converted between time zones safely."""
    if not 1900 <= moment.year <= 9000:
        raise ValueError("year must be between 1900 and 9000")
    return moment


Moment = Annotated[AwareDatetime, AfterValidator(_plausible)]
UtcTimestamp = Annotated[
    datetime,
    PlainSerializer(lambda moment: moment.astimezone(UTC).isoformat(), return_type=str),
]
"""A server-managed moment, always written in UTC with an explicit `+00:00` offset."""


class Status(StrEnum):
    """Where an article is in its life."""

    PUBLISHED = "published"
    SCHEDULED = "scheduled"
    UNPUBLISHED = "unpublished"


class Author(BaseModel):
    """A byline entry; the slug names the author's page."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[PlainText, Field(max_length=200), AfterValidator(_required)]
    slug: Annotated[str, Field(pattern=r"^[a-z0-9-]{1,80}$")] | None = None

    @property
    def page_slug(self) -> str:
        """The given slug, or one made from the name."""
        return self.slug or make_slug(self.name)


class LeadImage(BaseModel):
    """The picture at the top of an article: an image's `url`, or the `media_id` of an upload
    (POST /api/media), whose `width` and `height` the API fills in."""

    model_config = ConfigDict(extra="forbid")

    url: Annotated[str, Field(max_length=2000, pattern=r"^(https?://|/)[^\s\"'<>]*$")] | None = None
    media_id: Annotated[str, Field(pattern=MEDIA_ID_PATTERN)] | None = None
    caption: Annotated[PlainText, Field(max_length=1000)] = ""
    credit: Annotated[PlainText, Field(max_length=300)] = ""
    width: Annotated[int, Field(gt=0, le=20000)] | None = None
    height: Annotated[int, Field(gt=0, le=20000)] | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.url is None) == (self.media_id is None):
            raise ValueError("give exactly one of url and media_id")
        return self

    @property
    def src(self) -> str:
        """The image's URL: the given one, or the variant of the upload list pages show."""
        return self.url or teaser_url(str(self.media_id), self.width)


class ArticleIn(BaseModel):
    """An article as an editorial system sends it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Чем мы можем помочь горожанам",
                    "summary": "Полиция переходит на сервисную модель работы.",
                    "body_html": "<p>Первый абзац.</p><p>Второй абзац.</p>",
                    "authors": [{"name": "Айгерим Сапарова"}],
                    "section": "Общество",
                    "tags": ["полиция", "Астана"],
                    "published_at": "2026-11-25T14:05:00+05:00",
                }
            ]
        },
    )

    title: Annotated[Title, AfterValidator(_required)]
    subtitle: Annotated[PlainText, Field(max_length=500)] = ""
    summary: Annotated[PlainText, Field(max_length=2000)] = ""
    body_html: Annotated[str, Field(max_length=1_000_000), AfterValidator(_cleaning(xml_safe))]
    authors: Annotated[list[Author], Field(min_length=1, max_length=20)]
    section: Annotated[PlainText, Field(max_length=100), AfterValidator(_required)]
    tags: Annotated[list[Annotated[PlainText, Field(max_length=100)]], Field(max_length=30)] = []
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")] = "ru"
    published_at: Moment
    updated_at: Moment | None = None
    lead_image: LeadImage | None = None
    canonical_url: HttpUrl | None = None
    slug: Annotated[str, Field(pattern=r"^[a-z0-9-]{1,80}$")] | None = Field(
        None, description="Ask for this slug; the old URL then redirects to the new one."
    )

    @model_validator(mode="before")
    @classmethod
    def _author_shorthand(cls, data: Any, info: ValidationInfo) -> Any:
        """Accept `author: "Name"` and plain strings in `authors`."""
        if isinstance(data, dict) and not _is_stored(info):
            data = dict(data)
            if "author" in data and "authors" not in data:
                data["authors"] = [data.pop("author")]
            if isinstance(data.get("authors"), list):
                data["authors"] = [
                    {"name": a} if isinstance(a, str) else a for a in data["authors"]
                ]
        return data

    @model_validator(mode="after")
    def _clean_tags(self, info: ValidationInfo) -> "ArticleIn":
        """Drop empty and repeated tags, keeping the first spelling."""
        if _is_stored(info):
            return self
        seen: dict[str, str] = {}
        for tag in self.tags:
            if tag and make_slug(tag) not in seen:
                seen[make_slug(tag)] = tag
        self.tags = list(seen.values())
        return self

    def content_digest(self) -> str:
        """A digest of the content as sent: the same digest, the same content."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()


class Placement(BaseModel):
    """Where an article shows on the site: enough to know which pages it touches."""

    url: str
    published_at: datetime
    section: str
    tags: list[str]
    authors: list[str]


class Article(ArticleIn):
    """An article as the store keeps it, with the server-managed fields."""

    model_config = ConfigDict(extra="ignore")

    id: Annotated[str, Field(pattern=ARTICLE_ID_PATTERN)]
    version: int
    guid: str
    slug: str  # type: ignore[assignment]
    url: str
    status: Status
    created_at: UtcTimestamp
    modified_at: UtcTimestamp
    redirect_from: list[str] = []
    digest: str = ""

    @classmethod
    def from_stored(cls, raw: bytes | str) -> Self:
        """An article as the store saved it (its text was cleaned then: not cleaned again)."""
        return cls.model_validate_json(raw, context=STORED)

    @property
    def is_live(self) -> bool:
        """Whether readers can see it now."""
        return self.status is Status.PUBLISHED

    @property
    def section_slug(self) -> str:
        """Slug of the section page."""
        return make_slug(self.section)

    @property
    def tag_slugs(self) -> list[str]:
        """Slugs of the tag pages."""
        return [make_slug(t) for t in self.tags]

    @property
    def author_slugs(self) -> list[str]:
        """Slugs of the author pages."""
        return [a.page_slug for a in self.authors]

    # Version rules: every write makes the next version, or none when nothing changed.

    @classmethod
    def written(
        cls,
        current: Self | None,
        article_id: str,
        data: ArticleIn,
        *,
        slug: str,
        url: str,
        now: datetime,
    ) -> Self:
        """The version an editor's `data` makes of `current` (None: the first version).

        Versions count up from 1; the guid and creation moment never change; the article is
        scheduled while its publication moment is ahead; every URL it leaves redirects.
        """
        moved = [u for u in (current.redirect_from if current else []) if u != url]
        if current and current.url != url and current.url not in moved:
            moved.append(current.url)
        return cls(
            **data.model_dump(exclude={"slug"}),
            id=article_id,
            version=current.version + 1 if current else 1,
            guid=current.guid if current else f"urn:uuid:{uuid.uuid4()}",
            slug=slug,
            url=url,
            status=Status.SCHEDULED if data.published_at > now else Status.PUBLISHED,
            created_at=current.created_at if current else now,
            modified_at=now,
            redirect_from=moved,
            digest=data.content_digest(),
        )

    def unchanged_by(self, data: ArticleIn) -> bool:
        """Whether writing `data` makes no new version: the same content, still on the site
        or scheduled (an unpublished article's content written again republishes it)."""
        return self.digest == data.content_digest() and self.status is not Status.UNPUBLISHED

    def with_status(self, status: Status, now: datetime) -> Self:
        """The next version in `status` (a scheduled article published, one unpublished)."""
        update = {"status": status, "version": self.version + 1, "modified_at": now}
        return self.model_copy(update=update)

    def placement(self) -> Placement:
        """Where this article shows on the site."""
        return Placement(
            url=self.url,
            published_at=self.published_at,
            section=self.section_slug,
            tags=self.tag_slugs,
            authors=self.author_slugs,
        )
