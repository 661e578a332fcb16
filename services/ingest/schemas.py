"""Request and response bodies of the ingest API (apart from the article contract)."""

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter

from shared.article import Article, ArticleId, Moment
from shared.text import plain_text
from shared.versions import ArticleVersion

ARTICLE_EXAMPLE: dict[str, Any] = {
    "id": "kz-2026-000123",
    "title": "Чем мы можем помочь горожанам",
    "subtitle": "",
    "summary": "Полиция переходит на сервисную модель работы.",
    "body_html": "<p>Первый абзац.</p><p>Второй абзац.</p>",
    "authors": [{"name": "Айгерим Сапарова", "slug": None}],
    "section": "Общество",
    "tags": ["полиция", "Астана"],
    "language": "ru",
    "published_at": "2026-11-25T14:05:00+05:00",
    "updated_at": None,
    "lead_image": None,
    "canonical_url": None,
    "version": 1,
    "guid": "urn:uuid:0b6f7c1e-8a55-4a8e-9d1e-2f8f4b7f3c10",
    "slug": "chem-my-mozhem-pomoch-gorozhanam",
    "url": "/2026/11/25/chem-my-mozhem-pomoch-gorozhanam/",
    "status": "published",
    "created_at": "2026-11-25T09:05:00.000000+00:00",
    "modified_at": "2026-11-25T09:05:00.000000+00:00",
    "redirect_from": [],
}


class ArticleOut(Article):
    """An article as the API returns it."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [ARTICLE_EXAMPLE]})

    digest: str = Field("", exclude=True)


class ArticleList(BaseModel):
    """One page of the editors' article list."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [ARTICLE_EXAMPLE], "next_cursor": "MjAy..."}]}
    )

    items: list[ArticleOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


VERSION_EXAMPLE: dict[str, Any] = {
    "version": 2,
    "at": "2026-11-25T09:30:00.000000+00:00",
    "by": "cms",
    "action": "updated",
    "status": "published",
    "changed": ["title", "body_html"],
}


class VersionOut(ArticleVersion):
    """One version of an article in its history; its content is at `.../versions/{version}`."""

    model_config = ConfigDict(json_schema_extra={"examples": [VERSION_EXAMPLE]})

    content: dict[str, Any] = Field(default_factory=dict, exclude=True)


class VersionList(BaseModel):
    """The kept versions of an article, newest first (NEWSROOM_VERSIONS_KEPT of them)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [VERSION_EXAMPLE]}]})

    items: list[VersionOut]


class ViewIn(BaseModel):
    """One page view reported by the site."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"article_id": "kz-2026-000123", "visitor_id": "v-42"}]},
    )

    article_id: ArticleId
    visitor_id: Annotated[str, Field(max_length=128), AfterValidator(plain_text)] | None = None
    ts: Moment | None = Field(None, description="When the page was opened; default: on arrival.")


# Bytes of the longest valid view as JSON, rounded up: a 64-character id, a 128-character
# visitor id written as \uXXXX escapes, a timestamp with its offset, and some whitespace.
VIEW_MAX_BYTES = 1024


class ViewsParser:
    """Validates a views request body: one view, or a list of at most `batch_max`."""

    def __init__(self, batch_max: int) -> None:
        self.batch = TypeAdapter(Annotated[list[ViewIn], Field(min_length=1, max_length=batch_max)])
        # The largest body a valid request can have; longer ones are answered 413 unread.
        self.body_limit = 64 + batch_max * VIEW_MAX_BYTES

    def parse(self, body: bytes) -> list[ViewIn]:
        """The views in `body`; raises pydantic's ValidationError (json_invalid if not JSON)."""
        if body.lstrip()[:1] == b"[":
            return self.batch.validate_json(body)
        return [ViewIn.model_validate_json(body)]


class Accepted(BaseModel):
    """How many views were stored, and how many dropped as implausible."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"accepted": 1, "dropped": 0}]})

    accepted: int = Field(description="Views stored for counting.")
    dropped: int = Field(
        description="Views dropped: not of a published article, or `ts` too far from now."
    )


class Resolved(BaseModel):
    """What the web server should answer for a site path that has no file."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"status": 301, "location": "/2026/11/25/novyi-zagolovok/"},
                {"status": 410, "location": None},
            ]
        }
    )

    status: Literal[301, 410, 404]
    location: str | None


class Health(BaseModel):
    """The service's state."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok"}]})

    status: str


class FieldError(BaseModel):
    """One bad field of a request."""

    field: str
    reason: str


ERROR_EXAMPLE = {
    "error": "validation failed",
    "fields": [{"field": "title", "reason": "Value error, must not be empty"}],
}


class ErrorOut(BaseModel):
    """Every error the API answers: the reason, and the bad fields on 422."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [ERROR_EXAMPLE]})

    error: str
    fields: list[FieldError] | None = None


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries documenting the JSON errors a route can answer."""
    reasons = {
        400: "Malformed JSON or header",
        401: "Missing or invalid bearer token",
        404: "No such article",
        409: "The requested slug belongs to another article",
        412: "If-Match names a stale version",
        413: "Request body over the size limit",
        415: "Body not sent as application/json",
        422: "Invalid fields, each named with its reason",
        429: "Too many requests from this address; see Retry-After",
        503: "Redis unreachable",
    }
    return {s: {"model": ErrorOut, "description": reasons[s]} for s in statuses}
