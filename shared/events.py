"""Event schemas carried on the streams (past-tense names: facts that happened)."""

import random
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, TypeAdapter

from shared.article import ARTICLE_ID_PATTERN, Placement
from shared.clock import utcnow

# FastStream reads the message body from this field of a stream entry.
DATA_FIELD = "__data__"


def _event_id() -> str:
    # 128 random bits as 32 hex digits (a uuid4's length); an id is no secret, so no system
    # call per event (a batch of views makes one event per view).
    return f"{random.getrandbits(128):032x}"


class Event(BaseModel):
    """What every event carries."""

    event_id: str = Field(default_factory=_event_id)
    occurred_at: datetime = Field(default_factory=utcnow)
    article_id: Annotated[str, Field(pattern=ARTICLE_ID_PATTERN)]


class ArticleChanged(Event):
    """Base of the article events: the version they describe, and where it was and is."""

    version: int
    before: Placement | None = None
    after: Placement | None = None


class ArticlePublished(ArticleChanged):
    """An article became visible (new, republished, or a scheduled one fell due)."""

    type: Literal["ArticlePublished"] = "ArticlePublished"


class ArticleUpdated(ArticleChanged):
    """A visible article changed."""

    type: Literal["ArticleUpdated"] = "ArticleUpdated"


class ArticleUnpublished(ArticleChanged):
    """An article was taken off the site."""

    type: Literal["ArticleUnpublished"] = "ArticleUnpublished"


ArticleEvent = Annotated[
    ArticlePublished | ArticleUpdated | ArticleUnpublished, Field(discriminator="type")
]
article_event_adapter: TypeAdapter[ArticleEvent] = TypeAdapter(ArticleEvent)


class ArticleViewed(Event):
    """A reader opened an article page."""

    type: Literal["ArticleViewed"] = "ArticleViewed"
    visitor_id: Annotated[str, Field(max_length=128)] | None = None
    bot: bool = False


def encode(event: Event) -> dict[str, str]:
    """The stream entry fields for an event."""
    return {DATA_FIELD: event.model_dump_json()}
