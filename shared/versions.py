"""An article's history: who wrote each version, when, what changed, and its content."""

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from shared.article import Article, ArticleIn, Status, UtcTimestamp

SYSTEM = "system"
"""Who wrote a version no token wrote (tests, tools without a name of their own)."""


class Action(StrEnum):
    """What a write did to the article."""

    CREATED = "created"
    UPDATED = "updated"
    UNPUBLISHED = "unpublished"
    REPUBLISHED = "republished"
    PUBLISHED = "published"  # a scheduled article went live


class ArticleVersion(BaseModel):
    """One version of an article as the history keeps it."""

    version: int = Field(description="The article's version this write made.")
    at: UtcTimestamp = Field(description="When it was written.")
    by: str = Field(description="Name of the token that wrote it, or `scheduler`, `import`.")
    action: Action
    status: Status = Field(description="The article's status after the write.")
    changed: list[str] = Field(
        description="Fields that differ from the previous version (every field on creation)."
    )
    content: dict[str, Any] = Field(
        description="The article as a PUT body: PUT it back to restore this version."
    )


def content_of(article: Article) -> dict[str, Any]:
    """The article as a PUT body (its slug included, so its URL comes back with it)."""
    return article.model_dump(mode="json", include=set(ArticleIn.model_fields))


def _action(current: Article | None, article: Article) -> Action:
    if current is None:
        return Action.CREATED
    if article.status is Status.UNPUBLISHED:
        return Action.UNPUBLISHED
    if current.status is Status.UNPUBLISHED:
        return Action.REPUBLISHED
    if current.status is Status.SCHEDULED and article.status is Status.PUBLISHED:
        return Action.PUBLISHED
    return Action.UPDATED


def version_of(current: Article | None, article: Article, by: str) -> ArticleVersion:
    """The history entry of the write that turned `current` into `article`."""
    content = content_of(article)
    before = content_of(current) if current else {}
    changed = [name for name, value in content.items() if before.get(name, ...) != value]
    if current is None or current.status is not article.status:
        changed.append("status")
    return ArticleVersion(
        version=article.version,
        at=article.modified_at,
        by=by,
        action=_action(current, article),
        status=article.status,
        changed=changed,
        content=content,
    )
