"""Request and response bodies of the ingest API (apart from the article contract)."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from shared.article import ARTICLE_ID_PATTERN, Article

ArticleId = Annotated[str, Field(pattern=ARTICLE_ID_PATTERN, examples=["kz-2026-000123"])]


class ArticleOut(Article):
    """An article as the API returns it."""

    model_config = ConfigDict(extra="ignore")

    digest: str = Field("", exclude=True)


class ViewIn(BaseModel):
    """One page view reported by the site."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"article_id": "kz-2026-000123", "visitor_id": "v-42"}]},
    )

    article_id: ArticleId
    visitor_id: Annotated[str, Field(max_length=128)] | None = None
    ts: datetime | None = None


class Accepted(BaseModel):
    """How many views were taken."""

    accepted: int
