"""Page views reported by the site."""

from typing import Annotated

from fastapi import APIRouter, Body, Request

from services.ingest.schemas import Accepted, ViewIn
from shared.events import ArticleViewed, encode
from shared.topology import VIEWS_STREAM

router = APIRouter(prefix="/api", tags=["views"])


@router.post("/views", status_code=202)
async def post_views(views: Annotated[ViewIn | list[ViewIn], Body()], request: Request) -> Accepted:
    """Record one view or a batch; answered at once, counted by the feeds service."""
    batch = views if isinstance(views, list) else [views]
    async with request.app.state.redis.pipeline(transaction=False) as pipe:
        for view in batch:
            event = ArticleViewed(article_id=view.article_id, visitor_id=view.visitor_id)
            if view.ts is not None:
                event.occurred_at = view.ts
            pipe.xadd(VIEWS_STREAM, encode(event))
        await pipe.execute()
    return Accepted(accepted=len(batch))
